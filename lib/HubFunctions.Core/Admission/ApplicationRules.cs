using System.Globalization;
using HubFunctions.Core.Common;
using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Admission;

/// <summary>
/// A business rule an application does not meet: the rule id as <see cref="Code"/> (e.g.
/// <c>ADM-4</c>) and a sentence for the applicant. Recorded as the reason of a failed pre-review or a
/// rejection.
/// </summary>
public sealed record ReviewReason(string Code, string Message);

/// <summary>
/// Intake validation and the category rules of an application (ADM-1..4, ADM-11).
/// <para>
/// <b>Where each problem goes</b> (DOMAIN.md is silent; chosen here):
/// <list type="bullet">
/// <item><see cref="Validate"/> returns <b>field errors</b> (422 at intake, nothing stored) for what makes
/// the body unusable: a missing or malformed field, an unknown category or hub, an invalid USCC, a
/// field the category needs that is absent (manufacturer: <c>annualExportCny</c>; brand-trader:
/// <c>ownBrand</c> and <c>brandAuthorizationCertified</c>; wms-provider: <c>cainiaoWms</c> and
/// <c>monthlyFulfilmentRates</c>), a negative export value or one with more than 2 decimal places, a
/// month not <c>YYYY-MM</c>, a month after the current month, the same month twice, a rate outside 0..1.
/// Optional fields that are present are checked whatever the category.</item>
/// <item><see cref="CheckCategory"/> returns <b>pre-review failures</b> (the application is accepted,
/// stage 1 fails with these reasons, ADM-5) for the business thresholds: export value below
/// 5,000,000.00 CNY (ADM-2); not own brand, or not Brand Authorization certified (ADM-3: both are
/// required, each missing one is a reason); not on Cainiao WMS, a month of the last six missing, or a
/// month below 98.5 % (ADM-4).</item>
/// </list>
/// </para>
/// </summary>
public static class ApplicationRules
{
    /// <summary>ADM-2: minimum annual export value, CNY, inclusive.</summary>
    public const decimal MinimumAnnualExportCny = 5_000_000.00m;

    /// <summary>ADM-4: minimum fulfilment-compliance rate of each month, inclusive (98.5 %).</summary>
    public const decimal MinimumFulfilmentRate = 0.985m;

    /// <summary>ADM-4: how many consecutive complete calendar months are judged.</summary>
    public const int FulfilmentMonths = 6;

    /// <summary>Longest accepted <c>storeName</c>, in UTF-16 code units.</summary>
    public const int MaxStoreNameLength = 100;

    /// <summary>Longest accepted <c>entityName</c>, in UTF-16 code units.</summary>
    public const int MaxEntityNameLength = 200;

    /// <summary>Error code: a required field is missing.</summary>
    public const string Required = "required";

    /// <summary>Error code: a text field is empty or only whitespace.</summary>
    public const string Blank = "blank";

    /// <summary>Error code: a text field is longer than allowed.</summary>
    public const string TooLong = "too-long";

    /// <summary>Error code: a text field contains control characters.</summary>
    public const string ControlCharacters = "control-characters";

    /// <summary>Error code: the category is not one of ADM-1's three.</summary>
    public const string UnknownCategory = "unknown-category";

    /// <summary>Error code: the hub is not one of the four (H-1).</summary>
    public const string UnknownHub = "unknown-hub";

    /// <summary>Error code: a negative amount.</summary>
    public const string NegativeAmount = "negative-amount";

    /// <summary>Error code: an amount with more than 2 decimal places (CNY has fen).</summary>
    public const string AmountPrecision = "amount-precision";

    /// <summary>Error code: a month that is not <c>YYYY-MM</c>.</summary>
    public const string InvalidMonth = "invalid-month";

    /// <summary>Error code: a month after the current month (Asia/Shanghai).</summary>
    public const string FutureMonth = "future-month";

    /// <summary>Error code: the same month listed twice.</summary>
    public const string DuplicateMonth = "duplicate-month";

    /// <summary>Error code: a rate outside 0..1.</summary>
    public const string RateOutOfRange = "rate-out-of-range";

