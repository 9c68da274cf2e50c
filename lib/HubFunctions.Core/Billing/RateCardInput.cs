using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>A rate card as a reviewer's <c>PUT /api/hubs/{hub}/rate-cards</c> gives it; rates are raw JSON number texts.</summary>
public sealed record RateCardInput(string? EffectiveFrom, string? StoragePerCubicMetreMonth, IReadOnlyDictionary<string, string?>? Rates);

/// <summary>Checks of a new rate card (BIL-1, H-1): every field error at once.</summary>
public static class RateCardInputs
{
    /// <summary>Largest rate accepted (decided here: a sanity bound against a misplaced decimal point).</summary>
    public const decimal MaxRate = 10_000m;

    /// <summary>Most decimals of a rate (decided here: rates such as 0.15 need 2; 4 leaves room, amounts are still rounded per line).</summary>
    public const int MaxDecimals = 4;

    public const string InvalidRate = "invalid-rate";

    /// <summary>A new card's <c>effectiveFrom</c> is not the first of a month after the current Asia/Shanghai month (<see cref="Check"/>).</summary>
    public const string EffectiveFromNotFuture = "effective-from-not-future";

    /// <summary>
    /// <c>effectiveFrom</c> YYYY-MM-DD and the first of a month (decided here: a card changing mid-month is
    /// computed correctly, but a reviewer's new card starts a month so no period is billed half by rates the
    /// seller's letter did not list), and a month after the one containing <paramref name="today"/> (Asia/Shanghai;
    /// decided here, BIL-1 with BIL-6 and BIL-8: a version never reprices a month already billed, being billed or
    /// under way, whose usage was incurred at the rates the sellers' fee confirmation letters listed; a run bills only
    /// ended months, so no run of that month can have started); storage rent &gt; 0; a rate ≥ 0 for every usage kind,
    /// no unknown kinds.
    /// </summary>
    public static IReadOnlyList<FieldError> Check(string hub, RateCardInput input, DateOnly today, out RateCard? card)
        => Check(hub, input, today, DateOnly.MinValue, out card);

    /// <summary>
    /// As <see cref="Check(string, RateCardInput, DateOnly, out RateCard?)"/>, for a hub whose earliest card starts on
    /// <paramref name="firstCardFrom"/> (null: the hub has no card). A version starting before every card of the hub
    /// (H-1: Tianjin and Xi'an have none) may start in a month already begun or past: it is in force only on days no
    /// card covered, whose billing failed with H-1, so it reprices nothing invoiced, and the seller-hubs in error are
    /// billed when the period is started again.
    /// </summary>
    public static IReadOnlyList<FieldError> Check(string hub, RateCardInput input, DateOnly today, DateOnly? firstCardFrom, out RateCard? card)
    {
        ArgumentNullException.ThrowIfNull(input);
        card = null;
        var errors = new List<FieldError>();
        if (!CalendarQueries.TryParseDate(input.EffectiveFrom, out var from))
        {
            errors.Add(new FieldError("effectiveFrom", input.EffectiveFrom is null ? BillingCodes.Required : BillingCodes.InvalidDate, "effectiveFrom must be a date as YYYY-MM-DD."));
        }
        else if (from.Day != 1)
        {
            errors.Add(new FieldError("effectiveFrom", BillingCodes.InvalidDate, "effectiveFrom must be the first day of a month."));
        }
        else if (new DateOnly(today.Year, today.Month, 1).AddMonths(1) is var next && from < next && firstCardFrom is { } first && from >= first)
        {
            errors.Add(new FieldError("effectiveFrom", EffectiveFromNotFuture,
                $"effectiveFrom must be the first of a month that has not begun (the earliest is {next:yyyy-MM-dd}), or before the hub's first card ({first:yyyy-MM-dd}): a new version never reprices a month already billed or under way."));
        }

        var storage = Rate(input.StoragePerCubicMetreMonth, "storagePerCubicMetreMonth", allowZero: false, errors);
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var kind in UsageKind.All)
        {
            string? raw = null;
            input.Rates?.TryGetValue(kind.Code, out raw);
            rates[kind.Code] = Rate(raw, $"rates.{kind.Code}", allowZero: true, errors);
        }

        foreach (var unknown in (input.Rates?.Keys ?? []).Where(k => UsageKind.Find(k) is null).Order(StringComparer.Ordinal))
        {
            errors.Add(new FieldError($"rates.{unknown}", BillingCodes.UnknownKind, $"rates may only name {string.Join(", ", UsageKind.All.Select(k => k.Code))}."));
        }

        if (errors.Count == 0)
        {
            card = new RateCard(hub, from, storage, rates);
        }

        return errors;
    }

    private static decimal Rate(string? raw, string field, bool allowZero, List<FieldError> errors)
    {
        var message = $"{field} must be a CNY rate {(allowZero ? "from 0" : "above 0")} to {MaxRate:0} with at most {MaxDecimals} decimals.";
        if (UsageRecords.CheckNumber(raw, field, MaxRate, allowZero, out var value) is { } error)
        {
            errors.Add(error with { Code = error.Code == BillingCodes.Required ? error.Code : InvalidRate, Message = message });
            return 0m;
        }

        if (value != Math.Round(value, MaxDecimals))
        {
            errors.Add(new FieldError(field, InvalidRate, message));
        }

        return value;
    }
}
