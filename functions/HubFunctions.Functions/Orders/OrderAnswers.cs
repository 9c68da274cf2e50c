using System.Globalization;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.Functions.Orders;

/// <summary>The shapes of order answers.</summary>
public static class OrderAnswers
{
    /// <summary>An order as the API shows it (every instant in China time, +08:00, as the other capabilities answer).</summary>
    public static object View(Order o) => new
    {
        orderId = o.OrderId,
        status = OrderWire.Name(o.Status),
        path = o.Path,
        dispatchDeadline = Instant(o.DispatchDeadline),
        sellerId = o.SellerId,
        hub = o.Hub,
        channel = o.Channel,
        createdAt = Instant(o.CreatedAt),
        receivedAt = Instant(o.ReceivedAt),
        premium = o.Premium,
        items = o.Items.Select(i => new { sku = i.Sku, quantity = i.Quantity, hsCode = i.HsCode }),
        instructionId = o.InstructionId,
        instructedAt = o.InstructedAt is { } at ? Instant(at) : null,
        convertedAt = o.ConvertedAt is { } c ? Instant(c) : null,
    };

    /// <summary>The answer to an intake that stored the order or found it stored before with the same body: 202 with the order as stored at intake.</summary>
    public static HubJsonResult Submitted(Order o) => HubResults.Accepted(View(o));

    /// <summary>The answer to an instruction accepted now or before: 201 with the order as instructed.</summary>
    public static HubJsonResult Instructed(Order o) => HubResults.Created(View(o));

    /// <summary>The answer to an instruction that was not accepted (<see cref="InstructionOutcomeKind.Refused"/>): 409 with the rule's code and the order's status.</summary>
    public static ProblemResult Refused(InstructionOutcome outcome) => new(Problems.Conflict(outcome.Code!, outcome.Message!) with
    {
        Extensions = new() { ["currentStatus"] = OrderWire.Name(outcome.Order.Status), ["path"] = outcome.Order.Path },
    });

    /// <summary>A recorded stage event.</summary>
    public static object StageEvent(RecordedStageEvent e) => new
    {
        orderId = e.OrderId,
        stage = e.Stage,
        at = Instant(e.At),
        items = e.Items.Select(i => new { sku = i.Sku, hsCode = i.HsCode }),
        recordedAt = Instant(e.RecordedAt),
        recordedBy = e.RecordedBy,
    };

    /// <summary>The diagnosis (API.md): findings in DIA-1's order, the DIA-2 stages with those over their norm marked, and the stage events it read.</summary>
    public static object Diagnosis(Order o, OrderDiagnosisResult result, IReadOnlyList<RecordedStageEvent> events) => new
    {
        orderId = o.OrderId,
        status = OrderWire.Name(o.Status),
        path = o.Path,
        findings = result.Findings.Select(f => new { code = f.Code, evidence = f.Evidence, fix = f.Fix }),
        stages = result.Stages.Select(s => new { stage = s.Stage, startedAt = Instant(s.StartedAt), minutes = s.Minutes, overNorm = s.OverNorm, running = s.Running }),
        events = events.Select(e => new { stage = e.Stage, at = Instant(e.At) }),
    };

    /// <summary>DSP-5 counters of one seller and month; <c>onTimeRate</c> = on-time instructions ÷ decided orders (4 decimals), null while none is decided.</summary>
    public static object Metrics(SellerMonthlyMetrics m) => new
    {
        sellerId = m.SellerId,
        month = m.Month.ToString(),
        orders = m.Orders,
        onTimeInstructions = m.OnTimeInstructions,
        conversions = m.Conversions,
        onTimeRate = m.OnTimeRate is { } rate ? decimal.Round(rate, 4, MidpointRounding.AwayFromZero) : (decimal?)null,
        premiumPoolOrders = m.PremiumPoolOrders,
    };

    public static ProblemResult NotFound(string orderId) => new(Problems.NotFound($"There is no order '{orderId}' for this caller."));

    private static string Instant(DateTimeOffset at) => ChinaTime.ToChina(at).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
