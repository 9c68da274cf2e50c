using System.Globalization;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Orders;

/// <summary>One line of a stage event as sent: a SKU and the HS code the hub's WMS holds for it (LBL-5), raw.</summary>
public sealed record StageItemRequest(string? Sku, string? HsCode);

/// <summary>
/// A stage event as a hub operator sends it (API.md <c>POST /api/orders/{orderId}/events</c>): raw values, null when
/// missing. <c>items</c> is <b>added here</b>: the HS codes the WMS holds for the order's SKUs (the "HS code entered in
/// the WMS" of LBL-5), usually sent with <c>received</c>.
/// </summary>
public sealed record StageEventRequest(string? Stage, string? At, IReadOnlyList<StageItemRequest?>? Items = null);

/// <summary>A SKU's HS code as the hub's WMS holds it.</summary>
public sealed record WmsHsCode(string Sku, string HsCode);

/// <summary>
/// A stage event as stored in the order's timeline. Its identity is (<see cref="Stage"/>, <see cref="At"/> as an
/// instant): the same stage at the same instant sent again is the same event (one record; the first one's items and
/// recorder stand).
/// </summary>
public sealed record RecordedStageEvent(string OrderId, string Stage, DateTimeOffset At, IReadOnlyList<WmsHsCode> Items, DateTimeOffset RecordedAt, string RecordedBy)
{
    /// <summary>The event as the diagnosis reads it.</summary>
    public StageEvent ToStageEvent() => new(Stage, At);
}

/// <summary>Where the stage events of orders are kept (one timeline per order).</summary>
public interface IOrderTimeline
{
    /// <summary>Stores <paramref name="stageEvent"/> unless the same event (stage and instant) is stored; returns the stored one and whether this call stored it.</summary>
    Task<(RecordedStageEvent Event, bool Created)> AddAsync(RecordedStageEvent stageEvent, CancellationToken cancellationToken);

    /// <summary>The order's stage events, oldest first.</summary>
    Task<IReadOnlyList<RecordedStageEvent>> ListAsync(string orderId, CancellationToken cancellationToken);
}

/// <summary>The field rules of a stage event, every error at once.</summary>
public static class StageEventRules
{
    /// <summary>A stage that is not one of <see cref="Accepted"/>.</summary>
    public const string UnknownStage = "unknown-stage";

    /// <summary>An <c>at</c> later than now plus the allowed clock skew.</summary>
    public const string InFuture = "in-future";

    /// <summary>An HS code field that cannot be an entry of a WMS at all (empty, too long, control characters).</summary>
    public const string InvalidHsCode = "invalid-hs-code";

    /// <summary>At most this many item lines per event (<b>decided here</b>, as many as an order may have).</summary>
    public const int MaxItems = OrderSubmission.MaxItems;

    /// <summary>Longest HS code text kept (a valid one has at most 10 digits; longer text is refused, shorter invalid text is kept and flagged by the diagnosis).</summary>
    public const int MaxHsCodeLength = 32;

    /// <summary>
    /// The stages a hub operator posts (<b>decided here</b>): the hub's own milestones <c>received</c>, <c>picked</c>,
    /// <c>packed</c>, <c>handed-over</c> (DIA-2; <c>created</c> and <c>instructed</c> come from the order itself), and the
    /// carrier's tracking statuses of the inbound stock, <c>in-transit</c> and <c>delivered-to-hub</c> (DIA-1 cause 2).
    /// </summary>
    public static readonly IReadOnlyList<string> Accepted =
        [OrderStages.Received, OrderStages.Picked, OrderStages.Packed, OrderStages.HandedOver, OrderStages.InTransit, OrderStages.DeliveredToHub];

    /// <summary>
    /// Checks a stage event received at <paramref name="now"/>: <c>stage</c> one of <see cref="Accepted"/> (exact, lower case);
    /// <c>at</c> an RFC 3339 date-time with offset, not later than now + <see cref="OrderSubmission.AllowedClockSkew"/>
    /// (the same rule as an order's <c>createdAt</c>); <c>items</c> optional, each with a SKU and an HS code text. An
    /// event before the order's creation is accepted (inbound stock may reach the hub before the order exists).
    /// </summary>
    public static (StageEvent? Event, IReadOnlyList<WmsHsCode> Items, IReadOnlyList<FieldError> Errors) Check(StageEventRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(request.Stage))
        {
            errors.Add(new FieldError("stage", OrderCodes.Required, $"stage is required: one of {string.Join(", ", Accepted)}."));
        }
        else if (!Accepted.Contains(request.Stage, StringComparer.Ordinal))
        {
            errors.Add(new FieldError("stage", UnknownStage, $"stage must be one of {string.Join(", ", Accepted)}."));
        }

        var at = OrderSubmission.CheckInstant("at", request.At, now, InFuture, errors);
        var items = new List<WmsHsCode>();
        if (request.Items is { Count: > MaxItems })
        {
            errors.Add(new FieldError("items", OrderCodes.InvalidItems, $"items has at most {MaxItems} lines."));
        }
        else if (request.Items is not null)
        {
            for (var i = 0; i < request.Items.Count; i++)
            {
                var sku = request.Items[i]?.Sku?.Trim();
                var hs = request.Items[i]?.HsCode?.Trim();
                var skuOk = OrderSubmission.CheckSku($"items[{i}].sku", sku, errors);
                var hsOk = CheckHsCodeText($"items[{i}].hsCode", hs, required: true, errors);
                if (skuOk && hsOk)
                {
                    items.Add(new WmsHsCode(sku!, hs!));
                }
            }
        }

        return errors.Count > 0 ? (null, [], errors) : (new StageEvent(request.Stage!, at!.Value), items, []);
    }

    /// <summary>
    /// An HS code as text (LBL-5 <b>flags</b> a wrong code, so a code that is not 6-10 digits is kept for the diagnosis to
    /// flag): refused only when missing (if required), longer than <see cref="MaxHsCodeLength"/> or holding control or
    /// invisible characters.
    /// </summary>
    public static bool CheckHsCodeText(string field, string? code, bool required, ICollection<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(code))
        {
            if (required)
            {
                errors.Add(new FieldError(field, OrderCodes.Required, "hsCode is required."));
            }

            return false;
        }

        if (code.Length > MaxHsCodeLength || code.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format))
        {
            errors.Add(new FieldError(field, InvalidHsCode, $"hsCode is 1-{MaxHsCodeLength} characters without control or invisible characters (a valid HS code has 6-10 digits, LBL-5)."));
            return false;
        }

        return true;
    }

    /// <summary>
    /// LBL-5 for the diagnosis: each order line with a declared HS code and a WMS HS code (the latest stage event, by
    /// <c>at</c>, that carries the line's SKU). A line missing either code is not compared: there is nothing to flag yet.
    /// </summary>
    public static IReadOnlyList<ItemHsCodes> HsCodesOf(Order order, IReadOnlyList<RecordedStageEvent> events)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(events);
        var wms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in events.OrderBy(e => e.At).ThenBy(e => e.RecordedAt))
        {
            foreach (var item in e.Items)
            {
                wms[item.Sku] = item.HsCode;
            }
        }

        return order.Items
            .Where(i => i.HsCode is not null && wms.ContainsKey(i.Sku))
            .Select(i => new ItemHsCodes(i.Sku, wms[i.Sku], i.HsCode))
            .ToList();
    }
}
