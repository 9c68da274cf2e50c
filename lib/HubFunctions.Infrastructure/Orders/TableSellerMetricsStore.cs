using Azure;
using Azure.Data.Tables;
using BitFaster.Caching.Lru;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Infrastructure.Orders;

/// <summary>
/// DSP-5 counters in <see cref="StorageNames.OrderMetricsTable"/>, <b>one partition per seller and month</b>
/// (<c>{sellerId}|{YYYY-MM}</c>, the China month of the order's creation). In it: counter shard rows
/// <c>shard|{nn}</c> (<see cref="OrderOptions.MetricShards"/> of them; an order counted by itself counts in the row its id
/// hashes to, so a busy seller's orders spread over several ETags; gathered counts in the row of their chunk's first order) and <b>one insert-only marker row per order and contribution</b>,
/// <c>order|{orderId}|{received|instructed|converted}</c> (<see cref="MarkerRow"/>). A contribution is counted exactly when
/// its marker is inserted: the marker insert and the shard row's write (insert or ETag replace) are one conditional commit,
/// so an existing marker makes the commit fail and nothing is counted twice.
/// <para>
/// No marker is read in the common case. Each caller says what it expects (<see cref="CountNewAsync"/>: all of a new order's
/// contributions are new; <c>changedNow</c>: the latest contribution of an order the caller has just changed is new, the
/// earlier ones are counted; otherwise a re-check: everything is counted). A commit then <b>inserts</b> the markers expected
/// new (blind) and <b>asserts</b> the markers expected there (a merge of the commit stamp under <c>If-Match: *</c>, which fails
/// with 404 when the row is missing): a re-check of orders that are all counted is one batch per group, with no read at all,
/// and counting a new contribution reads only the shard row. Invariant: a marker other than <c>received</c> is only ever
/// written in a commit that also inserts or asserts the order's <c>received</c> marker (or after reading it), so asserting an
/// order's latest marker proves all its contributions counted. When the commit fails on a marker (one expected new is there:
/// 409; one expected there is not: 404), the group falls back to reading every marker it needs and committing only the
/// missing ones (as before); a conflict on the shard row alone (a racing writer: 412 or 409 at its index) just tries again.
/// Markers of the first layout (one row <c>order|{orderId}</c> with flags) are not read: no stored data has them (no
/// production data yet; the local demo data is reseeded), see <c>Orders/DECISIONS.md</c>.
/// </para>
/// <para>
/// <b>The shard row is not read either when this process knows it</b>: the store keeps, per shard row it last read or
/// wrote, its counters and ETag (<see cref="CachedShardRows"/> rows at most, least recently used evicted first), taken
/// from the read or from the commit's response (<see cref="TableOutbox.CommitWithETagsAsync"/>), never from a commit that
/// did not surely land with a known ETag. A counting commit builds the row from that and writes it under the cached ETag;
/// if the row changed meanwhile (another instance, an outside writer, a racing commit of this process) the write fails
/// with 412 at index 0, the entry is dropped and the retry reads the row. Any other failure that may concern the row drops
/// the entry too, so a wrong entry costs one failed batch and one read, never a wrong count: the ETag guards every write.
/// </para>
/// </summary>
public sealed class TableSellerMetricsStore(HubStorage storage, TableOutbox outbox, OptimisticRetry retry, OrderOptions options, ILogger<TableSellerMetricsStore> logger) : ISellerMetricsStore
{
    public const string ShardPrefix = "shard|";
    public const string MarkerPrefix = "order|";

    /// <summary>Markers per commit beside the shard row (a transaction holds 100 entities).</summary>
    public const int MarkersPerCommit = TableOutbox.MaxTransactionEntities - 1;

    /// <summary>Shard rows whose counters and ETag this process keeps (a few hundred bytes each): sellers × shards of the busy months.</summary>
    public const int CachedShardRows = 8192;

