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
        items = o.Items.Select(i => new { sku = i.Sku, quantity = i.Quantity }),
        instructionId = o.InstructionId,
        instructedAt = o.InstructedAt is { } at ? Instant(at) : null,
        convertedAt = o.ConvertedAt is { } c ? Instant(c) : null,
    };

    /// <summary>The answer to an instruction that was not accepted (<see cref="InstructionOutcomeKind.Refused"/>): 409 with the rule's code and the order's status.</summary>
    public static ProblemResult Refused(InstructionOutcome outcome) => new(Problems.Conflict(outcome.Code!, outcome.Message!) with
    {
        Extensions = new() { ["currentStatus"] = OrderWire.Name(outcome.Order.Status), ["path"] = outcome.Order.Path },
    });

    public static ProblemResult NotFound(string orderId) => new(Problems.NotFound($"There is no order '{orderId}' for this caller."));

    private static string Instant(DateTimeOffset at) => ChinaTime.ToChina(at).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);
}