    /// <summary>
    /// Every field error of <paramref name="submission"/>, all at once (empty when it may be accepted).
    /// </summary>
    /// <param name="submission">The body as sent.</param>
    /// <param name="today">Today's date in Asia/Shanghai (<see cref="Calendar.ChinaTime.Today"/>).</param>
    public static IReadOnlyList<FieldError> Validate(ApplicationSubmission submission, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var errors = new List<FieldError>();

        if (submission.SellerId is null)
        {
            errors.Add(Missing("sellerId"));
        }
        else
        {
            Ids.RequireKey("sellerId", submission.SellerId, errors);
        }

        RequireText("storeName", submission.StoreName, MaxStoreNameLength, errors);
        RequireText("entityName", submission.EntityName, MaxEntityNameLength, errors);

        if (submission.Category is null)
        {
            errors.Add(Missing("category"));
        }
        else if (!SellerCategories.Exists(submission.Category))
        {
            errors.Add(new FieldError("category", UnknownCategory,
                $"category must be one of {string.Join(", ", SellerCategories.All)} (ADM-1)."));
        }

        errors.AddRange(UnifiedSocialCreditCode.Validate(submission.UnifiedSocialCreditCode, UnifiedSocialCreditCode.Field, out _));

        if (submission.Hub is null)
        {
            errors.Add(Missing("hub"));
        }
        else if (!Hubs.Hubs.Exists(submission.Hub))
        {
            errors.Add(new FieldError("hub", UnknownHub,
                $"hub must be one of {string.Join(", ", Hubs.Hubs.All.Select(h => h.Id))}."));
        }

        // Fields the category needs (ADM-2..4): missing ones are field errors.
        switch (submission.Category)
        {
            case SellerCategories.Manufacturer:
                RequirePresent("annualExportCny", submission.AnnualExportCny is not null, "manufacturer (ADM-2)", errors);
                break;
            case SellerCategories.BrandTrader:
                RequirePresent("ownBrand", submission.OwnBrand is not null, "brand-trader (ADM-3)", errors);
                RequirePresent("brandAuthorizationCertified", submission.BrandAuthorizationCertified is not null, "brand-trader (ADM-3)", errors);
                break;
            case SellerCategories.WmsProvider:
                RequirePresent("cainiaoWms", submission.CainiaoWms is not null, "wms-provider (ADM-4)", errors);
                RequirePresent("monthlyFulfilmentRates", submission.MonthlyFulfilmentRates is not null, "wms-provider (ADM-4)", errors);
                break;
        }

        if (submission.AnnualExportCny is { } export)
        {
            if (export < 0m)
            {
                errors.Add(new FieldError("annualExportCny", NegativeAmount, "annualExportCny must not be negative."));
            }
            else if (decimal.Round(export, 2) != export)
            {
                errors.Add(new FieldError("annualExportCny", AmountPrecision, "annualExportCny has at most 2 decimal places (CNY)."));
            }
        }

        if (submission.MonthlyFulfilmentRates is { } rates)
        {
            ValidateRates(rates, CalendarMonth.Of(today), errors);
        }

        return errors;
    }

    private static void ValidateRates(IReadOnlyList<MonthlyFulfilmentRate?> rates, CalendarMonth current, List<FieldError> errors)
    {
        var seen = new HashSet<CalendarMonth>();
        for (var i = 0; i < rates.Count; i++)
        {
            var prefix = $"monthlyFulfilmentRates[{i}]";
            if (rates[i] is not { } entry)
            {
                errors.Add(Missing(prefix));
                continue;
            }

            if (entry.Month is null)
            {
                errors.Add(Missing($"{prefix}.month"));
            }
            else if (!CalendarMonth.TryParse(entry.Month, out var month))
            {
                errors.Add(new FieldError($"{prefix}.month", InvalidMonth, $"{prefix}.month must be a month YYYY-MM; got '{entry.Month}'."));
            }
            else if (month > current)
            {
                errors.Add(new FieldError($"{prefix}.month", FutureMonth, $"{prefix}.month {month} is after the current month {current} (Asia/Shanghai)."));
            }
            else if (!seen.Add(month))
            {
                errors.Add(new FieldError($"{prefix}.month", DuplicateMonth, $"{prefix}.month {month} is listed more than once."));
            }

            if (entry.Rate is null)
            {
                errors.Add(Missing($"{prefix}.rate"));
            }
            else if (entry.Rate is < 0m or > 1m)
            {
                errors.Add(new FieldError($"{prefix}.rate", RateOutOfRange, $"{prefix}.rate is a fraction from 0 to 1 (0.985 = 98.5%); got {entry.Rate}."));
            }
        }
    }

