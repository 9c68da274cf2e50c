using System.Globalization;
using System.Text;

namespace HubFunctions.Core.Orders;

/// <summary>The buckets a sweep reads, and the checkpoint to store after it (see <see cref="DeadlineIndex.BucketsDue"/>).</summary>
/// <param name="Keys">Index partition keys, oldest minute first, every shard of a minute together.</param>
/// <param name="CompletedThrough">The last minute fully covered: the next checkpoint.</param>
/// <param name="CaughtUp">False when the catch-up limit cut the range: run again at once.</param>
public sealed record DueBuckets(IReadOnlyList<string> Keys, DateTimeOffset CompletedThrough, bool CaughtUp);

/// <summary>
/// One row of a deadline index partition as the sweep reads it (issue 11 (d)): the order id, the exact dispatch
/// <paramref name="Deadline"/>, and, when it fitted (<c>TableOrderStore</c>), the <paramref name="Order"/> as the intake that
/// wrote the row made it, with that intake's body <paramref name="Fingerprint"/>. Written before the order's commit, so it
/// proves nothing about the order: the intake may have died before its commit, or lost to another body. It only tells
/// the sweep when it need not read at all (<see cref="WaitsAt"/>); whether the order exists and what it is come from storage
/// (<see cref="IOrderStore.FindIndexedAsync"/>). A row of an older layout carries only the id (nulls): it is read as before.
/// </summary>
public sealed record IndexEntry(string OrderId, DateTimeOffset? Deadline = null, Order? Order = null, string? Fingerprint = null)
{
    /// <summary>
    /// The outcomes the store filed under this row's index key, read with the partition (one query for all its rows, issue 11 (d),
    /// session s11), as of that read: <see cref="OutcomesRead.Decided"/> this order with its outcome when one was there and is this
    /// row's order's. Null when not read that way. A snapshot: a conversion based on it is still conditional (an outcome inserted
    /// since makes its insert conflict), and a retry reads again without it (<see cref="OrderHandler.ConvertIfDueAsync(IndexEntry, CancellationToken)"/>).
    /// </summary>
    public OutcomesRead? Outcomes { get; init; }

    /// <summary>
    /// True when the row shows that its order needs nothing from a sweep at <paramref name="now"/>: open as the row was written and
    /// not yet past its deadline (DSP-3), so the sweep passes over it without a read. Its minute's last read comes after every
    /// deadline in that minute (rows are filed at their deadline's minute or later, <see cref="DeadlineIndex.IntakeKeyOf"/>), so a
    /// row passed over is read again once due. An order instructed meanwhile waits for its deadline too: counted (DSP-5) and
    /// its row removed then. False for a row without a deadline, or one written converted (an order due at intake).
    /// </summary>
    public bool WaitsAt(DateTimeOffset now)
        => Order is { } order ? order.Status == OrderStatus.Open && !order.IsConversionDue(now)
            : Deadline is { } deadline && !OrderRules.IsConversionDue(deadline, now);
}

/// <summary>
/// What a store read of the outcomes filed under one index key (<see cref="IndexEntry.Outcomes"/>): the outcomes partition read
/// (opaque to Core) and, for one row, its order with its outcome when the read found one for it.
/// </summary>
public sealed record OutcomesRead(string Partition, StoredOrder? Decided);

/// <summary>
/// The deadline index of open orders (DSP-3 sweep): one row per order in the partition
/// <c>{yyyyMMddHHmm}-{shard:D2}</c>, the <b>UTC</b> minute of its dispatch deadline and a shard from a stable
/// hash of the order id, so one minute's orders spread over <c>shardCount</c> partitions and a sweep reads
/// only the minutes that are due (its cost grows with the orders due, not with the orders open).
/// </summary>
public static class DeadlineIndex
{
    /// <summary>Default number of shards (<b>decided here</b>; a parameter everywhere).</summary>
    public const int DefaultShardCount = 16;

    /// <summary>
    /// <b>Decided here</b>: an emptied minute of the index is dropped once it is this far behind the checkpoint. Longer than
    /// a cutoff message takes with its retries and than an intake's index write can be delayed by its own retries, so no
    /// sweep still reads it and no intake still writes it (an intake writes into its own clock's minute or later, <see cref="IntakeKeyOf"/>).
    /// </summary>
    public static readonly TimeSpan DropSweptAfter = TimeSpan.FromMinutes(10);

    /// <summary>Most shards a key can name (two digits).</summary>
    public const int MaxShardCount = 100;

    /// <summary><b>Decided here</b>: a first run ever looks back this far; a run catches up at most this many minutes.</summary>
    public static readonly TimeSpan MaxCatchUp = TimeSpan.FromHours(24);

