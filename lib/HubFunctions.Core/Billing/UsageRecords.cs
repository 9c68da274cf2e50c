using System.Globalization;
using System.Text.RegularExpressions;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>
/// One usage record as the request gives it (API.md <c>POST /api/hubs/{hub}/usage</c>). <see cref="Quantity"/>
/// is the raw text of the JSON value (a JSON number's text; anything else, such as <c>"NaN"</c>, is refused),
/// so no floating-point reader ever touches it.
/// </summary>
public sealed record UsageRecordInput(string? UsageId, string? SellerId, string? Kind, string? Quantity, string? OccurredAt);

/// <summary>A usage record that passed every check.</summary>
/// <param name="Quantity">As sent (exact decimal, &gt; 0); rounded up to whole units only when billed (BIL-2).</param>
public sealed record UsageRecord(string UsageId, string SellerId, string Hub, string Kind, decimal Quantity, DateTimeOffset OccurredAt)
{
    /// <summary>The Asia/Shanghai date the usage falls on: it decides the period and the rate in force.</summary>
    public DateOnly Date => ChinaTime.DateOf(OccurredAt);
}

/// <summary>Checks of usage records: every field error of every record at once; a refused request stores nothing.</summary>
public static partial class UsageRecords
{
    /// <summary>Most records in one request (decided here).</summary>
    public const int MaxRecordsPerRequest = 500;

    /// <summary>Largest quantity in one record (decided here: a sanity bound, far above any real pallet or shift).</summary>
    public const decimal MaxQuantity = 1_000_000m;

    /// <summary>How far ahead of the server's clock <c>occurredAt</c> may be (decided here: clock skew).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Longest usage id (decided here).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Checks a request's records for <paramref name="hub"/> at <paramref name="now"/>.</summary>
    public static IReadOnlyList<FieldError> Check(string hub, IReadOnlyList<UsageRecordInput>? records, DateTimeOffset now, out IReadOnlyList<UsageRecord> valid)
    {
        valid = [];
        if (records is null || records.Count == 0)
        {
            return [new FieldError("records", BillingCodes.Required, "records must list at least one usage record.")];
        }

        if (records.Count > MaxRecordsPerRequest)
        {
            return [new FieldError("records", BillingCodes.TooManyRecords, $"At most {MaxRecordsPerRequest} records per request.")];
        }

        var errors = new List<FieldError>();
        var result = new List<UsageRecord>(records.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var at = $"records[{i}]";
            var r = records[i];
            var before = errors.Count;
            if (!IsValidId(r.UsageId))
            {
                errors.Add(new FieldError($"{at}.usageId", r.UsageId is null ? BillingCodes.Required : BillingCodes.InvalidUsageId,
                    $"usageId is 1-{MaxIdLength} characters of A-Z a-z 0-9 . _ : -."));
            }
            else if (!seen.Add(r.UsageId!))
            {
                errors.Add(new FieldError($"{at}.usageId", BillingCodes.DuplicateId, "usageId appears twice in this request."));
            }

            CheckSeller(hub, r.SellerId, $"{at}.sellerId", errors);
            var kind = UsageKind.Find(r.Kind);
            if (kind is null)
            {
                errors.Add(new FieldError($"{at}.kind", r.Kind is null ? BillingCodes.Required : BillingCodes.UnknownKind,
                    $"kind must be one of {string.Join(", ", UsageKind.All.Select(k => k.Code))}."));
            }

            var quantityError = CheckQuantity(r.Quantity, $"{at}.quantity", out var quantity);
            if (quantityError is not null)
            {
                errors.Add(quantityError);
            }

            var occurredAt = default(DateTimeOffset);
            if (!AppointmentRules.TryParseEta(r.OccurredAt, out occurredAt, out _))
            {
                errors.Add(new FieldError($"{at}.occurredAt", r.OccurredAt is null ? BillingCodes.Required : BillingCodes.InvalidOccurredAt,
                    "occurredAt must be an RFC 3339 date-time with offset, e.g. 2026-03-01T10:15:00+08:00."));
            }
            else if (occurredAt > now + FutureTolerance)
            {
                errors.Add(new FieldError($"{at}.occurredAt", BillingCodes.OccurredInFuture, "occurredAt is in the future."));
            }

            if (errors.Count == before)
            {
                result.Add(new UsageRecord(r.UsageId!, r.SellerId!, hub, kind!.Code, quantity, occurredAt));
            }
        }

        if (errors.Count == 0)
        {
            valid = result;
        }

        return errors;
    }

    /// <summary>
    /// Parses a quantity from the raw text of a JSON number: plain decimal notation with an optional exponent,
    /// greater than 0 and at most <see cref="MaxQuantity"/>. <c>NaN</c>, <c>Infinity</c>, quoted strings,
    /// negative or zero values and numbers too large for <see cref="decimal"/> are refused.
    /// </summary>
    public static FieldError? CheckQuantity(string? raw, string field, out decimal quantity)
        => CheckNumber(raw, field, MaxQuantity, allowZero: false, out quantity);

    /// <summary>The number check behind quantities, volumes and amounts: a JSON number in (0 or above) .. <paramref name="max"/>.</summary>
    internal static FieldError? CheckNumber(string? raw, string field, decimal max, bool allowZero, out decimal quantity)
    {
        quantity = 0m;
        if (raw is null)
        {
            return new FieldError(field, BillingCodes.Required, "quantity is required.");
        }

        if (raw.Length > 64 || !JsonNumber().IsMatch(raw))
        {
            return new FieldError(field, BillingCodes.InvalidQuantity, "quantity must be a JSON number greater than 0.");
        }

        const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (!decimal.TryParse(raw, Style, CultureInfo.InvariantCulture, out var parsed))
        {
            // A well-formed JSON number that overflows decimal: huge, or hugely negative.
            return raw[0] == '-'
                ? new FieldError(field, BillingCodes.InvalidQuantity, "quantity must be greater than 0.")
                : new FieldError(field, BillingCodes.QuantityTooLarge, $"quantity must be at most {max:0}.");
        }

        if (parsed < 0m || (parsed == 0m && !allowZero))
        {
            return new FieldError(field, BillingCodes.InvalidQuantity, "quantity must be greater than 0.");
        }

        if (parsed > max)
        {
            return new FieldError(field, BillingCodes.QuantityTooLarge, $"quantity must be at most {max:0}.");
        }

        quantity = parsed;
        return null;
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    internal static void CheckSeller(string hub, string? sellerId, string field, List<FieldError> errors)
    {
        if (sellerId is null)
        {
            errors.Add(new FieldError(field, BillingCodes.Required, "sellerId is required."));
        }
        else if (!HubSellerId.TryParse(sellerId, out var sellerHub, out _))
        {
            errors.Add(new FieldError(field, BillingCodes.InvalidSellerId, "sellerId must be a hub seller id such as HGH-000042."));
        }
        else if (sellerHub.Id != hub)
        {
            errors.Add(new FieldError(field, BillingCodes.WrongHub, $"{sellerId} is not a seller of hub {hub}."));
        }
    }

    private static bool IsValidId(string? id)
        => id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}
