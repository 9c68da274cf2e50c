using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Orders;

/// <summary>One line of an order as the request gives it: raw values, null when missing. <c>hsCode</c> (the goods' declared HS code, LBL-5) is <b>added here</b>, optional.</summary>
public sealed record OrderItemRequest(string? Sku, decimal? Quantity, string? HsCode = null);

/// <summary>
/// An order as the platform sends it (API.md <c>POST /api/orders</c>): raw values, null when missing.
/// <c>packaging</c> and <c>afterSales</c> are <b>added here</b> for BIL-10: absent or <c>standard</c> is
/// supported; anything else (e.g. <c>non-standard</c>, <c>customised</c>, <c>engraving</c>) is refused with BIL-10.
/// </summary>
public sealed record OrderRequest(
    string? OrderId,
    string? SellerId,
    string? Channel,
    string? CreatedAt,
    string? Hub,
    IReadOnlyList<OrderItemRequest?>? Items,
    bool? Premium = null,
    string? Packaging = null,
    string? AfterSales = null);

/// <summary>A validated order line; <paramref name="HsCode"/> is the goods' declared HS code when the platform sent one (LBL-5, compared by the diagnosis).</summary>
public sealed record OrderItem(string Sku, int Quantity, string? HsCode = null);

/// <summary>An order whose every field passed: normalised values, ready to become an <see cref="Order"/>.</summary>
public sealed record ValidOrder(string OrderId, string SellerId, string Channel, DateTimeOffset CreatedAt, string Hub, IReadOnlyList<OrderItem> Items, bool Premium)
{
    /// <summary>DSP-2: creation + 2 hours exactly.</summary>
    public DateTimeOffset DispatchDeadline => OrderRules.DispatchDeadline(CreatedAt);

    /// <summary>
    /// A stable fingerprint of the order's content (SHA-256, hex) for the intake's idempotency: a repeat
    /// of an <c>orderId</c> with the same fingerprint is the same order (answered as before), a different
    /// one is a 409 <see cref="OrderCodes.DifferentBody"/>. <c>createdAt</c> counts as an instant (the same
    /// instant written with another offset is the same order); items in the order sent.
    /// </summary>
    public string Fingerprint()
    {
        var text = new StringBuilder()
            .Append(OrderId).Append('\n').Append(SellerId).Append('\n').Append(Channel).Append('\n')
            .Append(CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n').Append(Hub).Append('\n')
            .Append(Premium ? '1' : '0');
        foreach (var item in Items)
        {
            text.Append('\n').Append(item.Sku).Append('\t').Append(item.Quantity.ToString(CultureInfo.InvariantCulture));
            if (item.HsCode is not null)
            {
                // Only when sent, so the fingerprints of orders without HS codes stay as they were.
                text.Append('\t').Append(item.HsCode);
            }
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The new <c>open</c> order. If it is already due at intake (<see cref="Order.IsConversionDue"/>), the intake converts it in the same commit.</summary>
    public Order ToOrder(DateTimeOffset receivedAt)
        => new(OrderId, SellerId, Hub, Channel, CreatedAt, Items, Premium, receivedAt, OrderStatus.Open, null, null, null);
}

/// <summary>The outcome of <see cref="OrderSubmission.Check"/>: the valid order, or every error (the first one is the answer's <c>code</c>).</summary>
public sealed record OrderCheck(ValidOrder? Order, IReadOnlyList<FieldError> Errors)
{
    /// <summary>True when the order may be stored.</summary>
    public bool Accepted => Order is not null;

    /// <summary>The first error's code, or null.</summary>
    public string? Code => Errors.Count == 0 ? null : Errors[0].Code;
}

/// <summary>
/// All field rules of a new order, in one place, every error at once. Order of errors: DSP-1 and BIL-10
/// first (the platform hears the rule that forbids the order, not a detail), then <c>orderId</c>,
/// <c>sellerId</c>, <c>createdAt</c>, <c>hub</c>, <c>items</c>. Not here: SEC-2 (unknown seller 404,
/// another seller 403, decided against the seller store) and the intake's idempotency.
/// </summary>
public static partial class OrderSubmission
{
    /// <summary>DSP-1: the only channel allowed (compared ignoring ASCII case, stored in this form).</summary>
    public const string AliExpress = "aliexpress";

    /// <summary>The only supported value of <c>packaging</c> and <c>afterSales</c> (BIL-10).</summary>
    public const string Standard = "standard";

    /// <summary><b>Decided here</b>: a <c>createdAt</c> up to 5 minutes ahead of our clock is accepted (the platform's clock may run ahead).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary><b>Decided here</b>: at most 500 lines per order.</summary>
    public const int MaxItems = 500;

    /// <summary><b>Decided here</b>: at most 1,000,000 units per line.</summary>
    public const int MaxQuantity = 1_000_000;

    /// <summary>Longest SKU accepted.</summary>
    public const int MaxSkuLength = 64;

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,7})?(?<off>[Zz]|[+-][0-9]{2}:[0-9]{2})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    /// <summary>Checks an order received at <paramref name="now"/>.</summary>
    public static OrderCheck Check(OrderRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var channel = request.Channel?.Trim();
        if (string.IsNullOrEmpty(channel))
        {
            errors.Add(new FieldError("channel", Required, "channel is required; only 'aliexpress' orders may use the hub (DSP-1)."));
        }
        else if (!string.Equals(channel, AliExpress, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError("channel", OrderCodes.NotAliExpress, "Only AliExpress-channel orders may use the hub; this order's channel is not 'aliexpress' (DSP-1, BIL-10)."));
        }

        CheckSupported("packaging", request.Packaging, "non-standard packaging", errors);
        CheckSupported("afterSales", request.AfterSales, "customised after-sales (such as engraving)", errors);
        Ids.RequireKey("orderId", request.OrderId, errors);
        Ids.RequireKey("sellerId", request.SellerId, errors);
        var createdAt = CheckCreatedAt(request.CreatedAt, now, errors);
        if (string.IsNullOrEmpty(request.Hub))
        {
            errors.Add(new FieldError("hub", Required, "hub is required."));
        }
        else if (!Hubs.Hubs.Exists(request.Hub))
        {
            errors.Add(new FieldError("hub", OrderCodes.UnknownHub, "hub is not a hub of the network."));
        }

        var items = CheckItems(request.Items, errors);
        return errors.Count > 0
            ? new OrderCheck(null, errors)
            : new OrderCheck(new ValidOrder(request.OrderId!, request.SellerId!, AliExpress, createdAt!.Value, request.Hub!, items, request.Premium ?? false), []);
    }

    private const string Required = OrderCodes.Required;

    private static void CheckSupported(string field, string? value, string what, List<FieldError> errors)
    {
        if (value is not null && !string.Equals(value.Trim(), Standard, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError(field, OrderCodes.NotSupportedByHub, $"Hub fulfilment does not support {what} (BIL-10); only '{Standard}' is accepted."));
        }
    }

    /// <summary>
    /// <c>createdAt</c>: an RFC 3339 date-time with an explicit offset (<c>Z</c> or ±hh:mm, not <c>-00:00</c>),
    /// not later than <paramref name="now"/> + <see cref="AllowedClockSkew"/>. An old order is accepted: it is
    /// converted at intake if its deadline has passed.
    /// </summary>
    public static DateTimeOffset? CheckCreatedAt(string? raw, DateTimeOffset now, ICollection<FieldError> errors)
        => CheckInstant("createdAt", raw, now, OrderCodes.CreatedInFuture, errors);

    /// <summary>
    /// An instant field (<paramref name="field"/>): an RFC 3339 date-time with an explicit offset (<c>Z</c> or ±hh:mm, not
    /// <c>-00:00</c>), not later than <paramref name="now"/> + <see cref="AllowedClockSkew"/> (else <paramref name="futureCode"/>).
    /// </summary>
    public static DateTimeOffset? CheckInstant(string field, string? raw, DateTimeOffset now, string futureCode, ICollection<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(raw))
        {
            errors.Add(new FieldError(field, Required, $"{field} is required: an RFC 3339 date-time with offset, e.g. 2026-12-01T10:00:00+08:00."));
            return null;
        }

        var match = raw.Length <= 40 ? Rfc3339().Match(raw) : Match.Empty;
        if (match.Success && (!match.Groups["off"].Success || match.Groups["off"].Value == "-00:00"))
        {
            errors.Add(new FieldError(field, OrderCodes.OffsetRequired, $"{field} must carry an explicit offset, e.g. 2026-12-01T10:00:00+08:00 or ...Z."));
            return null;
        }

        if (!match.Success || !DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.None, out var createdAt))
        {
            errors.Add(new FieldError(field, OrderCodes.InvalidDateTime, $"{field} must be an RFC 3339 date-time with offset, e.g. 2026-12-01T10:00:00+08:00."));
            return null;
        }