    /// <summary>Orders whose counts this process gathers or commits at once, at most (<see cref="CountSoonAsync"/>); past it, a request counts its own order.</summary>
    public const int MaxGatheredOrders = 50_000;

    /// <summary>Gathered counts (<see cref="CountSoonAsync"/>) by seller-month partition, then order id; under <see cref="_gatherGate"/>.</summary>
    private readonly Dictionary<string, Dictionary<string, Gathered>> _gathered = new(StringComparer.Ordinal);

    private readonly object _gatherGate = new();
    private int _gatheredOrders;

    /// <summary>Whether a flusher commits what is gathered (<see cref="StartGathering"/>); without one every count is made at once. Under <see cref="_gatherGate"/>.</summary>
    private bool _gathering;

    /// <summary>One flush at a time, so a read that flushes first also waits for the commit of what a flush took before it.</summary>
    private readonly SemaphoreSlim _flushGate = new(1, 1);

    /// <summary>
    /// Commits of one shard row from this process go one at a time (the gates striped by row): a flush and a request's or the
    /// sweep's own count of the same row would otherwise race on its ETag inside one process, the loser pausing before it tries again.
    /// </summary>
    private readonly SemaphoreSlim[] _rowGates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Per shard row (partition, row key): its counters and ETag as this process last read or wrote them.</summary>
    private readonly ConcurrentLru<(string Partition, string Row), ShardRowState> _shardRows = new(CachedShardRows);

    /// <summary>A shard row as stored: its counters under this ETag.</summary>
    private sealed record ShardRowState(SellerMonthlyMetrics Counters, ETag ETag);

    /// <summary>A count waiting for its commit: the order in its latest state known here, and what to expect of its markers.</summary>
    private sealed record Gathered(Order Order, Expect Expect)
    {
        /// <summary>
        /// Two counts of one order: its later state (more contributions; a transition only ever adds one), and every contribution new
        /// if either says so (a created order whose count was not committed yet stays "all new" when its instruction follows).
        /// </summary>
        public Gathered With(Gathered other) => new(
            SellerMonthlyMetrics.EventsOf(other.Order).Count >= SellerMonthlyMetrics.EventsOf(Order).Count ? other.Order : Order,
            Expect == Expect.AllNew || other.Expect == Expect.AllNew ? Expect.AllNew : Expect.LatestNew);
    }

    /// <summary>What the caller expects of an order's markers.</summary>
    private enum Expect
    {
        /// <summary>A re-check: every contribution is counted.</summary>
        Counted,

        /// <summary>The caller has just made the order's latest transition: that contribution is new, the earlier ones counted.</summary>
        LatestNew,

        /// <summary>The caller has just created the order: every contribution is new.</summary>
        AllNew,
    }

    /// <summary>The marker row of one contribution of one order: <c>order|{orderId}|received</c>, <c>…|instructed</c>, <c>…|converted</c>.</summary>
    public static string MarkerRow(string orderId, OrderMetricEvent contribution) => MarkerPrefix + orderId + "|" + contribution switch
    {
        OrderMetricEvent.Received => "received",
        OrderMetricEvent.InstructedOnTime => "instructed",
        OrderMetricEvent.Converted => "converted",
        _ => throw new ArgumentOutOfRangeException(nameof(contribution), contribution, null),
    };

