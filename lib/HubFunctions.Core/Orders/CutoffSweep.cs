using System.Globalization;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Orders;

/// <summary>What one planning run did: the index partitions it queued and the checkpoint it moved to.</summary>
public sealed record CutoffPlan(int Partitions, DateTimeOffset? From, DateTimeOffset SweptThrough, bool CaughtUp, int Dropped = 0, int Requeued = 0);

/// <summary>What one index partition's sweep did.</summary>
public sealed record CutoffBucketReport(string IndexKey, int Read, int Converted, int Finished, int NotDue, int Missing);

/// <summary>
/// DSP-3, the cutoff sweep, in two steps. <see cref="PlanAsync"/> (a timer every minute) reads the forward-only
/// checkpoint, lists the due index partitions after it through the current minute (<see cref="DeadlineIndex.BucketsDue"/>),
/// queues one message per partition and moves the checkpoint to the last completed minute, then drops the emptied index
/// minutes <see cref="DeadlineIndex.DropSweptAfter"/> behind it; the first run ever starts at the earliest index row. <see cref="SweepBucketAsync"/> (one queue message) reads one partition and converts each
/// open order past its deadline through <see cref="OrderHandler.ConvertIfDueAsync"/> (conditional on the order's token:
/// an overlapping run, a retried message or a racing instruction changes it at most once), then removes the index rows
/// of finished orders. Rows of the current minute not yet due stay and are read again by the next run; a row whose order
/// does not exist (a crash between index row and order) is ignored.
/// </summary>
public sealed class CutoffSweep(IOrderStore store, ISweepCheckpoint checkpoint, IOrderCutoffQueue queue, OrderHandler orders, IIdSource ids, TimeProvider clock, OrderOptions options)
{
    /// <summary>Messages moved back from the poison queue per planning run, at most.</summary>
    public const int RequeuePerRun = 64;

    /// <summary>Up to this many minutes, every shard of each minute is queued (the normal run: the current and the previous minute); beyond, only the partitions found by one range query.</summary>
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
        var dropped = await store.DropSweptBucketsAsync(due.CompletedThrough - DeadlineIndex.DropSweptAfter, cancellationToken).ConfigureAwait(false);

        // A message the host gave up on (poison) covers minutes behind the checkpoint: each run puts such messages back.
        var requeued = await queue.RequeuePoisonedAsync(RequeuePerRun, cancellationToken).ConfigureAwait(false);
        return new CutoffPlan(keys.Count, from, due.CompletedThrough, due.CaughtUp, dropped, requeued);
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

        var orderIds = await store.ListIndexAsync(indexKey, cancellationToken).ConfigureAwait(false);
        var finished = new System.Collections.Concurrent.ConcurrentBag<string>();
        var finishedOrders = new System.Collections.Concurrent.ConcurrentBag<Order>();
        int converted = 0, notDue = 0, missing = 0;
        await Parallel.ForEachAsync(orderIds, new ParallelOptions { MaxDegreeOfParallelism = options.SweepParallelism, CancellationToken = cancellationToken }, async (orderId, ct) =>
        {
            // Ids derive from the run and the order: a redelivered message makes the same event and commit stamp.
            using var operation = HubOperation.Begin($"order-cutoff/{message.Run}/{orderId}");
            var (order, didConvert) = await orders.ConvertIfDueAsync(orderId, ct).ConfigureAwait(false);
            if (order is null)
            {
                Interlocked.Increment(ref missing);
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
                    Interlocked.Increment(ref converted);
                }
            }
        }).ConfigureAwait(false);

        if (!finished.IsEmpty)
        {
            // DSP-5: the conversions' counters, and any counting an earlier request left undone for these orders, before
            // their index rows go (a failure here fails the message, which is retried; counting is repeatable).
            await orders.CountAsync(finishedOrders.ToList(), cancellationToken).ConfigureAwait(false);

            await store.RemoveIndexAsync(indexKey, finished.ToList(), cancellationToken).ConfigureAwait(false);
        }

        return new CutoffBucketReport(indexKey, orderIds.Count, converted, finished.Count, notDue, missing);
    }

    /// <summary>True for <c>yyyyMMddHHmm-ss</c> with a real minute and a shard below the configured count.</summary>
    public bool IsIndexKey(string? key)
        => key is { Length: 15 } && key[12] == '-'
           && DateTime.TryParseExact(key[..12], "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
           && int.TryParse(key[13..], NumberStyles.None, CultureInfo.InvariantCulture, out var shard) && shard < options.ShardCount;
}