        if (createdAt > now + AllowedClockSkew)
        {
            errors.Add(new FieldError(field, futureCode, $"{field} is in the future (more than {AllowedClockSkew.TotalMinutes:0} minutes ahead of the hub's clock)."));
            return null;
        }

        return createdAt;
    }

    /// <summary>A SKU (trimmed): required, at most <see cref="MaxSkuLength"/> characters, no control or invisible formatting characters.</summary>
    public static bool CheckSku(string field, string? sku, ICollection<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrEmpty(sku))
        {
            errors.Add(new FieldError(field, Required, "sku is required."));
            return false;
        }

        if (sku.Length > MaxSkuLength || sku.Any(c => char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format))
        {
            errors.Add(new FieldError(field, OrderCodes.InvalidSku, $"sku is 1-{MaxSkuLength} characters without control or invisible formatting characters."));
            return false;
        }

        return true;
    }

    private static List<OrderItem> CheckItems(IReadOnlyList<OrderItemRequest?>? items, List<FieldError> errors)
    {
        var valid = new List<OrderItem>();
        if (items is null || items.Count == 0)
        {
            errors.Add(new FieldError("items", items is null ? Required : OrderCodes.InvalidItems, "items must list at least one line."));
            return valid;
        }

        if (items.Count > MaxItems)
        {
            errors.Add(new FieldError("items", OrderCodes.InvalidItems, $"items has at most {MaxItems} lines."));
            return valid;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var sku = item?.Sku?.Trim();
            CheckSku($"items[{i}].sku", sku, errors);
            var hsCode = item?.HsCode?.Trim();
            var hsCodeOk = item?.HsCode is null || StageEventRules.CheckHsCodeText($"items[{i}].hsCode", hsCode, required: true, errors);

            var quantity = item?.Quantity;
            if (quantity is null)
            {
                errors.Add(new FieldError($"items[{i}].quantity", Required, "quantity is required."));
            }
            else if (quantity <= 0 || quantity > MaxQuantity || decimal.Truncate(quantity.Value) != quantity)
            {
                errors.Add(new FieldError($"items[{i}].quantity", OrderCodes.InvalidQuantity, $"quantity is a whole number from 1 to {MaxQuantity}."));
            }
            else if (!string.IsNullOrEmpty(sku) && hsCodeOk)
            {
                valid.Add(new OrderItem(sku, (int)quantity.Value, hsCode));
            }
        }

        return valid;
    }
}
