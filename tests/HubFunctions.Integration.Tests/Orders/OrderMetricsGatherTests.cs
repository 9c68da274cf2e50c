using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// DSP-5 counts of intakes and accepted instructions gathered per seller and month and committed together
/// (<see cref="TableSellerMetricsStore.CountSoonAsync"/>, <c>SellerMetricsFlusher</c>): by the flusher every
/// <c>Hub:Orders:MetricsFlushInterval</c>, by a read of the counters first, and when the host stops; a failed flush is tried
/// again; every count exactly once.
/// </summary>
public sealed class OrderMetricsGatherTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    /// <summary>Counts the writes into one table (plain writes and <c>$batch</c>es), and refuses them while <see cref="Failing"/>.</summary>
    private sealed class TableWritesOn(string table) : StorageClientPolicy
    {
        private int _writes;
        private int _refused;
        private volatile bool _failing;

        public int Writes => Volatile.Read(ref _writes);

        public int Refused => Volatile.Read(ref _refused);

        public bool Failing
        {
            set => _failing = value;
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var request = message.Request;
            var onTable = TableWrites.IsTransaction(request)
                && (request.Uri.Path.Contains("/" + table, StringComparison.Ordinal) || TableWrites.IsBatchOn(request, table, message.CancellationToken));
            if (onTable)
            {
                Interlocked.Increment(ref _writes);
                if (_failing)
                {
                    Interlocked.Increment(ref _refused);
                    throw new RequestFailedException(503, "Injected fault: the counters' table is not available.", "ServerBusy", null);
                }
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    private static DevHostFactory Host(StorageNames names, TimeSpan flushInterval, TableWritesOn? writes = null) => new(
        clock: new FakeTimeProvider(Created.AddMinutes(1)),
        names: names,
        settings: new Dictionary<string, string?> { ["Hub:Orders:MetricsFlushInterval"] = flushInterval.ToString("c", System.Globalization.CultureInfo.InvariantCulture) },
        services: writes is null ? null : s => s.AddSingleton<StorageClientPolicy>(writes));

    /// <summary>demo-seller's counters for 2026-12 as stored: the shard rows summed, read directly (not through the store, whose read commits first).</summary>
    private static async Task<(long Orders, long OnTime)> StoredAsync(StorageNames names)
    {
        var table = TestStorage.Tables().GetTableClient(names.OrderMetricsTable);
        var partition = TableSellerMetricsStore.Partition("demo-seller", CalendarMonth.Of(new DateOnly(2026, 12, 1)));
        long orders = 0, onTime = 0;
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition))
            {
                if (row.RowKey.StartsWith(TableSellerMetricsStore.ShardPrefix, StringComparison.Ordinal))
                {
                    orders += row.GetInt64("Orders") ?? 0;
                    onTime += row.GetInt64("OnTimeInstructions") ?? 0;
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No table yet: nothing counted.
        }

        return (orders, onTime);
    }

    private static async Task<(long Orders, long OnTime)> ReadAsync(HttpClient client)
    {
        var metrics = await HttpAssert.Json(await client.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"));
        return (metrics.GetProperty("orders").GetInt64(), metrics.GetProperty("onTimeInstructions").GetInt64());
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Not within 60 s: {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task DSP_5_counts_of_intakes_and_instructions_are_gathered_and_committed_together_and_a_read_includes_them()
    {
        var names = TestStorage.IsolatedNames();
        var writes = new TableWritesOn(names.OrderMetricsTable);
        using var factory = Host(names, TimeSpan.FromMinutes(10), writes);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SubmittedAsync(platform, Body($"ORD-g-{i}", Created))));
        for (var i = 0; i < 4; i++)
        {
            await HttpAssert.Json(await InstructAsync(seller, $"ORD-g-{i}", $"INS-g-{i}"), HttpStatusCode.Created);
        }

        // Answered, not counted yet: gathered in this process (the flusher's next tick is minutes away).
        var store = Assert.IsType<TableSellerMetricsStore>(factory.Services.GetRequiredService<ISellerMetricsStore>());
        Assert.Equal(10, store.GatheredOrders);
        Assert.Equal(0, writes.Writes);
        Assert.Equal((0L, 0L), await StoredAsync(names));

        // A read commits them first: all 14 contributions in one transaction with one counter row, and includes them.
        Assert.Equal((10L, 4L), await ReadAsync(platform));
        Assert.Equal(1, writes.Writes);
        Assert.Equal((10L, 4L), await StoredAsync(names));
        Assert.Equal(0, store.GatheredOrders);

        // Nothing is counted twice: the same instruction again, and another read.
        await HttpAssert.Json(await InstructAsync(seller, "ORD-g-0", "INS-g-0"), HttpStatusCode.Created);
        Assert.Equal((10L, 4L), await ReadAsync(seller));
    }

    [Fact]
    public async Task DSP_5_counts_gathered_when_the_host_stops_are_committed_then()
    {
        var names = TestStorage.IsolatedNames();
        using (var factory = Host(names, TimeSpan.FromMinutes(10)))
        {
            await SeedAsync(factory);
            using var platform = factory.CreateSignedClient(TestClients.Platform);
            for (var i = 0; i < 3; i++)
            {
                await SubmittedAsync(platform, Body($"ORD-stop-{i}", Created));
            }

            Assert.Equal((0L, 0L), await StoredAsync(names));
        }

        Assert.Equal((3L, 0L), await StoredAsync(names));
        using var next = Host(names, TimeSpan.FromMinutes(10));
        using var reviewer = next.CreateSignedClient(TestClients.Reviewer);
        Assert.Equal((3L, 0L), await ReadAsync(reviewer));
    }

    [Fact]
    public async Task DSP_5_a_flush_that_fails_is_tried_again_by_the_next_and_counts_once()
    {
        var names = TestStorage.IsolatedNames();
        var writes = new TableWritesOn(names.OrderMetricsTable) { Failing = true };
        using var factory = Host(names, TimeSpan.FromMilliseconds(50), writes);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-f-1", Created));
        await SubmittedAsync(platform, Body("ORD-f-2", Created));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-f-1", "INS-f-1"), HttpStatusCode.Created);

        // The flusher's commits are refused, flush after flush: nothing stored, the counts kept (gathered, or in flight again).
        await UntilAsync(() => Task.FromResult(writes.Refused >= 3), "three refused commits");
        Assert.Equal((0L, 0L), await StoredAsync(names));
        var store = Assert.IsType<TableSellerMetricsStore>(factory.Services.GetRequiredService<ISellerMetricsStore>());
        Assert.True(store.GatheredOrders >= 2, $"{store.GatheredOrders} orders gathered");

        // The table is back: a later flush commits them, once.
        writes.Failing = false;
        await UntilAsync(async () => await StoredAsync(names) == (2L, 1L), "the counts committed by the flusher");
        await UntilAsync(() => Task.FromResult(store.GatheredOrders == 0), "nothing left gathered");
        Assert.Equal((2L, 1L), await ReadAsync(platform));
        Assert.Equal((2L, 1L), await StoredAsync(names));
    }
}
