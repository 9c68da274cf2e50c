using System.Globalization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Billing;

/// <summary>
/// A billing run (BIL-6), one per period: what the fan-out counted (<see cref="Total"/> seller-hubs over <see cref="Pages"/>
/// pages, <see cref="FannedOut"/> once the last page is counted) and when it completed. Progress is not kept here: it is
/// counted from the run's item rows (<see cref="BillingRunProgress"/>), so billing a seller-hub never writes this row.
/// <see cref="ETag"/> is the version a commit must match.
/// </summary>
public sealed record BillingRunState(string RunId, BillingPeriod Period, DateTimeOffset StartedAt, int Total, int Pages, bool FannedOut,
    DateTimeOffset? CompletedAt, string? ETag)
{
    public bool Completed => CompletedAt is not null;
}

/// <summary>The run's progress, counted from its item rows: seller-hubs done (billed or refused), of which invoiced and in error.</summary>
public sealed record BillingRunProgress(int Done, int Invoices, int Errors)
{
    public static BillingRunProgress Of(IReadOnlyList<BillingRunItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var invoices = items.Count(i => i.InvoiceId is not null);
        return new BillingRunProgress(items.Count, invoices, items.Count - invoices);
    }
}

/// <summary>One seller-hub of a run, done: its invoice, or why nothing was billed (H-1). <see cref="ETag"/>: the stored row's version.</summary>
public sealed record BillingRunItem(string SellerId, string Hub, string? InvoiceId, string? ErrorCode, string? ErrorMessage, string? ETag = null)
{
    public bool Billed => InvoiceId is not null;
}

/// <summary>One seller at one hub, as a billing run message names it.</summary>
public sealed record SellerHub(string SellerId, string Hub);

/// <summary>
/// A message on the billing run queue: a fan-out page, seller-hubs to bill (<see cref="SellerHubs"/>, a batch of up to
/// <see cref="BillingRunSettings.SellerHubsPerMessage"/>; or one in <see cref="SellerId"/> and <see cref="Hub"/>, as messages
/// queued before batches named it), or a one-shot completion check (<see cref="Check"/> = how many earlier attempts of this
/// check failed).
/// </summary>
public sealed record BillingRunMessage(string Period, int Page, string? Continuation, string? SellerId, string? Hub, int? Check = null,
    IReadOnlyList<SellerHub>? SellerHubs = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsSeller => SellerId is not null || SellerHubs is { Count: > 0 };

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCheck => Check is not null;

    /// <summary>The seller-hubs to bill, in the order named, each once.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<SellerHub> Targets => [.. (SellerHubs ?? []).Concat(SellerId is not null && Hub is not null ? [new SellerHub(SellerId, Hub)] : []).Distinct()];

    /// <summary>
    /// What identifies this batch across redeliveries and a resumed fan-out (which queues the same batches again): the period, the
    /// page, the first seller-hub and the count. The batch's own commits (its items, the check marker) derive their stamps from it.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string BatchKey => Targets is [var first, ..] ? $"billing-run/{Period}/batch/{Page}/{first.SellerId}|{first.Hub}/{Targets.Count}" : $"billing-run/{Period}/batch/{Page}/empty";
}

/// <summary>The check marker (<c>check|pending</c>): at most one completion check pending per run; who queued it and when.</summary>
public sealed record BillingCheckMarker(string By, DateTimeOffset At, string ETag);

/// <summary>
/// The run's own rows: the run (what the fan-out counted; replaced under its ETag by the sequential fan-out and by the
/// completion), a marker per counted page and an item per seller-hub done (insert-only, or replaced under its ETag when
/// an item in error is billed on a retry). No seller-hub ever writes the run row.
/// </summary>
public interface IBillingRunStore
{
    /// <summary>Creates the run of the period (insert-only) or returns the one that exists.</summary>
    Task<BillingRunState> StartAsync(string runId, BillingPeriod period, DateTimeOffset now, CancellationToken cancellationToken);