    public Task CountAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken)
        => CountAsync(orders, new HashSet<string>(StringComparer.Ordinal), cancellationToken);

    public async Task CountAsync(IReadOnlyList<Order> orders, IReadOnlySet<string> changedNow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(changedNow);
        var groups = orders
            .GroupBy(o => (Partition: Partition(o.SellerId, SellerMonthlyMetrics.MonthOf(o)), Shard: ShardRow(o.OrderId)))
            .SelectMany(g => Chunks(g.DistinctBy(o => o.OrderId)).Select(chunk => (g.Key.Partition, g.Key.Shard, Orders: chunk)));
        // Different shard rows never conflict: count them side by side.
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (group, ct) => await CountGroupAsync(group.Partition, group.Shard, group.Orders.Select(o => (o, changedNow.Contains(o.OrderId) ? Expect.LatestNew : Expect.Counted)).ToList(), ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// While a flusher runs (<see cref="StartGathering"/>), the count is gathered and committed by the next
    /// <see cref="FlushAsync"/> with the others of its seller-month partition: one commit for up to 99 markers, instead of
    /// one per request (Orders/DECISIONS.md, "Counting gathered per seller and month"). The caller does not wait for it.
    /// Without a flusher, or with <see cref="MaxGatheredOrders"/> gathered or in flight already (storage slow or away), it is counted now.
    /// </summary>
    public Task CountSoonAsync(Order order, bool created, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var count = new Gathered(order, created ? Expect.AllNew : Expect.LatestNew);
        if (Gather(Partition(order.SellerId, SellerMonthlyMetrics.MonthOf(order)), count, again: false))
        {
            return Task.CompletedTask;
        }

        return created ? CountNewAsync(order, cancellationToken) : CountAsync([order], new HashSet<string>(StringComparer.Ordinal) { order.OrderId }, cancellationToken);
    }

    /// <summary>From now on <see cref="CountSoonAsync"/> gathers counts; the caller commits them with <see cref="FlushAsync"/> from time to time.</summary>
    public void StartGathering()
    {
        lock (_gatherGate)
        {
            _gathering = true;
        }
    }

    /// <summary>
    /// From now on <see cref="CountSoonAsync"/> counts at once again (the host stops): no count is gathered after this returns,
    /// so a <see cref="FlushAsync"/> after it takes every count there will be (only a failed chunk is gathered again).
    /// </summary>
    public void StopGathering()
    {
        lock (_gatherGate)
        {
            _gathering = false;
        }
    }

    /// <summary>How many orders' counts are gathered or being committed (an order gathered again while its count is in flight counts twice).</summary>
    public int GatheredOrders
    {
        get
        {
            lock (_gatherGate)
            {
                return _gatheredOrders;
            }
        }
    }

    /// <summary>
    /// Gathers <paramref name="count"/>: a new one only while gathering and under the bound; <paramref name="again"/>, a count of
    /// a chunk that failed, always (it was counted in <see cref="GatheredOrders"/> while in flight, and is merged into a count of
    /// the same order gathered meanwhile, if any).
    /// </summary>
    private bool Gather(string partition, Gathered count, bool again)
    {
        lock (_gatherGate)
        {
            if (!again && (!_gathering || _gatheredOrders >= MaxGatheredOrders))
            {
                return false;
            }

            if (!_gathered.TryGetValue(partition, out var orders))
            {
                _gathered[partition] = orders = new(StringComparer.Ordinal);
            }

            if (orders.TryGetValue(count.Order.OrderId, out var before))
            {
                orders[count.Order.OrderId] = before.With(count);
                _gatheredOrders -= again ? 1 : 0;
            }
            else
            {
                orders[count.Order.OrderId] = count;
                _gatheredOrders += again ? 0 : 1;
            }

            return true;
        }
    }

    /// <summary>
    /// Commits the gathered counts (of <paramref name="partition"/> only, when given): per seller-month partition in chunks of
    /// at most 99 markers, each chunk one commit with one counter shard row (the first order's: any shard will do, the markers
    /// decide what is counted; the shards only spread the writers). A chunk that fails is gathered again, merged with anything
    /// gathered for its orders meanwhile, for the next flush; the first failure is then thrown. One flush at a time: a read
    /// that flushes its partition first also waits for the commits of a flush under way.
    /// </summary>
    public async Task FlushAsync(string? partition, CancellationToken cancellationToken)
    {
        await _flushGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        // The counts of many operations: no request's commit stamps (a read that flushes runs in the reader's operation).
        using var outside = HubOperation.None();
        try
        {
            var taken = new List<(string Partition, List<Gathered> Counts)>();
            lock (_gatherGate)
            {
                foreach (var key in partition is null ? [.. _gathered.Keys] : (string[])[partition])
                {
                    if (_gathered.Remove(key, out var orders) && orders.Count > 0)
                    {
                        // Still in GatheredOrders while in flight: off it once committed, back in the gathered ones if not.
                        taken.Add((key, [.. orders.Values]));
                    }
                }
            }

            var chunks = taken.SelectMany(p => Chunks(p.Counts, c => c.Order).Select(chunk => (p.Partition, Counts: chunk))).ToList();
            var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
            await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, _) =>
            {
                try
                {
                    await CountGroupAsync(chunk.Partition, ShardRow(chunk.Counts[0].Order.OrderId), [.. chunk.Counts.Select(c => (c.Order, c.Expect))], cancellationToken).ConfigureAwait(false);
                    lock (_gatherGate)
                    {
                        _gatheredOrders -= chunk.Counts.Count;
                    }
                }
                catch (Exception e)
                {
                    foreach (var count in chunk.Counts)
                    {
                        Gather(chunk.Partition, count, again: true);
                    }

                    failures.Enqueue(e);
                }
            }).ConfigureAwait(false);
            if (failures.TryDequeue(out var first))
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            }
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>
    /// A just-created order (intake): its markers cannot exist, so the first attempt reads only the shard row and inserts
    /// the markers. If one is there after all (a retry of a request whose first attempt counted and died before answering,
    /// or an order created elsewhere meanwhile), the insert conflicts: the commit recognises this try's own earlier landing by
    /// its stamp on the shard row (<see cref="TableOutbox.CommitLookingAtFirstRowAsync"/>), and any other conflict makes the
    /// next attempt read the markers.
    /// </summary>
    public Task CountNewAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return CountGroupAsync(Partition(order.SellerId, SellerMonthlyMetrics.MonthOf(order)), ShardRow(order.OrderId), [(order, Expect.AllNew)], cancellationToken);
    }

    /// <summary>Orders in chunks whose markers (at most one per contribution) fit one commit with their shard row.</summary>
    private static IEnumerable<List<Order>> Chunks(IEnumerable<Order> orders) => Chunks(orders, o => o);

    /// <summary>Items in chunks whose orders' markers (at most one per contribution) fit one commit with their shard row.</summary>
    private static IEnumerable<List<T>> Chunks<T>(IEnumerable<T> items, Func<T, Order> orderOf)
    {
        var chunk = new List<T>();
        var markers = 0;
        foreach (var item in items)
        {
            var order = orderOf(item);
            var wanted = SellerMonthlyMetrics.EventsOf(order).Count;
            if (markers + wanted > MarkersPerCommit)
            {
                yield return chunk;
                (chunk, markers) = ([], 0);
            }

            chunk.Add(item);
            markers += wanted;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>
    /// Orders of one seller-month partition and one shard row: commit what the caller expects (blind inserts, existence
    /// assertions; the shard row read only when something is to be added); after a commit that failed on a marker, read
    /// the markers and commit only what is missing.
    /// </summary>
    private async Task CountGroupAsync(string partition, string shardRow, IReadOnlyList<(Order Order, Expect Expect)> orders, CancellationToken cancellationToken)
    {
        var gate = _rowGates[(int)((uint)StringComparer.Ordinal.GetHashCode(partition + "\n" + shardRow) % (uint)_rowGates.Length)];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CountGroupUngatedAsync(partition, shardRow, orders, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CountGroupUngatedAsync(string partition, string shardRow, IReadOnlyList<(Order Order, Expect Expect)> orders, CancellationToken cancellationToken)
    {
        var readMarkers = false;
        await retry.RunAsync(async (_, ct) =>
        {
            var table = await Table(ct).ConfigureAwait(false);
            if (!readMarkers && await CommitAsync(table, partition, shardRow, orders, readMarkers: false, ct).ConfigureAwait(false) is { } added)
            {
                return added;
            }

            // A marker was not as expected: read them, now and in any later attempt (no pause: this is no race to back off from).
            readMarkers = true;
            return await CommitAsync(table, partition, shardRow, orders, readMarkers: true, ct).ConfigureAwait(false) ?? 0;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One commit for a group: without <paramref name="readMarkers"/> what the caller expects (blind inserts, existence
    /// assertions); with it, the markers read and only the missing ones inserted. The shard row is read (and written, at
    /// index 0) only when something is to be added. Returns how many contributions were added; null when a blind commit failed
    /// on a marker (or on an entity it cannot name). A conflict on the shard row (a racing writer) throws, to be retried after a pause.
    /// </summary>
    private async Task<int?> CommitAsync(TableClient table, string partition, string shardRow, IReadOnlyList<(Order Order, Expect Expect)> orders, bool readMarkers, CancellationToken ct)
    {
        // With readMarkers: the markers that exist, read (point reads, in parallel); without: what the caller expects.
        HashSet<(string OrderId, OrderMetricEvent Contribution)>? present = null;
        if (readMarkers)
        {
            var reads = await Task.WhenAll(orders.SelectMany(o => SellerMonthlyMetrics.EventsOf(o.Order)
                .Select(async e => (o.Order.OrderId, Contribution: e, Marker: await Read(table, partition, MarkerRow(o.Order.OrderId, e), ct).ConfigureAwait(false))))).ConfigureAwait(false);
            present = reads.Where(r => r.Marker is not null).Select(r => (r.OrderId, r.Contribution)).ToHashSet();
        }

        var changes = new List<TableTransactionAction>();
        var added = new List<(OrderMetricEvent Contribution, bool Premium)>();
        foreach (var (order, expect) in orders)
        {
            var wanted = SellerMonthlyMetrics.EventsOf(order);
            IReadOnlyList<OrderMetricEvent> fresh = present is not null ? [.. wanted.Where(c => !present.Contains((order.OrderId, c)))] : expect switch
            {
                Expect.AllNew => wanted,
                Expect.LatestNew when wanted.Count > 1 => [wanted[^1]],
                _ => [],
            };
            foreach (var contribution in fresh)
            {
                changes.Add(new(TableTransactionActionType.Add, Marker(partition, order.OrderId, contribution)));
                added.Add((contribution, order.Premium));
            }

            // Expected counted (blind only): the received marker beside a new latest one, else the latest (which implies received).
            if (present is null && fresh.Count < wanted.Count)
            {
                var assumed = fresh.Count > 0 ? wanted[0] : wanted[^1];
                changes.Add(new(TableTransactionActionType.UpdateMerge, Marker(partition, order.OrderId, assumed), ETag.All));
            }
        }

        var key = (partition, shardRow);
        ShardRowState? basis = null;
        SellerMonthlyMetrics? counters = null;
        if (added.Count > 0)
        {
            // The shard row first: a conflict at index 0 is a racing writer on the counters, not a marker. Its counters and
            // ETag from this process's cache when it has them, else read (and kept).
            var first = orders[0].Order;
            if (!_shardRows.TryGet(key, out basis) && await Read(table, partition, shardRow, ct).ConfigureAwait(false) is { } shard)
            {
                basis = new(FromEntity(first.SellerId, SellerMonthlyMetrics.MonthOf(first), shard), shard.ETag);
                _shardRows.AddOrUpdate(key, basis);
            }

            counters = added.Aggregate(basis?.Counters ?? SellerMonthlyMetrics.Empty(first.SellerId, SellerMonthlyMetrics.MonthOf(first)), (m, a) => m.Apply(a.Contribution, a.Premium));
            var row = ToEntity(partition, shardRow, counters);
            changes.Insert(0, basis is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, basis.ETag));
        }

        if (changes.Count == 0)
        {
            return 0;
        }

        CommitResult result;
        try
        {
            // A refused commit looks for its own stamp on its first row only (the shard row when it adds something): the markers
            // tell the rest (a try stored and then overwritten meets its markers next time, and the group reads them).
            result = await outbox.CommitLookingAtFirstRowAsync(table, partition, changes, ct).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var failed = (e as ConcurrencyConflictException)?.InnerException as TableTransactionFailedException;
            // On the shard row: a 412 (only the shard row is written under an ETag; a marker is inserted, 409, or asserted under
            // "*", 404), or whatever failed at index 0 (the shard row's insert, 409).
            var onShardRow = added.Count > 0 && (failed?.Status == 412 || failed?.FailedTransactionActionIndex == 0);
            if (added.Count > 0 && (onShardRow || failed?.FailedTransactionActionIndex is null))
            {
                // The shard row may not be as this process knows it (a conflict on it, or a failure that names no row): read it next time.
                Forget(key, basis);
            }

            if (e is ConcurrencyConflictException && !readMarkers && !onShardRow)
            {
                return null;
            }

            throw;
        }

        if (counters is not null)
        {
            // Only a commit this call stored, with the row's new ETag from its response, is kept; anything else is read next time.
            if (result is { Outcome: CommitOutcome.Committed, ETags: [{ } etag, ..] })
            {
                _shardRows.AddOrUpdate(key, new(counters, etag));
            }
            else
            {
                Forget(key, basis);
            }
        }

        return added.Count;
    }

    /// <summary>Drops the cached shard row if it is still the one a failed or unsure commit was based on (a newer one stays).</summary>
    private void Forget((string Partition, string Row) key, ShardRowState? basis)
    {
        if (basis is not null)
        {
            _shardRows.TryRemove(new KeyValuePair<(string Partition, string Row), ShardRowState>(key, basis));
        }
    }

    /// <summary>The counters as stored, after committing what this process has gathered for them (<see cref="CountSoonAsync"/>; if that fails, without them).</summary>
    public async Task<SellerMonthlyMetrics> ReadAsync(string sellerId, CalendarMonth month, CancellationToken cancellationToken)
    {
        var partition = Partition(sellerId, month);
        try
        {
            await FlushAsync(partition, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Its counts stay gathered for the flusher; the counters as committed are still the answer.
            logger.LogWarning(e, "DSP-5 counts gathered for {Partition} not committed before a read; read without them", partition);
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var shards = new List<SellerMonthlyMetrics>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ShardPrefix} and RowKey lt {"shard}"}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            shards.Add(FromEntity(sellerId, month, e));
        }

        return SellerMonthlyMetrics.Sum(sellerId, month, shards);
    }

    public static string Partition(string sellerId, CalendarMonth month) => $"{sellerId}|{month}";

    private string ShardRow(string orderId) => ShardPrefix + DeadlineIndex.Shard(orderId, options.MetricShards).ToString("D2", System.Globalization.CultureInfo.InvariantCulture);

    private static TableEntity Marker(string partition, string orderId, OrderMetricEvent contribution) => new(partition, MarkerRow(orderId, contribution));

    private static async Task<TableEntity?> Read(TableClient table, string partition, string row, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    private static SellerMonthlyMetrics FromEntity(string sellerId, CalendarMonth month, TableEntity? e) => e is null
        ? SellerMonthlyMetrics.Empty(sellerId, month)
        : new(sellerId, month, e.GetInt64("Orders") ?? 0, e.GetInt64("OnTimeInstructions") ?? 0, e.GetInt64("Conversions") ?? 0, e.GetInt64("PremiumPoolOrders") ?? 0);

    private static TableEntity ToEntity(string partition, string row, SellerMonthlyMetrics m) => new(partition, row)
    {
        ["Orders"] = m.Orders,
        ["OnTimeInstructions"] = m.OnTimeInstructions,
        ["Conversions"] = m.Conversions,
        ["PremiumPoolOrders"] = m.PremiumPoolOrders,
    };

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderMetricsTable, cancellationToken);
}
