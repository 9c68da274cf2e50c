using System.Globalization;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Orders;

/// <summary>
/// What one planning run did: the index partitions it queued and the checkpoint it moved to; the rows left behind the
/// checkpoint it read (<paramref name="Leftovers"/>) and removed once their orders were finished or found missing
/// (<paramref name="LeftoversRemoved"/>), the index partitions among them it could not finish (<paramref name="LeftoverFailures"/>,
/// <c>{indexKey}: {error}</c>, tried again next run), the emptied minutes it dropped and the poisoned messages it put back.
/// </summary>
public sealed record CutoffPlan(
    int Partitions,
    DateTimeOffset? From,
    DateTimeOffset SweptThrough,
    bool CaughtUp,
    int Dropped = 0,
    int Requeued = 0,
    int Leftovers = 0,
    int LeftoversRemoved = 0,
    IReadOnlyList<string>? LeftoverFailures = null);

/// <summary>What one index partition's sweep did; <paramref name="Failed"/>: the orders the planner's leftover pass could not finish (their rows stay).</summary>
public sealed record CutoffBucketReport(string IndexKey, int Read, int Converted, int Finished, int NotDue, int Missing, IReadOnlyList<(string OrderId, string Error)>? Failed = null);

/// <summary>
/// DSP-3, the cutoff sweep, in two steps. <see cref="PlanAsync"/> (a timer, by default every 20 s) reads the forward-only
/// checkpoint, lists the due index partitions after it through the current minute (<see cref="DeadlineIndex.BucketsDue"/>),
/// queues one message per partition and moves the checkpoint to the last completed minute, then finishes or removes the
/// rows left in index minutes more than <see cref="DeadlineIndex.DropSweptAfter"/> behind it (at most
/// <see cref="OrderOptions.LeftoverRowsPerRun"/> a run) and drops those minutes once empty; the first run ever starts at
/// the earliest index row. <see cref="SweepBucketAsync"/> (one queue message) reads one partition and converts each
/// open order past its deadline through <see cref="OrderHandler.ConvertIfDueAsync"/> (conditional on the order's token:
/// an overlapping run, a retried message or a racing instruction changes it at most once), then removes the index rows
/// of finished orders. Rows of the current minute not yet due stay and are read again by the next run (passed over without a
/// read when the row carries the order's deadline, <see cref="IndexEntry.WaitsAt"/>); a row whose order
/// does not exist (a crash between index row and order) is left to the planner, which removes it once its minute is that far behind.
/// </summary>
public sealed class CutoffSweep(IOrderStore store, ISweepCheckpoint checkpoint, IOrderCutoffQueue queue, OrderHandler orders, IIdSource ids, TimeProvider clock, OrderOptions options)
{
    /// <summary>Messages moved back from the poison queue per planning run, at most.</summary>
    public const int RequeuePerRun = 64;

    /// <summary>A leftover row whose order failed is passed over by the leftover pass this long, so rows that keep failing do not hold back newer ones (review finding 4).</summary>
    public static readonly TimeSpan LeftoverRetryAfter = TimeSpan.FromMinutes(10);

    /// <summary>Up to this many minutes, every shard of each minute is queued (the normal run: the current minute and the one or two before it); beyond, only the partitions found by one range query.</summary>
    public const int ProbeAfterMinutes = 10;

    /// <summary>Queues the due index partitions and moves the checkpoint (at most <see cref="DeadlineIndex.MaxCatchUp"/> of minutes; a longer gap is caught up by the following runs, <see cref="CutoffPlan.CaughtUp"/> false).</summary>
    public async Task<CutoffPlan> PlanAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var read = await checkpoint.ReadAsync(cancellationToken).ConfigureAwait(false);
        var from = read.SweptThrough;
        if (from is null)
        {
            var earliest = await store.EarliestIndexMinuteAsync(cancellationToken).ConfigureAwait(false);
            from = (earliest is { } e && e <= DeadlineIndex.Minute(now) ? e : DeadlineIndex.Minute(now)).AddMinutes(-1);
        }

