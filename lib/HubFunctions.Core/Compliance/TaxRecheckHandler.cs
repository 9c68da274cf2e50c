using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Compliance;

/// <summary>A seller as the re-check reads it: the seller, the run month it was last checked in, and its version.</summary>
public sealed record SellerTaxRecord(Seller Seller, string? CheckedMonth, string ETag);

/// <summary>One page of active sellers' ids, and where the next page starts (null after the last).</summary>
public sealed record ActiveSellerPage(IReadOnlyList<string> SellerIds, string? Continuation);

/// <summary>The seller store as the CMP-5 re-check needs it.</summary>
public interface ISellerTaxRatings
{
    /// <summary>The seller with its re-check state, or null when unknown.</summary>
    Task<SellerTaxRecord?> GetAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>
    /// Records the seller's latest rating and the run month it was checked in, with <paramref name="events"/>
    /// in the same commit, if the seller is still at <paramref name="etag"/>; else throws
    /// <see cref="ConcurrencyConflictException"/>. Touches nothing else of the seller.
    /// </summary>
    Task RecordAsync(string sellerId, TaxRating rating, string month, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>One page (at most <paramref name="pageSize"/>) of active sellers, from <paramref name="continuation"/> (null: the first).</summary>
    Task<ActiveSellerPage> ActivePageAsync(string? continuation, int pageSize, CancellationToken cancellationToken);
}

/// <summary>The re-check queue: fan-out pages and seller checks (<see cref="TaxRecheckMessage"/>).</summary>
public interface ITaxRecheckQueue
{
    /// <summary>Queues <paramref name="messages"/>, each visible after <paramref name="delay"/>.</summary>
    Task EnqueueAsync(IReadOnlyList<TaxRecheckMessage> messages, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>Freezes a seller for a tax rating drop (CMP-5) through the compliance freeze (CMP-3/CMP-6). Idempotent.</summary>
public interface ITaxRatingFreeze
{
    Task FreezeAsync(string sellerId, TaxRating rating, CancellationToken cancellationToken);
}

/// <summary>Settings of the CMP-5 re-check.</summary>
public sealed class TaxRecheckSettings
{
    /// <summary>Active sellers read (and checks queued) per fan-out message.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>How long after an unavailable answer the seller is asked again (while the month lasts).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// CMP-5: the monthly re-check of active sellers' tax ratings, through a queue. The timer queues the
/// first fan-out page (<see cref="StartAsync"/>); each page queues one check per active seller and
/// then the next page (<see cref="FanOutPageAsync"/>), so no step holds more than a page of sellers
/// and a page that fails is redelivered by the queue. Each check (<see cref="CheckAsync"/>) asks the
/// authority: no answer changes nothing and is queued again after <see cref="TaxRecheckSettings.RetryDelay"/>
/// while the month lasts; an answer is recorded (with <see cref="TaxRecheck.RatingChangedEvent"/> when
/// it changed); a drop to M, C or D freezes the seller first (reason <c>tax-rating</c>), so a check that
/// dies between the two finds the drop again when its message comes back. A seller already checked
/// in the run's month is skipped, so repeated messages and a repeated timer run ask once.
/// </summary>
public sealed class TaxRecheckHandler(ISellerTaxRatings sellers, ITaxCreditService tax, ITaxRecheckQueue queue, ITaxRatingFreeze freeze,
    TaxRecheckSettings settings, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    /// <summary>Starts the run of the current month (Asia/Shanghai): queues its first fan-out page.</summary>
    public async Task<string> StartAsync(CancellationToken cancellationToken)
    {
        var month = TaxRecheck.MonthOf(clock.GetUtcNow());
        await queue.EnqueueAsync([new TaxRecheckMessage(month)], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return month;
    }

    /// <summary>Queues a check for each active seller of one page, then the next page. Returns the sellers queued.</summary>
    public async Task<int> FanOutPageAsync(TaxRecheckMessage page, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(page);
        var found = await sellers.ActivePageAsync(page.Continuation, settings.PageSize, cancellationToken).ConfigureAwait(false);
        await queue.EnqueueAsync(found.SellerIds.Select(id => new TaxRecheckMessage(page.Month, id)).ToList(), TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        if (found.Continuation is not null)
        {
            await queue.EnqueueAsync([new TaxRecheckMessage(page.Month, null, found.Continuation)], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }

        return found.SellerIds.Count;
    }

    /// <summary>Checks one seller (<paramref name="message"/> with a seller id).</summary>
    public async Task<TaxRecheckOutcome> CheckAsync(TaxRecheckMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sellerId = message.SellerId ?? throw new ArgumentException("Not a seller check.", nameof(message));
        var first = await sellers.GetAsync(sellerId, cancellationToken).ConfigureAwait(false);
        if (first is null)
        {
            return TaxRecheckOutcome.UnknownSeller;
        }

        if (string.Equals(first.CheckedMonth, message.Month, StringComparison.Ordinal))
        {
            return TaxRecheckOutcome.AlreadyChecked;
        }

        var answer = await tax.GetRatingAsync(first.Seller.UnifiedSocialCreditCode, cancellationToken).ConfigureAwait(false);
        var decision = TaxRecheck.Decide(first.Seller.TaxRating, first.CheckedMonth, message.Month, answer);
        if (decision == TaxRecheckOutcome.Retry)
        {
            if (TaxRecheck.StillCurrent(message.Month, clock.GetUtcNow()))
            {
                await queue.EnqueueAsync([message], settings.RetryDelay, cancellationToken).ConfigureAwait(false);
            }

            return decision;
        }

        var rating = answer.Rating!.Value;
        if (decision == TaxRecheckOutcome.Freeze)
        {
            await freeze.FreezeAsync(sellerId, rating, cancellationToken).ConfigureAwait(false);
        }

        await retry.RunAsync(async (_, ct) =>
        {
            var stored = await sellers.GetAsync(sellerId, ct).ConfigureAwait(false);
            if (stored is null || string.Equals(stored.CheckedMonth, message.Month, StringComparison.Ordinal))
            {
                return false;
            }

            var previous = stored.Seller.TaxRating;
            IReadOnlyList<HubEvent> events = previous == rating
                ? []
                : [HubEvent.Create(TaxRecheck.RatingChangedEvent, $"sellers/{sellerId}",
                    new { sellerId, previous = previous?.ToString(), rating = rating.ToString(), month = message.Month }, clock, ids, sellerId, stored.Seller.Hub)];
            await sellers.RecordAsync(sellerId, rating, message.Month, stored.ETag, events, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return decision;
    }
}

/// <summary>
/// CMP-5's freeze through the compliance freeze (<see cref="SellerCompliance"/>: the seller, its audit
/// entry and <c>hub.seller.frozen</c> in one commit, CMP-6), with the reason
/// <see cref="FreezeReason.TaxRatingDropped"/> and the actor <c>system:tax-recheck</c>. A seller frozen
/// for tax-rating already is left as it is (<see cref="FreezeOutcome.AlreadyFrozen"/>).
/// </summary>
public sealed class ComplianceTaxRatingFreeze(SellerCompliance compliance) : ITaxRatingFreeze
{
    public static readonly ComplianceActor Actor = ComplianceActor.System("tax-recheck");

    public async Task FreezeAsync(string sellerId, TaxRating rating, CancellationToken cancellationToken)
        => await compliance.FreezeAsync(sellerId, [FreezeReason.TaxRatingDropped(rating)], Actor, cancellationToken).ConfigureAwait(false);
}
