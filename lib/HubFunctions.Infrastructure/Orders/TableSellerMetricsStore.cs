using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Orders;

/// <summary>
/// DSP-5 counters in <see cref="StorageNames.OrderMetricsTable"/>, <b>one partition per seller and month</b>
/// (<c>{sellerId}|{YYYY-MM}</c>, the China month of the order's creation). In it: counter shard rows
/// <c>shard|{nn}</c> (<see cref="OrderOptions.MetricShards"/> of them; an order always counts in the row its id hashes
/// to, so a busy seller's orders spread over several ETags) and <b>one insert-only marker row per order and contribution</b>,
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
/// </summary>
public sealed class TableSellerMetricsStore(HubStorage storage, TableOutbox outbox, OptimisticRetry retry, OrderOptions options) : ISellerMetricsStore
{
    public const string ShardPrefix = "shard|";
    public const string MarkerPrefix = "order|";

    /// <summary>Markers per commit beside the shard row (a transaction holds 100 entities).</summary>
    public const int MarkersPerCommit = TableOutbox.MaxTransactionEntities - 1;

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
    /// A just-created order (intake): its markers cannot exist, so the first attempt reads only the shard row and inserts
    /// the markers. If one is there after all (a retry of a request whose first attempt counted and died before answering,
    /// or an order created elsewhere meanwhile), the insert conflicts: <see cref="TableOutbox.CommitAsync"/> tells this
    /// operation's own earlier commit apart (stamp), and any other conflict makes the next attempt read the markers.
    /// </summary>
    public Task CountNewAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return CountGroupAsync(Partition(order.SellerId, SellerMonthlyMetrics.MonthOf(order)), ShardRow(order.OrderId), [(order, Expect.AllNew)], cancellationToken);
    }

    /// <summary>Orders in chunks whose markers (at most one per contribution) fit one commit with their shard row.</summary>
    private static IEnumerable<List<Order>> Chunks(IEnumerable<Order> orders)
    {
        var chunk = new List<Order>();
        var markers = 0;
        foreach (var order in orders)
        {
            var wanted = SellerMonthlyMetrics.EventsOf(order).Count;
            if (markers + wanted > MarkersPerCommit)
            {
                yield return chunk;
                (chunk, markers) = ([], 0);
            }

            chunk.Add(order);
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

        if (added.Count > 0)
        {
            // The shard row first: a conflict at index 0 is a racing writer on the counters, not a marker.
            var shard = await Read(table, partition, shardRow, ct).ConfigureAwait(false);
            var first = orders[0].Order;
            var counters = added.Aggregate(FromEntity(first.SellerId, SellerMonthlyMetrics.MonthOf(first), shard), (m, a) => m.Apply(a.Contribution, a.Premium));
            var row = ToEntity(partition, shardRow, counters);
            changes.Insert(0, shard is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, shard.ETag));
        }

        if (changes.Count == 0)
        {
            return 0;
        }

        try
        {
            await outbox.CommitAsync(table, partition, changes, [], ct).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException e) when (!readMarkers
            && !(added.Count > 0 && e.InnerException is TableTransactionFailedException { FailedTransactionActionIndex: 0 }))
        {
            return null;
        }

        return added.Count;
    }

    public async Task<SellerMonthlyMetrics> ReadAsync(string sellerId, CalendarMonth month, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = Partition(sellerId, month);
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