    Task<BillingRunState?> GetAsync(BillingPeriod period, CancellationToken cancellationToken);

    Task<bool> HasPageAsync(BillingPeriod period, int page, CancellationToken cancellationToken);

    /// <summary>The item of a seller-hub (one point read), or null when it is not done.</summary>
    Task<BillingRunItem?> FindItemAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken);

    /// <summary>The items of <paramref name="sellerHubs"/> that are done (one range query over the run's partition, from the first to the last of them).</summary>
    Task<IReadOnlyList<BillingRunItem>> FindItemsAsync(BillingPeriod period, IReadOnlyCollection<SellerHub> sellerHubs, CancellationToken cancellationToken);

    /// <summary>The run's items (one query over the run's partition).</summary>
    Task<IReadOnlyList<BillingRunItem>> ItemsAsync(BillingPeriod period, bool errorsOnly, CancellationToken cancellationToken);

    /// <summary>Adds the page marker (insert-only) and replaces the run at its version, with events; conflict → <see cref="ConcurrencyConflictException"/>.</summary>
    Task CommitPageAsync(BillingRunState after, int page, int count, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the item: insert-only when <paramref name="replacing"/> is null, else replaces that stored item at its version;
    /// conflict → <see cref="ConcurrencyConflictException"/>. The run row is not written.
    /// </summary>
    Task CommitItemAsync(BillingPeriod period, BillingRunItem item, BillingRunItem? replacing, CancellationToken cancellationToken);

    /// <summary>
    /// Stores several items in one commit (at most 100): each insert-only when its <c>Replacing</c> is null, else replacing that stored
    /// item at its version; any conflict → <see cref="ConcurrencyConflictException"/> and nothing stored.
    /// </summary>
    Task CommitItemsAsync(BillingPeriod period, IReadOnlyList<(BillingRunItem Item, BillingRunItem? Replacing)> changes, CancellationToken cancellationToken);

    /// <summary>The run's check marker, or null when no completion check is pending.</summary>
    Task<BillingCheckMarker?> FindCheckMarkerAsync(BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>
    /// Adds the check marker (insert-only when <paramref name="replacing"/> is null, else replacing that marker at its version); true
    /// when this call or an earlier attempt of the same operation stored it, false when another marker won.
    /// </summary>
    Task<bool> AddCheckMarkerAsync(BillingPeriod period, string by, DateTimeOffset at, BillingCheckMarker? replacing, CancellationToken cancellationToken);

    /// <summary>Deletes the check marker, if any (a check does so before it counts).</summary>
    Task ClearCheckMarkerAsync(BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>Replaces the run at its version (its completion) with events; conflict → <see cref="ConcurrencyConflictException"/>.</summary>
    Task CommitRunAsync(BillingRunState after, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

public interface IBillingRunQueue
{
    /// <summary>Queues the messages, visible after <paramref name="delay"/> (zero: at once).</summary>
    Task EnqueueAsync(IReadOnlyList<BillingRunMessage> messages, CancellationToken cancellationToken, TimeSpan delay = default);
}

/// <summary>
/// Test hooks: a crash after a seller's invoice is stored and before the seller is marked done (it must not bill twice), a failing
/// completion check, and a failing completion (of a check or of a GET).
/// </summary>
public interface IBillingRunFaults
{
    void AfterInvoice(string sellerId, string hub);

    void BeforeCheck(string period);

    /// <summary>Before the run is completed (the completion commit).</summary>
    void BeforeComplete(string period)
    {
    }
}

/// <summary>No faults (production).</summary>
public sealed class NoBillingRunFaults : IBillingRunFaults
{
    public void AfterInvoice(string sellerId, string hub)
    {
    }

    public void BeforeCheck(string period)
    {
    }
}

public sealed class BillingRunSettings
{
    /// <summary>Seller-hubs read from the activity index (and queued) per fan-out message.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Seller-hubs per billing queue message (a batch; 1..100: their items are stored in one commit).</summary>
    public int SellerHubsPerMessage { get; set; } = 16;

    /// <summary>How many seller-hubs of one batch are billed at once.</summary>
    public int BatchParallelism { get; set; } = 4;

    /// <summary>
    /// How old a check marker must be before a batch that finds it queues a check anyway (its check may be lost): replaced under its
    /// version, so at most one batch does, and at most one extra check per this interval.
    /// </summary>
    public TimeSpan CheckStaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a completion check that failed waits before it is tried again.</summary>
    public TimeSpan CheckRetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How many times a failing completion check is tried again before it is dropped (a start of the period or a GET of the run completes it then).</summary>
    public int CheckRetries { get; set; } = 100;
}

public static class BillingEventTypes
{
    public const string InvoiceIssued = EventTypes.InvoiceIssued;
    public const string RunCompleted = "hub.billing-run.completed";
}

/// <summary>What a start of a period did: the run, and how many seller-hubs in error it queued again (H-1 retry).</summary>
public sealed record BillingRunStart(BillingRunState Run, int Retried);

/// <summary>What a completion check found: the run's progress (null when it had nothing to count: no run, completed, or not fanned out), and whether it completed the run now.</summary>
public sealed record BillingRunCheck(BillingRunProgress? Progress, int Total, bool CompletedNow);

/// <summary>What <c>GET /api/billing-runs/{runId}</c> reads: the run, its items, and why the completion it attempted failed (null when it did not fail).</summary>
public sealed record BillingRunRead(BillingRunState Run, IReadOnlyList<BillingRunItem> Items, Exception? CompletionFailure);

/// <summary>
/// BIL-6, the monthly billing run. <see cref="StartAsync"/> creates the period's run once (its id names the period,
/// so the same period started again returns the same run) and queues the first fan-out page; starting an unfinished
/// run again queues the fan-out again, which resumes it; starting it again once it completed queues only its seller-hubs in
/// error (H-1: billed once a reviewer has added the missing rate card). Each page is counted once (page marker and the run's
/// total, in one commit; pages run one after the other) before its seller-hubs are queued, in batches of
/// <see cref="BillingRunSettings.SellerHubsPerMessage"/> per message (<see cref="BillBatchAsync"/>). Each seller-hub computes its
/// invoice from the period's rollups and snapshots (one partition read), open claims and the hub's rate cards
/// (<see cref="RunRateCards"/>, read once per run and hub, and once per batch), stores it insert-only (keyed by seller, hub and
/// period, with the claims marked credited in the same commit); the batch then adds its items to the run's partition in one commit:
/// insert-only, and the run row is not touched, so batches billed in parallel never conflict. Documents are rendered from the
/// invoice row and stored on first request (<see cref="IInvoiceDocuments"/>), not by the run.
/// Completion does not hang on one message and reads O(seller-hubs) items in all: the last page queues a one-shot completion
/// check (<see cref="CheckAsync"/>), and every batch, once its items are stored (or found stored, on a replay), queues one unless
/// one is pending (the check marker, <see cref="QueueCheckOnceAsync"/>); a check deletes the marker before it counts, so the items
/// of a batch that lands after its count are seen by the check that batch queues. A check counts the items with one query and,
/// when every counted seller-hub has its item, completes the run under the run row's ETag with <c>hub.billing-run.completed</c>,
/// so exactly once however many checks race. A check that fails is queued again (<see cref="RetryCheckAsync"/>) rather than
/// poisoned; a marker whose check is lost is replaced after <see cref="BillingRunSettings.CheckStaleAfter"/> by the next batch;
/// and should every check be lost, <see cref="ReadAsync"/> (the GET) and a start of the period (its fan-out's last page queues a
/// check) complete a run whose items are all done.
/// </summary>
public sealed class BillingRunHandler(
    IBillingRunStore runs, IBillingRunQueue queue, IBillingActivity activity, IBillingLedger ledger, RunRateCards cards,
    IBillingRunFaults faults, ChinaWorkingCalendar calendar, OptimisticRetry retry, BillingRunSettings settings, TimeProvider clock, IIdSource ids)
{
    public static string RunIdFor(BillingPeriod period) => "RUN-" + period;

    public static bool TryParseRunId(string? runId, out BillingPeriod period)
    {
        period = default;
        if (runId is not { Length: 11 } || !runId.StartsWith("RUN-", StringComparison.Ordinal) || !CalendarMonth.TryParse(runId[4..], out var month))
        {
            return false;
        }

        period = new BillingPeriod(month);
        return true;
    }

    /// <summary>
    /// Starts (or resumes) the run of a closed period; the caller checked <see cref="BillingPeriod.CheckClosed"/>. An unfinished
    /// run's fan-out is queued again (it queues every seller-hub again: those done are skipped, those in error billed again);
    /// a completed run's seller-hubs in error are queued again.
    /// </summary>
    public async Task<BillingRunStart> StartAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var state = await runs.StartAsync(RunIdFor(period), period, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!state.Completed)
        {
            await queue.EnqueueAsync([new BillingRunMessage(period.ToString(), 0, null, null, null)], cancellationToken).ConfigureAwait(false);
            return new BillingRunStart(state, 0);
        }

        var errors = await runs.ItemsAsync(period, errorsOnly: true, cancellationToken).ConfigureAwait(false);
        await queue.EnqueueAsync(Batches(period.ToString(), 0, errors.Select(e => new SellerHub(e.SellerId, e.Hub))), cancellationToken).ConfigureAwait(false);
        return new BillingRunStart(state, errors.Count);
    }

    /// <summary>The timer's run: the month before today's (Asia/Shanghai).</summary>
    public Task<BillingRunStart> StartPreviousMonthAsync(CancellationToken cancellationToken)
        => StartAsync(BillingPeriod.PreviousTo(ChinaTime.Today(clock)), cancellationToken);

    /// <summary>
    /// Counts a page of the activity index once, then queues its seller-hubs and the next page, or after the last page the
    /// first completion check (all again on a redelivery or a resumed run: harmless).
    /// </summary>
    public async Task<int> FanOutPageAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        var period = Parse(message.Period);
        var (items, continuation) = await activity.PageAsync(period, message.Continuation, settings.PageSize, cancellationToken).ConfigureAwait(false);
        await retry.RunAsync(async (_, ct) =>
        {
            var state = await runs.GetAsync(period, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"No billing run of {period}.");
            if (await runs.HasPageAsync(period, message.Page, ct).ConfigureAwait(false))
            {
                return 0;
            }

            var after = state with { Total = state.Total + items.Count, Pages = state.Pages + 1, FannedOut = continuation is null };
            IReadOnlyList<HubEvent> events = [];
            if (after is { FannedOut: true, Total: 0 })
            {
                after = Complete(after, new BillingRunProgress(0, 0, 0), out events);
            }

            await runs.CommitPageAsync(after, message.Page, items.Count, events, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

        var next = Batches(message.Period, message.Page, items.Select(i => new SellerHub(i.SellerId, i.Hub)));
        if (continuation is not null)
        {
            next.Add(new BillingRunMessage(message.Period, message.Page + 1, continuation, null, null));
        }

        await queue.EnqueueAsync(next, cancellationToken).ConfigureAwait(false);
        if (continuation is null)
        {
            await queue.EnqueueAsync([CheckOf(message.Period)], cancellationToken).ConfigureAwait(false);
        }

        return items.Count;
    }

    /// <summary>
    /// Bills one seller-hub (a message naming one; a batch goes through <see cref="BillBatchAsync"/>) and returns its item.
    /// </summary>
    public async Task<BillingRunItem> BillAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await BillBatchAsync(message, cancellationToken).ConfigureAwait(false) is [var item]
            ? item
            : throw new ArgumentException("BillAsync bills one seller-hub; a batch goes through BillBatchAsync.", nameof(message));
    }

    /// <summary>
    /// Bills the seller-hubs of a batch message for the period, at most <see cref="BillingRunSettings.BatchParallelism"/> at once,
    /// each in its own operation (<c>billing-run/{period}/{seller}/{hub}</c>: its invoice's commit and event ids are those of a message
    /// naming it alone). Read once per batch: the batch's items (one range query; a seller-hub already billed changes nothing, one in
    /// error (H-1) is computed again) and each hub's rate cards. The items then go in one commit (insert-only, or replacing an item in
    /// error under its version); should another delivery have stored one meanwhile, each item is committed on its own, re-read first.
    /// A seller-hub that fails does not stop the others: their items are stored, then the batch fails and its redelivery bills only
    /// the rest. A batch that billed every seller-hub queues a completion check unless one is pending (<see cref="QueueCheckOnceAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<BillingRunItem>> BillBatchAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var period = Parse(message.Period);
        var targets = message.Targets;
        if (targets.Count == 0)
        {
            return [];
        }

        var stored = (await runs.FindItemsAsync(period, targets, cancellationToken).ConfigureAwait(false)).ToDictionary(i => new SellerHub(i.SellerId, i.Hub));
        var histories = new Dictionary<string, RateCardHistory>(StringComparer.Ordinal);
        foreach (var hub in targets.Where(t => stored.GetValueOrDefault(t) is not { Billed: true }).Select(t => t.Hub).Distinct(StringComparer.Ordinal))
        {
            histories[hub] = await cards.HistoryAsync(period, hub, cancellationToken).ConfigureAwait(false);
        }

        var results = new (BillingRunItem? Item, Exception? Error)[targets.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = settings.BatchParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, targets.Count), options, async (i, ct) =>
        {
            var target = targets[i];
            if (stored.GetValueOrDefault(target) is { Billed: true } billed)
            {
                results[i] = (billed, null);
                return;
            }

            try
            {
                using var operation = HubOperation.Begin(SellerHubOperation(message.Period, target));
                var item = await InvoiceAsync(period, target.SellerId, target.Hub, histories[target.Hub], ct).ConfigureAwait(false);
                faults.AfterInvoice(target.SellerId, target.Hub);
                results[i] = (item, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                results[i] = (null, e);
            }
        }).ConfigureAwait(false);

        var changes = new List<(BillingRunItem Item, BillingRunItem? Replacing)>();
        foreach (var (target, result) in targets.Zip(results))
        {
            var found = stored.GetValueOrDefault(target);
            if (result.Item is { } item && found is not { Billed: true } && !(found is not null && found with { ETag = null } == item))
            {
                changes.Add((item, found));
            }
        }

        if (changes.Count > 0)
        {
            var committed = await CommitItemsAsync(period, message, changes, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < targets.Count; i++)
            {
                results[i] = results[i].Item is { } item && committed.TryGetValue(new SellerHub(item.SellerId, item.Hub), out var kept) ? (kept, null) : results[i];
            }
        }

        var failed = results.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
        if (failed.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failed[0]).Throw();
        }
        else if (failed.Count > 1)
        {
            throw new AggregateException($"{failed.Count} of the batch's {targets.Count} seller-hubs failed; the others are stored, and a redelivery bills only these.", failed);
        }

        await QueueCheckOnceAsync(period, message.BatchKey, cancellationToken).ConfigureAwait(false);
        return [.. results.Select(r => r.Item!)];
    }

    /// <summary>The operation a seller-hub is billed in: its invoice commit's stamp and its event's id derive from it.</summary>
    public static string SellerHubOperation(string period, SellerHub target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return $"billing-run/{period}/{target.SellerId}/{target.Hub}";
    }

    /// <summary>
    /// The batch's items in one commit (its own operation: the batch key, a digest of what the items say, and the versions of the items
    /// in error it replaces, so the commit that replaces an error never carries the stamp of the commit that stored it). On a conflict (another delivery stored
    /// one of them meanwhile) each item is committed on its own: re-read, kept when billed or equal, else stored. Returns the items kept.
    /// </summary>
    private async Task<Dictionary<SellerHub, BillingRunItem>> CommitItemsAsync(BillingPeriod period, BillingRunMessage message,
        List<(BillingRunItem Item, BillingRunItem? Replacing)> changes, CancellationToken cancellationToken)
    {
        var replaced = string.Join(',', changes.Where(c => c.Replacing is not null).Select(c => c.Replacing!.ETag));
        try
        {
            using (HubOperation.Begin($"{message.BatchKey}/items/{ItemsDigest(changes)}" + (replaced.Length == 0 ? "" : $"/replacing/{replaced}")))
            {
                await runs.CommitItemsAsync(period, changes, cancellationToken).ConfigureAwait(false);
            }

            return changes.ToDictionary(c => new SellerHub(c.Item.SellerId, c.Item.Hub), c => c.Item);
        }
        catch (ConcurrencyConflictException)
        {
            var kept = new Dictionary<SellerHub, BillingRunItem>();
            foreach (var (item, _) in changes)
            {
                var target = new SellerHub(item.SellerId, item.Hub);
                using var operation = HubOperation.Begin(SellerHubOperation(message.Period, target));
                kept[target] = await CommitItemAsync(period, item, cancellationToken).ConfigureAwait(false);
            }

            return kept;
        }
    }

    /// <summary>
    /// What the batch's items say (each seller-hub's invoice or error), so two deliveries of one batch that reached different results
    /// (one before a rate card was added, one after) commit under different stamps: the second meets a conflict and re-reads, instead
    /// of taking the first's items for its own.
    /// </summary>
    private static string ItemsDigest(List<(BillingRunItem Item, BillingRunItem? Replacing)> changes)
    {
        var text = string.Join('\n', changes.Select(c => $"{c.Item.SellerId}|{c.Item.Hub}|{c.Item.InvoiceId}|{c.Item.ErrorCode}"));
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>One item on its own: re-read; an item billed, or equal to this one, is kept; else this one is stored (insert-only, or replacing an error under its version).</summary>
    private Task<BillingRunItem> CommitItemAsync(BillingPeriod period, BillingRunItem item, CancellationToken cancellationToken)
        => retry.RunAsync(async (_, ct) =>
        {
            var stored = await runs.FindItemAsync(period, item.SellerId, item.Hub, ct).ConfigureAwait(false);
            if (stored is { Billed: true } || (stored is not null && stored with { ETag = null } == item))
            {
                return stored;
            }

            // Replacing an item in error: its own operation (keyed by the version replaced), so the commit stamp differs from the
            // stamp of the commit that stored the error under this message's operation ("did my commit land?" must not see that one).
            using var replacing = stored is not null && HubOperation.Current is { } operation ? HubOperation.Begin($"{operation.Key}/replacing/{stored.ETag}") : null;
            await runs.CommitItemAsync(period, item, stored, ct).ConfigureAwait(false);
            return item;
        }, cancellationToken);

    /// <summary>
    /// Queues a completion check unless one is pending: the batch reads the check marker (one point read) and queues a check only
    /// when it adds the marker (insert-only: of racing batches one wins), when the marker is its own (an earlier attempt of this batch
    /// added it and may have failed before queueing), or when the marker is older than <see cref="BillingRunSettings.CheckStaleAfter"/>
    /// (its check may be lost; replaced under its version). The check deletes the marker before it counts, so a batch whose items
    /// land after that count finds no marker and queues the next check: the last item is always counted, and at most one check
    /// is pending at a time instead of one per seller-hub.
    /// </summary>
    private async Task QueueCheckOnceAsync(BillingPeriod period, string batchKey, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var marker = await runs.FindCheckMarkerAsync(period, cancellationToken).ConfigureAwait(false);
        bool queueCheck;
        using (HubOperation.Begin($"{batchKey}/check"))
        {
            queueCheck = marker switch
            {
                null => await runs.AddCheckMarkerAsync(period, batchKey, now, null, cancellationToken).ConfigureAwait(false),
                _ when marker.By == batchKey => true,
                _ when now - marker.At >= settings.CheckStaleAfter => await runs.AddCheckMarkerAsync(period, batchKey, now, marker, cancellationToken).ConfigureAwait(false),
                _ => false,
            };
        }

        if (queueCheck)
        {
            await queue.EnqueueAsync([CheckOf(period.ToString())], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A one-shot completion check: when the run is fanned out and not completed, deletes the check marker, then counts its items
    /// (one query) and completes it when every seller-hub the fan-out counted is done. It never queues itself again: a batch whose
    /// items land after the marker is deleted queues the next one.
    /// </summary>
    public async Task<BillingRunCheck> CheckAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        faults.BeforeCheck(message.Period);
        var period = Parse(message.Period);
        if (await runs.GetAsync(period, cancellationToken).ConfigureAwait(false) is not { Completed: false, FannedOut: true } state)
        {
            return new BillingRunCheck(null, 0, false);
        }

        await runs.ClearCheckMarkerAsync(period, cancellationToken).ConfigureAwait(false);
        var progress = BillingRunProgress.Of(await runs.ItemsAsync(period, errorsOnly: false, cancellationToken).ConfigureAwait(false));
        return new BillingRunCheck(progress, state.Total, await CompleteIfDoneAsync(state, progress, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Queues a failed check again after <see cref="BillingRunSettings.CheckRetryInterval"/> (false once it failed
    /// <see cref="BillingRunSettings.CheckRetries"/> times: dropped; a GET of the run or a start of the period completes it).
    /// </summary>
    public async Task<bool> RetryCheckAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var failed = (message.Check ?? 0) + 1;
        if (failed > settings.CheckRetries)
        {
            return false;
        }

        await queue.EnqueueAsync([message with { Check = failed }], cancellationToken, settings.CheckRetryInterval).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The run and its items, for <c>GET /api/billing-runs/{runId}</c>; a run found with every seller-hub done but not completed
    /// (every check message lost) is completed here, under the same ETag guard as a check, so its event is still published once.
    /// Should that completion fail, the read still answers the progress it counted, with the failure for the caller to log.
    /// </summary>
    public async Task<BillingRunRead?> ReadAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        if (await runs.GetAsync(period, cancellationToken).ConfigureAwait(false) is not { } state)
        {
            return null;
        }

        var items = await runs.ItemsAsync(period, errorsOnly: false, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!state.Completed && state.FannedOut && await CompleteIfDoneAsync(state, BillingRunProgress.Of(items), cancellationToken).ConfigureAwait(false))
            {
                state = await runs.GetAsync(period, cancellationToken).ConfigureAwait(false) ?? state;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new BillingRunRead(state, items, e);
        }

        return new BillingRunRead(state, items, null);
    }

    /// <summary>Completes the run when every seller-hub the fan-out counted is done; true when this call completed it.</summary>
    private async Task<bool> CompleteIfDoneAsync(BillingRunState state, BillingRunProgress progress, CancellationToken cancellationToken)
    {
        if (!state.FannedOut || progress.Done < state.Total)
        {
            return false;
        }

        faults.BeforeComplete(state.Period.ToString());
        return await retry.RunAsync(async (_, ct) =>
        {
            var current = await runs.GetAsync(state.Period, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"No billing run of {state.Period}.");
            if (current.Completed)
            {
                return false;
            }

            await runs.CommitRunAsync(Complete(current, progress, out var events), events, ct).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static BillingRunMessage CheckOf(string period) => new(period, 0, null, null, null, Check: 0);

    /// <summary>The seller-hubs in messages of <see cref="BillingRunSettings.SellerHubsPerMessage"/>, in the order given.</summary>
    private List<BillingRunMessage> Batches(string period, int page, IEnumerable<SellerHub> sellerHubs)
        => [.. sellerHubs.Chunk(settings.SellerHubsPerMessage).Select(c => new BillingRunMessage(period, page, null, null, null, SellerHubs: c))];

    private async Task<BillingRunItem> InvoiceAsync(BillingPeriod period, string sellerId, string hub, RateCardHistory history, CancellationToken cancellationToken)
    {
        var invoiceId = InvoiceIds.For(sellerId, hub, period);
        var stored = await retry.RunAsync(async (_, ct) =>
        {
            // The three reads are independent, so they run at once (a redelivery of an invoiced seller-hub wastes the other two;
            // the common case waits for one round trip instead of three). The commit below is insert-only and ETag-guarded on
            // the claims, so an invoice or a claim credit stored after these reads makes it conflict and the next attempt reads again.
            var (existingRead, monthRead, claimsRead) = (ledger.FindInvoiceAsync(sellerId, hub, period, ct), ledger.PeriodAsync(sellerId, hub, period, ct),
                ledger.OpenClaimsAsync(sellerId, hub, ct));
            await Task.WhenAll(existingRead, monthRead, claimsRead).ConfigureAwait(false);
            if (await existingRead.ConfigureAwait(false) is { } existing)
            {
                return (existing, (InvoiceResult?)null);
            }

            var (month, claims) = (await monthRead.ConfigureAwait(false), await claimsRead.ConfigureAwait(false));
            var now = clock.GetUtcNow();
            var usage = month.Rollups.Select(r => new UsageRecord($"{r.Date:yyyyMMdd}|{r.Kind}", sellerId, hub, r.Kind, r.Units,
                new DateTimeOffset(r.Date.ToDateTime(new TimeOnly(12, 0)), ChinaTime.Offset))).ToList();
            var input = new InvoiceInput(sellerId, hub, period, ChinaTime.DateOf(now), usage, month.Snapshots,
                [.. claims.Select(c => new ClaimCredit(c.Claim.ClaimId, c.Claim.OrderId, c.Claim.GoodsValueCny))]);
            var result = InvoiceCalculator.Compute(input, history, calendar);
            if (!result.Billed)
            {
                return ((StoredInvoice?)null, result);
            }

            var draft = result.Invoice!;
            var issued = HubEvent.Create(BillingEventTypes.InvoiceIssued, $"sellers/{sellerId}/invoices/{invoiceId}",
                new
                {
                    invoiceId,
                    sellerId,
                    hub,
                    period = period.ToString(),
                    issuedOn = draft.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    settlementOn = draft.SettlementOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    total = draft.Total,
                    currency = "CNY",
                }, clock, ids, sellerId, hub);
            await ledger.AddInvoiceAsync(invoiceId, draft, claims, [issued], ct).ConfigureAwait(false);
            return (new StoredInvoice(invoiceId, draft), null);
        }, cancellationToken).ConfigureAwait(false);

        if (stored.Item1 is { } invoice)
        {
            // The documents (JSON, CSV, PDF) are rendered from the invoice row and stored on first request (IInvoiceDocuments).
            return new BillingRunItem(sellerId, hub, invoice.InvoiceId, null, null);
        }

        return new BillingRunItem(sellerId, hub, null, stored.Item2!.ErrorCode, stored.Item2.ErrorMessage);
    }

    /// <summary>The run completed now, with its event (sellers = the seller-hubs the fan-out counted).</summary>
    private BillingRunState Complete(BillingRunState state, BillingRunProgress progress, out IReadOnlyList<HubEvent> events)
    {
        events =
        [
            HubEvent.Create(BillingEventTypes.RunCompleted, $"billing-runs/{state.RunId}",
                new { runId = state.RunId, period = state.Period.ToString(), sellers = state.Total, invoices = progress.Invoices, errors = progress.Errors }, clock, ids),
        ];
        return state with { CompletedAt = clock.GetUtcNow() };
    }

    private static BillingPeriod Parse(string text)
        => CalendarMonth.TryParse(text, out var month) ? new BillingPeriod(month) : throw new FormatException($"'{text}' is not a billing period.");
}
