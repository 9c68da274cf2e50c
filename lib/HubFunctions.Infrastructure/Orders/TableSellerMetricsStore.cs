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
/// to, so a busy seller's orders spread over several ETags) and one marker row per counted order, <c>order|{orderId}</c>,
/// naming what was counted for it. <see cref="CountAsync"/> reads the order's marker and its shard row, adds what the
/// order's state contributes and the marker does not name yet, and writes both in <b>one</b> conditional commit (marker
/// insert or ETag replace, shard insert or ETag replace): a contribution is counted exactly when its marker flag is set,
/// so a retried request, a redelivered sweep message or the sweep's own re-check count nothing twice, and a racing
/// writer conflicts and re-reads (<see cref="OptimisticRetry"/>).
/// </summary>
public sealed class TableSellerMetricsStore(HubStorage storage, TableOutbox outbox, OptimisticRetry retry, OrderOptions options) : ISellerMetricsStore
{
    public const string ShardPrefix = "shard|";
    public const string MarkerPrefix = "order|";

    /// <summary>Orders per commit with their shard row (a transaction holds 100 entities).</summary>
    public const int OrdersPerCommit = TableOutbox.MaxTransactionEntities - 1;

    public async Task CountAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var groups = orders
            .GroupBy(o => (Partition: Partition(o.SellerId, SellerMonthlyMetrics.MonthOf(o)), Shard: ShardRow(o.OrderId)))
            .SelectMany(g => g.DistinctBy(o => o.OrderId).Chunk(OrdersPerCommit).Select(chunk => (g.Key.Partition, g.Key.Shard, Orders: chunk)));
        // Different shard rows never conflict: count them side by side.
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (group, ct) => await CountGroupAsync(group.Partition, group.Shard, group.Orders, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// A just-created order (intake): its marker cannot exist, so the first attempt reads only the shard row and inserts
    /// the marker (one point read less per intake). If the marker is there after all (a retry of a request whose first
    /// attempt counted and died before answering, or an order created elsewhere meanwhile), the insert conflicts:
    /// <see cref="TableOutbox.CommitAsync"/> tells this operation's own earlier commit apart (stamp), and any other conflict
    /// makes the next attempt read the marker as <see cref="CountAsync"/> does. Nothing is ever counted without its marker flag.
    /// </summary>
    public Task CountNewAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        return CountGroupAsync(Partition(order.SellerId, SellerMonthlyMetrics.MonthOf(order)), ShardRow(order.OrderId), [order], cancellationToken, markersAbsentAtFirst: true);
    }

    /// <summary>Orders of one seller-month partition and one shard row: read their markers and the row, commit what is missing in one transaction.</summary>
    private Task<int> CountGroupAsync(string partition, string shardRow, IReadOnlyList<Order> orders, CancellationToken cancellationToken, bool markersAbsentAtFirst = false)
        => retry.RunAsync(async (attempt, ct) =>
        {
            var table = await Table(ct).ConfigureAwait(false);
            var shardRead = Read(table, partition, shardRow, ct);
            var markersRead = markersAbsentAtFirst && attempt == 1
                ? Task.FromResult(new TableEntity?[orders.Count])
                : Task.WhenAll(orders.Select(o => Read(table, partition, MarkerPrefix + o.OrderId, ct)));
            await Task.WhenAll(shardRead, markersRead).ConfigureAwait(false);
            var shard = shardRead.Result;
            var first = orders[0];
            var counters = FromEntity(first.SellerId, SellerMonthlyMetrics.MonthOf(first), shard);
            var changes = new List<TableTransactionAction>();
            for (var i = 0; i < orders.Count; i++)
            {
                var (order, marker) = (orders[i], markersRead.Result[i]);
                var wanted = SellerMonthlyMetrics.EventsOf(order);
                var missing = wanted.Where(w => marker?.GetBoolean(w.ToString()) != true).ToList();
                if (missing.Count == 0)
                {
                    continue;
                }

                counters = missing.Aggregate(counters, (m, e) => m.Apply(e, order.Premium));
                var newMarker = new TableEntity(partition, MarkerPrefix + order.OrderId);
                foreach (var e in wanted)
                {
                    newMarker[e.ToString()] = true;
                }

                changes.Add(Write(newMarker, marker));
            }

            if (changes.Count == 0)
            {
                return 0;
            }

            changes.Add(Write(ToEntity(partition, shardRow, counters), shard));
            await outbox.CommitAsync(table, partition, changes, [], ct).ConfigureAwait(false);
            return changes.Count - 1;
        }, cancellationToken);

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

    private static TableTransactionAction Write(TableEntity entity, TableEntity? read)
        => read is null ? new(TableTransactionActionType.Add, entity) : new(TableTransactionActionType.UpdateReplace, entity, read.ETag);

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