        var due = DeadlineIndex.BucketsDue(from, now, options.ShardCount);
        var keys = due.Keys;
        if (keys.Count > options.ShardCount * ProbeAfterMinutes)
        {
            // Catching up a long gap: queue only the partitions that hold rows (cost grows with the rows due, not the minutes missed).
            keys = await store.IndexKeysAsync(keys[0], keys[^1], cancellationToken).ConfigureAwait(false);
        }

        var run = ids.NewId("cutoff");
        await queue.EnqueueAsync(keys.Select(k => new CutoffMessage(k, run)).ToList(), cancellationToken).ConfigureAwait(false);
        await checkpoint.AdvanceAsync(due.CompletedThrough, cancellationToken).ConfigureAwait(false);

        // Minutes this far behind the checkpoint are read by no message any more: finish or remove what is left in them
        // (bounded per run), then drop every minute that is empty.
        var before = due.CompletedThrough - DeadlineIndex.DropSweptAfter;
        var (leftovers, removed, failures) = await FinishLeftoversAsync(before, now, run, cancellationToken).ConfigureAwait(false);
        var dropped = await store.DropSweptBucketsAsync(before, cancellationToken).ConfigureAwait(false);

        // A message the host gave up on (poison) covers minutes behind the checkpoint: each run puts such messages back, as long
        // as their minute is not yet the leftover pass's (review finding 3: else one that always fails came back for ever).
        var requeued = await queue.RequeuePoisonedAsync(before, RequeuePerRun, cancellationToken).ConfigureAwait(false);
        return new CutoffPlan(keys.Count, from, due.CompletedThrough, due.CaughtUp, dropped, requeued, leftovers, removed, failures);
    }

    /// <summary>
    /// The rows left in index minutes before <paramref name="before"/> (at most <see cref="OrderOptions.LeftoverRowsPerRun"/>, oldest
    /// first), per partition as a sweep message would: an open order past its deadline (its row written after the minute's
    /// last read) is converted, every finished order is counted (DSP-5) and its row removed, and a row whose order does not
    /// exist is removed too (the intake that wrote it died before the order's commit; its retry, past the deadline by now,
    /// converts at intake). An order that fails does not stop the others of its partition (review finding 4): its row stays,
    /// is reported (<c>{indexKey}/{orderId}: {error}</c>) and deferred for <see cref="LeftoverRetryAfter"/>, so rows that keep
    /// failing do not take every run's share from the rows after them. A partition that fails as a whole (counting, removal)
    /// is reported and its rows stay for the next run.
    /// </summary>
    private async Task<(int Read, int Removed, IReadOnlyList<string> Failures)> FinishLeftoversAsync(DateTimeOffset before, DateTimeOffset now, string run, CancellationToken cancellationToken)
    {
        var rows = await store.LeftoverIndexRowsAsync(before, now, options.LeftoverRowsPerRun, cancellationToken).ConfigureAwait(false);
        var removed = 0;
        var failures = new List<string>();
        var failed = new List<IndexRow>();
        foreach (var partition in rows.GroupBy(r => r.IndexKey, StringComparer.Ordinal))
        {
            try
            {
                // Rows of the old layout as far as the sweep is concerned (ids only): leftovers are few, and each is read whole.
                var report = await FinishAsync(partition.Key, partition.Select(r => new IndexEntry(r.OrderId)).ToList(), run, removeMissing: true, cancellationToken).ConfigureAwait(false);
                removed += report.Finished + report.Missing;
                foreach (var (orderId, error) in report.Failed ?? [])
                {
                    failures.Add($"{partition.Key}/{orderId}: {error}");
                    failed.Add(new IndexRow(partition.Key, orderId));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The partition failed as a whole (e.g. its counting or its index removal): its rows wait too, so they do not
                // take the next runs' budget ahead of newer leftovers.
                failures.Add($"{partition.Key}: {e.GetType().Name}: {e.Message}");
                failed.AddRange(partition);
            }
        }

        if (failed.Count > 0)
        {
            try
            {
                await store.DeferIndexAsync(failed, now + LeftoverRetryAfter, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failures.Add($"deferring {failed.Count} failed rows: {e.GetType().Name}: {e.Message}");
            }
        }

        return (rows.Count, removed, failures);
    }

    /// <summary>Sweeps one index partition: converts what is due, removes the rows of finished orders.</summary>
    public async Task<CutoffBucketReport> SweepBucketAsync(CutoffMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var indexKey = message.IndexKey;
        if (!IsIndexKey(indexKey))
        {
            throw new FormatException($"'{indexKey}' is not a deadline index partition key.");
        }

        var entries = await store.ReadIndexAsync(indexKey, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(indexKey, entries, message.Run, removeMissing: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Converts the due open orders among <paramref name="entries"/> (rows of <paramref name="indexKey"/>), counts the finished
    /// ones and removes their rows; with <paramref name="removeMissing"/>, also the rows whose order does not exist. A row whose
    /// data shows its order open and not yet due (<see cref="IndexEntry.WaitsAt"/>) is passed over without a read (<c>NotDue</c>).
    /// </summary>
    private async Task<CutoffBucketReport> FinishAsync(string indexKey, IReadOnlyList<IndexEntry> entries, string run, bool removeMissing, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var waiting = entries.Count(e => e.WaitsAt(now));
        var toRead = waiting == 0 ? entries : entries.Where(e => !e.WaitsAt(now)).ToList();
        // The outcomes filed under this key, in one read for all the rows (instead of one per order).
        toRead = await store.WithOutcomesAsync(indexKey, toRead, cancellationToken).ConfigureAwait(false);
        var finished = new System.Collections.Concurrent.ConcurrentBag<string>();
        var missingIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        var finishedOrders = new System.Collections.Concurrent.ConcurrentBag<Order>();
        var convertedIds = new System.Collections.Concurrent.ConcurrentBag<string>();
        int converted = 0, notDue = waiting, missing = 0;
        var failedIds = new System.Collections.Concurrent.ConcurrentBag<(string OrderId, string Error)>();
        await Parallel.ForEachAsync(toRead, new ParallelOptions { MaxDegreeOfParallelism = options.SweepParallelism, CancellationToken = cancellationToken }, async (entry, ct) =>
        {
            var orderId = entry.OrderId;
            // Ids derive from the run and the order: a redelivered message makes the same event and commit stamp.
            using var operation = HubOperation.Begin($"order-cutoff/{run}/{orderId}");
            Order? order;
            bool didConvert;
            try
            {
                (order, didConvert) = await orders.ConvertIfDueAsync(entry, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (removeMissing && e is not OperationCanceledException)
            {
                // The planner's leftover pass: this order's row stays (reported, deferred); the others go on. A sweep message instead
                // fails whole and is retried by the host.
                failedIds.Add((orderId, $"{e.GetType().Name}: {e.Message}"));
                return;
            }

            if (order is null)
            {
                Interlocked.Increment(ref missing);
                missingIds.Add(orderId);
            }
            else if (order.Status == OrderStatus.Open)
            {
                Interlocked.Increment(ref notDue);
            }
            else
            {
                finishedOrders.Add(order);
                finished.Add(orderId);
                if (didConvert)
                {
                    convertedIds.Add(orderId);
                    Interlocked.Increment(ref converted);
                }
            }
        }).ConfigureAwait(false);

        if (!finished.IsEmpty)
        {
            // DSP-5: the conversions' counters, and any counting an earlier request left undone for these orders, before
            // their index rows go (a failure here fails the message, which is retried; counting is repeatable).
            // The orders converted here are expected uncounted, the others (instructed, converted before) counted already.
            await orders.CountAsync(finishedOrders.ToList(), convertedIds.ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        }

        var remove = removeMissing ? [.. finished, .. missingIds] : finished.ToList();
        if (remove.Count > 0)
        {
            await store.RemoveIndexAsync(indexKey, remove, cancellationToken).ConfigureAwait(false);
        }

        return new CutoffBucketReport(indexKey, entries.Count, converted, finished.Count, notDue, missing, failedIds.IsEmpty ? null : [.. failedIds]);
    }

    /// <summary>True for <c>yyyyMMddHHmm-ss</c> with a real minute and a shard below the configured count.</summary>
    public bool IsIndexKey(string? key)
        => key is { Length: 15 } && key[12] == '-'
           && DateTime.TryParseExact(key[..12], "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
           && int.TryParse(key[13..], NumberStyles.None, CultureInfo.InvariantCulture, out var shard) && shard < options.ShardCount;
}
