using System.Globalization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Orders;

/// <summary>The stage events hub operators post (API.md <c>POST /api/orders/{orderId}/events</c>).</summary>
public static class OrderStages
{
    public const string Created = "created";
    public const string Instructed = "instructed";
    public const string Received = "received";
    public const string Picked = "picked";
    public const string Packed = "packed";
    public const string HandedOver = "handed-over";

    /// <summary>A tracking status: the carrier has the stock on its way to the hub.</summary>
    public const string InTransit = "in-transit";

    /// <summary>A tracking status: the carrier says the stock was delivered to the hub (DIA-1, cause 2).</summary>
    public const string DeliveredToHub = "delivered-to-hub";

    /// <summary>The milestones of the timeline, in process order (DIA-2).</summary>
    public static readonly IReadOnlyList<string> Timeline = [Created, Instructed, Received, Picked, Packed, HandedOver];
}

/// <summary>One stage event of an order: what happened and when.</summary>
public sealed record StageEvent(string Stage, DateTimeOffset At);

/// <summary>An order line's HS codes: as entered in the WMS and as declared (LBL-5).</summary>
public sealed record ItemHsCodes(string Sku, string? WmsHsCode, string? DeclaredHsCode);

/// <summary>One finding of DIA-1: a stable code, the evidence, and the fix.</summary>
public sealed record DiagnosisFinding(string Code, string Evidence, string Fix);

/// <summary>One stage of DIA-2: it began at <paramref name="StartedAt"/>, lasted <paramref name="Minutes"/> (whole minutes, rounded down; still running: up to now), over its norm or not.</summary>
public sealed record StageSpan(string Stage, DateTimeOffset StartedAt, long Minutes, bool OverNorm, bool Running);

/// <summary>The diagnosis of one order (API.md <c>GET /api/orders/{orderId}/diagnosis</c>).</summary>
public sealed record OrderDiagnosisResult(IReadOnlyList<DiagnosisFinding> Findings, IReadOnlyList<StageSpan> Stages);

/// <summary>Configurable parts of the diagnosis.</summary>
public sealed record DiagnosisOptions
{
    /// <summary>
    /// DIA-2 norms per stage, named by the milestone that starts the stage (<b>decided here</b>, configurable):
    /// <c>created</c> 2 h (DSP-2), <c>instructed</c> 24 h (to receipt), <c>received</c> 4 h, <c>picked</c> 2 h,
    /// <c>packed</c> 4 h (to hand-over). A stage without a norm is never marked.
    /// </summary>
    public IReadOnlyDictionary<string, TimeSpan> StageNorms { get; init; } = new Dictionary<string, TimeSpan>(StringComparer.Ordinal)
    {
        [OrderStages.Created] = TimeSpan.FromHours(2),
        [OrderStages.Instructed] = TimeSpan.FromHours(24),
        [OrderStages.Received] = TimeSpan.FromHours(4),
        [OrderStages.Picked] = TimeSpan.FromHours(2),
        [OrderStages.Packed] = TimeSpan.FromHours(4),
    };

    /// <summary>DIA-1 <b>decided here</b>: "delivered to the hub" without a receipt is a finding once this much time has passed (unloading and booking-in take time).</summary>
    public TimeSpan ReceiptGrace { get; init; } = TimeSpan.FromHours(2);
}

/// <summary>
/// DIA-1 and DIA-2, pure: the handler reads the order, its stage events, the items' HS codes (WMS and
/// declared) and the seller, and calls <see cref="Diagnose"/>.
/// </summary>
public static class OrderDiagnosis
{
    /// <summary>DIA-1 cause 1 (LBL-5): the WMS HS code differs from the declared one (or is not a valid HS code).</summary>
    public const string HsCodeMismatch = "hs-code-mismatch";

    /// <summary>DIA-1 cause 2: tracking says delivered to the hub, no receipt.</summary>
    public const string NotReceived = "in-transit-not-received";

    /// <summary>DIA-1 cause 3: qualifications expired, the seller is frozen (CMP-1/CMP-3).</summary>
    public const string QualificationsExpired = "qualifications-expired";

