using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// DSP-5 counting without reading the shard row: the store keeps each shard row's counters and ETag as it last read or
/// wrote them (<see cref="TableSellerMetricsStore"/>), writes under that ETag, and reads the row again only after a conflict.
/// </summary>
public sealed class OrderMetricsShardCacheTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);
    private static readonly CalendarMonth Month = CalendarMonth.Of(new DateOnly(2026, 12, 1));

    /// <summary>Counts the reads (GET) of counter shard rows this process sends, the outbox's read-backs included, and all its point reads of the seller-month's rows.</summary>
    private sealed class CountShardReads : StorageClientPolicy
    {
        private int _reads;
        private int _rowReads;

        public int Reads => Volatile.Read(ref _reads);

        /// <summary>Point reads of any row of demo-seller's month (shard rows and markers).</summary>
        public int RowReads => Volatile.Read(ref _rowReads);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var path = Uri.UnescapeDataString(message.Request.Uri.ToUri().AbsolutePath);
            if (message.Request.Method == RequestMethod.Get && path.Contains("RowKey='" + TableSellerMetricsStore.ShardPrefix, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _reads);
            }

            if (message.Request.Method == RequestMethod.Get && path.Contains("(PartitionKey='" + TableSellerMetricsStore.Partition("demo-seller", Month) + "',RowKey=", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _rowReads);
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    private static Order Open(string orderId, bool premium = false)
        => new(orderId, "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], premium, Created.AddMinutes(1), OrderStatus.Open, null, null, null);

    private static async Task<(long Orders, long OnTime, long Conversions, long Premium)> CountersAsync(ISellerMetricsStore metrics)
    {
        var m = await metrics.ReadAsync("demo-seller", Month, CancellationToken.None);
        return (m.Orders, m.OnTimeInstructions, m.Conversions, m.PremiumPoolOrders);
    }

    /// <summary>Conflicts pause on the fake clock before their retry (OptimisticRetry): move it while counting.</summary>
    private static Task<bool> Counting(FakeTimeProvider clock, Task counting) => clock.WhileTimePassesAsync(Done(counting));

    private static async Task<bool> Done(Task task)
    {
        await task;
        return true;
    }

    [Fact]
    public async Task DSP_5_counting_again_reads_the_shard_row_at_most_once_and_a_row_changed_behind_the_store_is_reread_and_counted_exactly()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new CountShardReads();
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:MetricShards"] = "1" },
            services: s => s.AddSingleton<StorageClientPolicy>(reads));
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var (a, b, c) = (Open("ORD-sc-a", premium: true), Open("ORD-sc-b"), Open("ORD-sc-c"));

        // One shard row: the first counting finds none (one read), every later one writes from what the last commit gave back.
        await Counting(clock, metrics.CountNewAsync(a, CancellationToken.None));
        await Counting(clock, metrics.CountNewAsync(b, CancellationToken.None));
        await Counting(clock, metrics.CountAsync([a with { Status = OrderStatus.Instructed }], new HashSet<string> { a.OrderId }, CancellationToken.None));
        await Counting(clock, metrics.CountAsync([b with { Status = OrderStatus.Converted }], new HashSet<string> { b.OrderId }, CancellationToken.None));
        Assert.Equal(1, reads.Reads);
        Assert.Equal((2L, 1L, 1L, 1L), await CountersAsync(metrics));

        // Another writer changes the row behind the store's back: the store's next write fails on its ETag (412), it reads
        // the row again and counts on top of what is stored, not of what it knew.
        var table = await factory.Services.GetRequiredService<HubStorage>().TableAsync(factory.Names.OrderMetricsTable);
        var partition = TableSellerMetricsStore.Partition("demo-seller", Month);
        var shard = (await table.GetEntityAsync<TableEntity>(partition, TableSellerMetricsStore.ShardPrefix + "00")).Value;
        shard["Orders"] = shard.GetInt64("Orders") + 10;
        await table.UpdateEntityAsync(shard, shard.ETag, TableUpdateMode.Replace);
        var before = reads.Reads;
        await Counting(clock, metrics.CountNewAsync(c, CancellationToken.None));
        Assert.Equal((13L, 1L, 1L, 1L), await CountersAsync(metrics));
        Assert.True(reads.Reads > before, "the conflict made the store read the shard row again");

        // And from then on it knows the row again: no read.
        before = reads.Reads;
        await Counting(clock, metrics.CountAsync([c with { Status = OrderStatus.Instructed }], new HashSet<string> { c.OrderId }, CancellationToken.None));
        Assert.Equal(before, reads.Reads);
        Assert.Equal((13L, 2L, 1L, 1L), await CountersAsync(metrics));
    }

    [Fact]
    public async Task DSP_5_a_counting_that_loses_the_race_for_the_shard_row_reads_only_that_row_again_not_every_row_of_its_commit()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new CountShardReads();
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:MetricShards"] = "1" },
            services: s => s.AddSingleton<StorageClientPolicy>(reads));
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var orders = Enumerable.Range(0, 6).Select(i => Open($"ORD-sr-{i}", premium: i == 0)).ToList();
        foreach (var order in orders)
        {
            await Counting(clock, metrics.CountNewAsync(order, CancellationToken.None));
        }

        // Another writer changes the shard row behind the store's back.
        var table = await factory.Services.GetRequiredService<HubStorage>().TableAsync(factory.Names.OrderMetricsTable);
        var shard = (await table.GetEntityAsync<TableEntity>(TableSellerMetricsStore.Partition("demo-seller", Month), TableSellerMetricsStore.ShardPrefix + "00")).Value;
        shard["Orders"] = shard.GetInt64("Orders") + 10;
        await table.UpdateEntityAsync(shard, shard.ETag, TableUpdateMode.Replace);

        // Six conversions in one commit (13 rows: the shard row, six new markers, six received markers asserted) fail on the
        // shard row's ETag (412). The commit looks for its own stamp on the shard row alone (is it an earlier try of its own?),
        // and the store's next attempt reads that row again and commits: two reads. Before session s11 the outbox looked
        // for the stamp on each of the 13 rows (13 reads) before the store read the shard row: 14.
        var before = reads.RowReads;
        var converted = orders.Select(o => o with { Status = OrderStatus.Converted }).ToList();
        await Counting(clock, metrics.CountAsync(converted, converted.Select(o => o.OrderId).ToHashSet(), CancellationToken.None));
        Assert.Equal(2, reads.RowReads - before);
        Assert.Equal((16L, 0L, 6L, 0L), await CountersAsync(metrics));

        // Counted again (a retried sweep): every marker is there, nothing is added twice.
        await Counting(clock, metrics.CountAsync(converted, converted.Select(o => o.OrderId).ToHashSet(), CancellationToken.None));
        Assert.Equal((16L, 0L, 6L, 0L), await CountersAsync(metrics));
    }

    [Fact]
    public async Task DSP_5_two_instances_counting_the_same_seller_month_at_once_give_exact_totals()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var names = TestStorage.IsolatedNames();
        var settings = new Dictionary<string, string?> { ["Hub:Orders:MetricShards"] = "2" };
        using var first = new DevHostFactory(clock: clock, names: names, settings: settings);
        using var second = new DevHostFactory(clock: clock, names: names, settings: settings);
        var instances = new[] { first.Services.GetRequiredService<ISellerMetricsStore>(), second.Services.GetRequiredService<ISellerMetricsStore>() };
        var orders = Enumerable.Range(0, 24).Select(i => Open($"ORD-sc2-{i:D2}", premium: i % 3 == 0)).ToList();

        // Each instance counts some orders first, so both know both shard rows; every later write of one makes the other's stale.
        await Counting(clock, Task.WhenAll(orders.Take(8).Select((o, i) => instances[i % 2].CountNewAsync(o, CancellationToken.None))));

        // Then both at once: new orders, instructions and conversions of the first ones, each on one instance or the other.
        var work = orders.Skip(8).Select((o, i) => instances[i % 2].CountNewAsync(o, CancellationToken.None))
            .Concat(orders.Take(8).Select((o, i) =>
            {
                var done = o with { Status = i % 2 == 0 ? OrderStatus.Instructed : OrderStatus.Converted };
                return instances[(i + 1) % 2].CountAsync([done], new HashSet<string> { o.OrderId }, CancellationToken.None);
            }));
        await Counting(clock, Task.WhenAll(work));

        // 24 orders; of the first 8, four instructed (premium among them: orders 0 and 6) and four converted.
        Assert.Equal((24L, 4L, 4L, 2L), await CountersAsync(instances[0]));
        Assert.Equal((24L, 4L, 4L, 2L), await CountersAsync(instances[1]));
    }
}
