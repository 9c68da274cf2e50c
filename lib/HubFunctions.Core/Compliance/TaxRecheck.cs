using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Compliance;

/// <summary>
/// One message on the monthly re-check queue (CMP-5): either a page of the fan-out over active
/// sellers (<see cref="SellerId"/> null; <see cref="Continuation"/> null for the first page), or the
/// check of one seller. <see cref="Month"/> (<c>yyyy-MM</c>, Asia/Shanghai) names the run.
/// </summary>
public sealed record TaxRecheckMessage(string Month, string? SellerId = null, string? Continuation = null)
{
    /// <summary>True when this is the check of one seller, not a fan-out page.</summary>
    public bool IsSellerCheck => SellerId is not null;
}

/// <summary>What one seller's re-check decided.</summary>
public enum TaxRecheckOutcome
{
    /// <summary>No answer: nothing changes; asked again later while the month lasts.</summary>
    Retry,

    /// <summary>Already checked in this run's month (a repeated message or fan-out): nothing to do.</summary>
    AlreadyChecked,

    /// <summary>The same rating as stored: the check date is recorded.</summary>
    Unchanged,

    /// <summary>A new rating that is not a drop to M, C or D: recorded, with an event.</summary>
    Changed,

    /// <summary>A drop to M, C or D: the seller is frozen (reason <c>tax-rating</c>) and the rating recorded.</summary>
    Freeze,

    /// <summary>The seller is not in the seller store.</summary>
    UnknownSeller,
}

/// <summary>
/// CMP-5, the monthly re-check of active sellers' tax ratings: pure decisions.
/// <para>
/// Choices (DOMAIN.md says only "a drop to M, C or D freezes"): a drop is a new rating in M, C or D
/// that is worse than the stored one (no stored rating counts as passing), so B→M, A→D and M→C
/// freeze; a rating that stays M, improves (D→C) or was already failing when a reviewer lifted the
/// freeze does not freeze again until it drops further. Improvements never unfreeze: lifting
/// needs review (CMP-4).
/// </para>
/// </summary>
public static class TaxRecheck
{
    /// <summary>The freeze reason CMP-5 gives (DOMAIN.md).</summary>
    public const string FreezeReason = "tax-rating";

    /// <summary>The event sent when a seller's recorded rating changes.</summary>
    public const string RatingChangedEvent = "hub.seller.tax-rating-changed";

    /// <summary>The run's month (<c>yyyy-MM</c>) of an instant, in Asia/Shanghai.</summary>
    public static string MonthOf(DateTimeOffset instant) => ChinaTime.ToChina(instant).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What to do with <paramref name="answer"/> for a seller whose stored rating is <paramref name="stored"/>.</summary>
    public static TaxRecheckOutcome Decide(TaxRating? stored, string? checkedMonth, string month, TaxRatingResult answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (string.Equals(checkedMonth, month, StringComparison.Ordinal))
        {
            return TaxRecheckOutcome.AlreadyChecked;
        }

        if (answer.Rating is not { } rating)
        {
            return TaxRecheckOutcome.Retry;
        }

        if (rating == stored)
        {
            return TaxRecheckOutcome.Unchanged;
        }

        var drop = !TaxRatingResult.Passes(rating) && (stored is null || rating > stored);
        return drop ? TaxRecheckOutcome.Freeze : TaxRecheckOutcome.Changed;
    }

    /// <summary>True while a retry of <paramref name="month"/>'s check is still worth queueing (the month has not ended).</summary>
    public static bool StillCurrent(string month, DateTimeOffset now) => string.Equals(MonthOf(now), month, StringComparison.Ordinal);
}