    /// <summary>Findings (most frequent cause first: LBL-5, transit, qualifications) and the stage timeline.</summary>
    public static OrderDiagnosisResult Diagnose(Order order, IReadOnlyList<StageEvent> events, IReadOnlyList<ItemHsCodes> hsCodes, Seller seller, DateTimeOffset now, DiagnosisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(hsCodes);
        ArgumentNullException.ThrowIfNull(seller);
        options ??= new DiagnosisOptions();
        var findings = new List<DiagnosisFinding>();
        foreach (var item in hsCodes)
        {
            var comparison = HsCodes.Compare(item.WmsHsCode, item.DeclaredHsCode);
            if (comparison != HsCodeComparison.Match)
            {
                var why = comparison switch
                {
                    HsCodeComparison.WmsCodeInvalid => "the WMS code is not a valid HS code (6-10 digits)",
                    HsCodeComparison.DeclaredCodeInvalid => "the declared code is not a valid HS code (6-10 digits)",
                    _ => "the codes differ",
                };
                findings.Add(new DiagnosisFinding(HsCodeMismatch,
                    $"SKU '{item.Sku}': HS code in the WMS '{item.WmsHsCode}', declared '{item.DeclaredHsCode}': {why} (LBL-5).",
                    $"Correct the HS code of SKU '{item.Sku}' in the WMS (or the declaration) so both name the same goods."));
            }
        }

        var delivered = events.Where(e => e.Stage == OrderStages.DeliveredToHub).Select(e => (DateTimeOffset?)e.At).Min();
        var received = events.Any(e => e.Stage == OrderStages.Received);
        if (delivered is { } deliveredAt && !received && now - deliveredAt > options.ReceiptGrace)
        {
            findings.Add(new DiagnosisFinding(NotReceived,
                $"Tracking says delivered to the hub at {deliveredAt.ToString("O", CultureInfo.InvariantCulture)}; the hub has no receipt for this order.",
                "Ask the carrier for the proof of delivery and the hub to check its unloading area; book the stock in, or reopen the shipment with the carrier."));
        }

        if (seller.Status == SellerStatus.Frozen)
        {
            var reasons = seller.FreezeReasons.Count == 0 ? "no reason recorded" : string.Join("; ", seller.FreezeReasons.Select(r => r.Text));
            findings.Add(new DiagnosisFinding(QualificationsExpired,
                $"Seller '{seller.SellerId}' is frozen: {reasons} (CMP-3).",
                "Upload the renewed qualification documents for review; the seller is unfrozen once they are approved."));
        }

        return new OrderDiagnosisResult(findings, Timeline(order, events, now, options));
    }

    /// <summary>
    /// DIA-2: the milestones present (creation, instruction, received, picked, packed, handed-over; first
    /// occurrence of each, in process order) each start a stage that lasts until the next present milestone;
    /// the last one runs until <paramref name="now"/> (unless it is the hand-over, which ends the timeline).
    /// A stage is over its norm when its exact duration is strictly longer than the norm.
    /// </summary>
    public static IReadOnlyList<StageSpan> Timeline(Order order, IReadOnlyList<StageEvent> events, DateTimeOffset now, DiagnosisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(events);
        options ??= new DiagnosisOptions();
        var at = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal) { [OrderStages.Created] = order.CreatedAt };
        if (order.InstructedAt is { } instructedAt)
        {
            at[OrderStages.Instructed] = instructedAt;
        }

        foreach (var e in events.Where(e => OrderStages.Timeline.Contains(e.Stage)))
        {
            if (!at.TryGetValue(e.Stage, out var seen) || e.At < seen)
            {
                at[e.Stage] = e.At;
            }
        }

        var milestones = OrderStages.Timeline.Where(at.ContainsKey).Select(s => (Stage: s, At: at[s])).ToList();
        var spans = new List<StageSpan>();
        for (var i = 0; i < milestones.Count; i++)
        {
            var (stage, startedAt) = milestones[i];
            if (stage == OrderStages.HandedOver)
            {
                break;
            }

            var running = i + 1 == milestones.Count;
            var end = running ? now : milestones[i + 1].At;
            var duration = end < startedAt ? TimeSpan.Zero : end - startedAt;
            var over = options.StageNorms.TryGetValue(stage, out var norm) && duration > norm;
            spans.Add(new StageSpan(stage, startedAt, (long)duration.TotalMinutes, over, running));
        }

        return spans;
    }
}