    /// <summary>The stable shard of <paramref name="orderId"/>: FNV-1a (32-bit) of its UTF-8 bytes, modulo <paramref name="shardCount"/>. Never <see cref="string.GetHashCode()"/>, which changes per process.</summary>
    public static int Shard(string orderId, int shardCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(orderId);
        CheckShardCount(shardCount);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(orderId))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return (int)(hash % (uint)shardCount);
    }

    /// <summary>The partition key of a minute and shard: <c>202612010359-07</c>.</summary>
    public static string Key(DateTimeOffset minute, int shard)
        => string.Create(CultureInfo.InvariantCulture, $"{Minute(minute):yyyyMMddHHmm}-{shard:D2}");

    /// <summary>The partition key of an order's index row.</summary>
    public static string KeyOf(string orderId, DateTimeOffset deadline, int shardCount) => Key(deadline, Shard(orderId, shardCount));

    /// <summary>The partition key of <paramref name="order"/>'s index row.</summary>
    public static string KeyOf(Order order, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(order);
        return KeyOf(order.OrderId, order.DispatchDeadline, shardCount);
    }

    /// <summary>
    /// <b>Decided here</b>: how long after a minute ends the sweep still reads it. A minute is completed (the checkpoint moves
    /// past it) only by a planning run at least this long after its end, so an index row written into the minute of its
    /// intake's clock (an order received seconds before its deadline, its write slowed by a retry) has at least this long to
    /// land before that minute's last read. Until session s15 the same margin was taken by filing such an order a minute
    /// ahead of its intake instead, which made its conversion wait for that later minute: up to about 70 s after its
    /// deadline, past DSP-3's 60 s (issue 11 (d): every order of the benchmark is received 20 s before its deadline).
    /// </summary>
    public static readonly TimeSpan LateWriteGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The partition key an order received at <paramref name="receivedAt"/> is indexed under: its deadline's minute, or the
    /// minute of <paramref name="receivedAt"/> when that is later (an order past its deadline at intake, converted there; its
    /// row makes the sweep re-check its DSP-5 counting). Never earlier than the deadline, so no bucket holds an order that is
    /// not due by the bucket's last read, and never earlier than the intake's own minute, which the sweep reads for
    /// <see cref="LateWriteGrace"/> after it ends.
    /// </summary>
    public static string IntakeKeyOf(Order order, DateTimeOffset receivedAt, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(order);
        return KeyOf(order.OrderId, order.DispatchDeadline > receivedAt ? order.DispatchDeadline : receivedAt, shardCount);
    }

    /// <summary>
    /// The buckets a sweep at <paramref name="now"/> reads after the checkpoint <paramref name="sweptThrough"/>
    /// (the last minute fully swept; null on the first run: the <see cref="MaxCatchUp"/> of minutes ending with the current one). The current minute
    /// is included (its rows are filtered with <see cref="Order.IsConversionDue"/>, so a deadline at 10:00:05 is
    /// converted by a run at 10:00:10, within 60 s) and stays uncompleted, as does every minute that ended less than
    /// <see cref="LateWriteGrace"/> before <paramref name="now"/>: the next run reads them again (so a run queues the current minute and the one or two before it).
    /// At most <see cref="MaxCatchUp"/> of minutes per run; missed runs are caught up over the following runs.
    /// </summary>
    public static DueBuckets BucketsDue(DateTimeOffset? sweptThrough, DateTimeOffset now, int shardCount)
    {
        CheckShardCount(shardCount);
        var current = Minute(now);
        var first = sweptThrough is { } swept ? Minute(swept).AddMinutes(1) : current - MaxCatchUp + TimeSpan.FromMinutes(1);
        var last = current;
        var caughtUp = true;
        if (last - first >= MaxCatchUp)
        {
            last = first + MaxCatchUp - TimeSpan.FromMinutes(1);
            caughtUp = false;
        }

        var keys = new List<string>();
        for (var minute = first; minute <= last; minute = minute.AddMinutes(1))
        {
            for (var shard = 0; shard < shardCount; shard++)
            {
                keys.Add(Key(minute, shard));
            }
        }

        // Never a minute that ended less than LateWriteGrace ago, also when the catch-up limit cut the range just before the
        // current minute (review of session s15).
        var graceLimit = Minute(now - LateWriteGrace).AddMinutes(-1);
        var completed = caughtUp || last > graceLimit ? graceLimit : last;
        return new DueBuckets(keys, completed < first.AddMinutes(-1) ? first.AddMinutes(-1) : completed, caughtUp);
    }

    /// <summary>The UTC minute an instant falls in.</summary>
    public static DateTimeOffset Minute(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    private static void CheckShardCount(int shardCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shardCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shardCount, MaxShardCount);
    }
}