    /// <summary>
    /// The category's business thresholds (ADM-2..4), judged exactly in <see cref="decimal"/>.
    /// Empty when the category rules pass. Call only on a submission <see cref="Validate"/> accepted;
    /// anything it would refuse (a missing value, a malformed month) counts here as not meeting the rule.
    /// <para>
    /// ADM-4's "last 6 consecutive calendar months" are the six complete months before the month of
    /// <paramref name="today"/> (Asia/Shanghai): submitted on 2026-11-28, they are 2026-05..2026-10.
    /// Every one of them must be listed with a rate ≥ 0.985. Rates of older months and of the current
    /// (incomplete) month are ignored: they neither help nor hurt.
    /// </para>
    /// </summary>
    public static IReadOnlyList<ReviewReason> CheckCategory(ApplicationSubmission submission, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var reasons = new List<ReviewReason>();
        switch (submission.Category)
        {
            case SellerCategories.Manufacturer:
                if (submission.AnnualExportCny is not { } export || export < MinimumAnnualExportCny)
                {
                    reasons.Add(new ReviewReason("ADM-2",
                        $"Annual export value {submission.AnnualExportCny?.ToString("N2", CultureInfo.InvariantCulture) ?? "(none)"} CNY is below {MinimumAnnualExportCny.ToString("N2", CultureInfo.InvariantCulture)} CNY."));
                }

                break;
            case SellerCategories.BrandTrader:
                if (submission.OwnBrand is not true)
                {
                    reasons.Add(new ReviewReason("ADM-3", "A brand trader must own its brand."));
                }

                if (submission.BrandAuthorizationCertified is not true)
                {
                    reasons.Add(new ReviewReason("ADM-3", "A brand trader must hold AliExpress Brand Authorization certification."));
                }

                break;
            case SellerCategories.WmsProvider:
                CheckWmsProvider(submission, today, reasons);
                break;
            default:
                reasons.Add(new ReviewReason("ADM-1", $"Category '{submission.Category}' may not apply."));
                break;
        }

        return reasons;
    }

    /// <summary>The six months ADM-4 judges for a submission on <paramref name="today"/>, oldest first.</summary>
    public static IReadOnlyList<CalendarMonth> FulfilmentWindow(DateOnly today)
    {
        var current = CalendarMonth.Of(today);
        return [.. Enumerable.Range(1, FulfilmentMonths).Select(back => current.AddMonths(-back)).Reverse()];
    }

    private static void CheckWmsProvider(ApplicationSubmission submission, DateOnly today, List<ReviewReason> reasons)
    {
        if (submission.CainiaoWms is not true)
        {
            reasons.Add(new ReviewReason("ADM-4", "A WMS provider must already be connected to Cainiao WMS."));
        }

        var byMonth = new Dictionary<CalendarMonth, decimal>();
        foreach (var entry in submission.MonthlyFulfilmentRates ?? [])
        {
            if (entry is { Rate: { } rate } && CalendarMonth.TryParse(entry.Month, out var month))
            {
                // Validate refuses duplicates; should one get here, the worst rate counts.
                byMonth[month] = byMonth.TryGetValue(month, out var other) ? Math.Min(other, rate) : rate;
            }
        }

        var window = FulfilmentWindow(today);
        var missing = window.Where(m => !byMonth.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            reasons.Add(new ReviewReason("ADM-4",
                $"The fulfilment rate of each of the last {FulfilmentMonths} consecutive calendar months ({window[0]}..{window[^1]}) is required; missing: {string.Join(", ", missing)}."));
        }

        foreach (var month in window)
        {
            if (byMonth.TryGetValue(month, out var rate) && rate < MinimumFulfilmentRate)
            {
                reasons.Add(new ReviewReason("ADM-4", $"The fulfilment rate of {month} is {rate}, below {MinimumFulfilmentRate}."));
            }
        }
    }

    private static FieldError Missing(string field) => new(field, Required, $"{field} is required.");

    private static void RequirePresent(string field, bool present, string why, List<FieldError> errors)
    {
        if (!present)
        {
            errors.Add(new FieldError(field, Required, $"{field} is required for a {why}."));
        }
    }

    private static void RequireText(string field, string? value, int maxLength, List<FieldError> errors)
    {
        if (value is null)
        {
            errors.Add(Missing(field));
        }
        else if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(field, Blank, $"{field} must not be blank."));
        }
        else if (value.Length > maxLength)
        {
            errors.Add(new FieldError(field, TooLong, $"{field} is at most {maxLength} characters; got {value.Length}."));
        }
        else if (value.Any(char.IsControl))
        {
            errors.Add(new FieldError(field, ControlCharacters, $"{field} must not contain control characters."));
        }
    }
}
