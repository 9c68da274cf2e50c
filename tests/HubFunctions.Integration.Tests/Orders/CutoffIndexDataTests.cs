using System.Collections.Concurrent;
using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// The cutoff sweep reads an order only when it must (issue 11 (d)): an index row carries the order's deadline and data, so a
/// row not yet due is passed over without a read, an instructed order is finished from its outcome row, read with the other
/// outcomes filed under its index key in one query (session s11); a row whose
/// order was never stored is never converted, a row of the old layout is read as before, and another body's data never counts.
/// </summary>
public sealed class CutoffIndexDataTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static DevHostFactory Host(FakeTimeProvider clock, PointReadCounter reads)
        => new(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2" }, services: s => s.AddSingleton<StorageClientPolicy>(reads));

    private static Order OpenOrder(string orderId, DateTimeOffset createdAt, string sellerId = "demo-seller", int quantity = 1)
        => new(orderId, sellerId, "hangzhou", "aliexpress", createdAt, [new OrderItem("SKU-1", quantity)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null);

    private static async Task<List<TableEntity>> OutcomeRowsAsync(StorageNames names, string orderId)
    {
        var table = TestStorage.Tables().GetTableClient(names.OrderOutcomesTable);
        await table.CreateIfNotExistsAsync();
        var rows = new List<TableEntity>();
        // Wherever it is filed (the order's index key since session s11, the order id before).
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.RowKey == TableOrderStore.OutcomeRowKey(orderId)))
        {
            rows.Add(e);
        }

        return rows;
    }

    [Fact]
    public async Task DSP_3_a_duplicate_intake_compares_its_index_row_with_the_key_on_the_stored_order_row_not_with_todays_filing_rule()
    {
        // An order stored by an earlier build, filed a minute after its deadline's minute (the pre-s15 rule for a late intake):
        // the key on its order row is the truth. A duplicate intake (another body: 409) files its row under today's rule, the
        // deadline's minute, and must remove that row of its own, leaving the stored order's row where it is (review of s15).
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock, new PointReadCounter());
        await SeedAsync(factory);
        var store = factory.Services.GetRequiredService<IOrderStore>();
        var order = OpenOrder("ORD-old-filing", Created);
        var oldKey = DeadlineIndex.KeyOf(order.OrderId, order.DispatchDeadline.AddMinutes(1), 2);
        Assert.NotEqual(DeadlineIndex.IntakeKeyOf(order, clock.GetUtcNow(), 2), oldKey);
        Assert.True(await store.AddIndexAsync(oldKey, order, "fp-stored", CancellationToken.None));
        Assert.True(await store.AddFiledAsync(order, "fp-stored", oldKey, [], CancellationToken.None));

        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await HttpAssert.Problem(await SubmitAsync(platform, Body("ORD-old-filing", Created.AddSeconds(1))), HttpStatusCode.Conflict, "order-conflict");

        Assert.Equal([$"{oldKey}/ORD-old-filing"], await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_a_row_not_yet_due_is_passed_over_without_reading_its_order_and_its_order_is_read_once_due()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-wait", Created.AddSeconds(40)));
        var key = DeadlineIndex.KeyOf("ORD-wait", Created.AddHours(2), 2);

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(20)); // the deadline's minute, 20 s before the deadline
        reads.Reset();
        await RunSweepAsync(factory);
        Assert.Equal((0, 0, 0), (reads.Of(factory.Names.OrdersTable, "ORD-wait"), reads.Of(factory.Names.OrderOutcomesTable, key), reads.QueriesOf(factory.Names.OrderOutcomesTable)));
        Assert.Equal([$"{key}/ORD-wait"], await IndexRowsAsync(factory.Names));

        // Due: the outcomes filed under its index key, one query for the partition (none for it), then its order row, then the
        // conversion. No point read of its outcome row (session s11; before, one per order).
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(41));
        reads.Reset();
        await RunSweepAsync(factory);
        Assert.Equal((1, 0, 1), (reads.Of(factory.Names.OrdersTable, "ORD-wait"), reads.Of(factory.Names.OrderOutcomesTable, key), reads.QueriesOf(factory.Names.OrderOutcomesTable)));
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-wait"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-wait"));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_5_an_instructed_order_is_counted_once_and_its_row_removed_with_one_query_of_its_partitions_outcomes_and_no_read_of_its_own()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-instructed", Created));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-instructed", "INS-1"), HttpStatusCode.Created);

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1).AddSeconds(10));
        reads.Reset();
        await RunSweepAsync(factory);
        // Its outcome came with the query of the outcomes filed under its index key: no point read of its order or outcome row.
        var key = await OutcomePartitionAsync(factory.Names, "ORD-instructed");
        Assert.Equal(DeadlineIndex.KeyOf("ORD-instructed", Created.AddHours(2), 2), key);
        Assert.Equal((0, 0, 1), (reads.Of(factory.Names.OrdersTable, "ORD-instructed"), reads.Of(factory.Names.OrderOutcomesTable, key), reads.QueriesOf(factory.Names.OrderOutcomesTable)));
        Assert.Empty(await IndexRowsAsync(factory.Names));
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-instructed"));
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-instructed"));
        var metrics = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"));
        Assert.Equal((1L, 1L, 0L), (metrics.GetProperty("orders").GetInt64(), metrics.GetProperty("onTimeInstructions").GetInt64(), metrics.GetProperty("conversions").GetInt64()));
    }

    [Fact]
    public async Task DSP_3_an_index_row_carrying_the_data_of_an_order_whose_intake_died_before_its_commit_is_not_converted()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);
        var store = factory.Services.GetRequiredService<IOrderStore>();

        // Two intakes wrote their index rows, with their orders' data, and died before the orders' commits: one open, one converted
        // at intake (past its deadline then; filed under its intake's minute).
        var open = OpenOrder("ORD-ghost-open", Created);
        var openKey = DeadlineIndex.KeyOf(open, 2);
        Assert.True(await store.AddIndexAsync(openKey, open, open.OrderId + "-fp", CancellationToken.None));
        var late = OpenOrder("ORD-ghost-late", Created).Convert(Created.AddHours(2).AddSeconds(5)).Order;
        var lateKey = DeadlineIndex.IntakeKeyOf(late, Created.AddHours(2).AddSeconds(5), 2);
        Assert.Equal(OrderStatus.Converted, late.Status);
        Assert.True(await store.AddIndexAsync(lateKey, late, late.OrderId + "-fp", CancellationToken.None));

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1).AddSeconds(10)); // both rows due
        await RunSweepAsync(factory);
        foreach (var id in new[] { "ORD-ghost-open", "ORD-ghost-late" })
        {
            Assert.Empty(await EventTypesAsync(factory.Names, id));
            Assert.Empty(await OutcomeRowsAsync(factory.Names, id));
            Assert.Equal(1, reads.Of(factory.Names.OrdersTable, id)); // its order row was looked for
        }

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.GetAsync("/api/orders/ORD-ghost-open"), HttpStatusCode.NotFound, "not-found");
        // Left to the planner; both in the deadline's minute now (the late one under its intake's minute, 12:00:05).
        Assert.Equal(new[] { $"{openKey}/ORD-ghost-open", $"{lateKey}/ORD-ghost-late" }.Order(StringComparer.Ordinal), await IndexRowsAsync(factory.Names));

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(13).AddSeconds(5)); // the planner removes rows without an order
        var plan = await factory.Services.GetRequiredService<CutoffSweep>().PlanAsync(CancellationToken.None);
        Assert.Equal((2, 2), (plan.Leftovers, plan.LeftoversRemoved));
        Assert.Empty(await IndexRowsAsync(factory.Names));
        Assert.Empty(await OutcomeRowsAsync(factory.Names, "ORD-ghost-open"));
    }

    [Fact]
    public async Task DSP_3_an_index_row_of_the_old_layout_without_order_data_still_converts_its_order()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);
        var order = OpenOrder("ORD-old-row", Created);
        await factory.Services.GetRequiredService<IOrderStore>().AddAsync(order, "fp", null, [], CancellationToken.None);
        var key = DeadlineIndex.KeyOf(order, 2);
        await AddIndexRowAsync(factory.Names, key, "ORD-old-row"); // id only, as written before issue 11 (d)

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(30));
        await RunSweepAsync(factory);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-old-row"));
        Assert.Equal([OrderEvents.ConvertedToNonHub], await EventTypesAsync(factory.Names, "ORD-old-row"));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_an_order_stored_before_session_s11_with_its_outcome_under_its_own_id_is_found_instructed_and_not_converted()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);

        // Two orders in one index partition: one stored as before session s11 (its order row names no outcome partition, so its
        // outcome goes under its own id), one stored now (its outcome under the index key); both instructed, their rows with data.
        var store = factory.Services.GetRequiredService<IOrderStore>();
        var old = OpenOrder("ORD-layout-old", Created);
        var key = DeadlineIndex.KeyOf(old, 2);
        Assert.True(await store.AddIndexAsync(key, old, "fp-old", CancellationToken.None));
        Assert.True(await store.AddAsync(old, "fp-old", null, [], CancellationToken.None));
        var recent = Enumerable.Range(0, 50).Select(i => $"ORD-layout-new-{i}").First(id => DeadlineIndex.KeyOf(id, Created.AddHours(2), 2) == key);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body(recent, Created));
        await HttpAssert.Json(await InstructAsync(seller, old.OrderId, "INS-OLD"), HttpStatusCode.Created);
        await HttpAssert.Json(await InstructAsync(seller, recent, "INS-NEW"), HttpStatusCode.Created);
        Assert.Equal((old.OrderId, key), (await OutcomePartitionAsync(factory.Names, old.OrderId), await OutcomePartitionAsync(factory.Names, recent)));

        // The sweep's query of the key's outcomes finds the recent one's only; the old one's order row sends it to its own id.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1).AddSeconds(10));
        reads.Reset();
        await RunSweepAsync(factory);
        Assert.Equal((1, 1), (reads.Of(factory.Names.OrdersTable, old.OrderId), reads.Of(factory.Names.OrderOutcomesTable, old.OrderId)));
        Assert.Equal((0, 0), (reads.Of(factory.Names.OrdersTable, recent), reads.Of(factory.Names.OrderOutcomesTable, key)));
        foreach (var id in new[] { old.OrderId, recent })
        {
            Assert.Equal("instructed", await StatusAsync(seller, id));
            Assert.DoesNotContain(OrderEvents.ConvertedToNonHub, await EventTypesAsync(factory.Names, id));
        }

        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_an_intake_that_stores_its_order_over_a_row_left_by_a_dead_intake_of_another_body_rewrites_the_row_with_its_own_data()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);

        // A first intake of ORD-twice (due at 12:00:50) wrote its row and died; a second, another body due at 12:00:10, same minute
        // and shard, stores the order: the row must carry the stored order's deadline, or the sweep would wait for the other's.
        var dead = OpenOrder("ORD-twice", Created.AddSeconds(50), quantity: 9);
        var key = DeadlineIndex.KeyOf(dead, 2);
        Assert.True(await factory.Services.GetRequiredService<IOrderStore>().AddIndexAsync(key, dead, "fp-dead", CancellationToken.None));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-twice", Created.AddSeconds(10)));
        Assert.Equal(key, DeadlineIndex.KeyOf("ORD-twice", Created.AddSeconds(10).AddHours(2), 2));

        var row = (await TestStorage.Tables().GetTableClient(factory.Names.OrderDeadlinesTable + key[..12]).GetEntityAsync<TableEntity>(key[13..], "ORD-twice")).Value;
        var entry = TableOrderStore.EntryOf(row);
        Assert.Equal(Created.AddSeconds(10).AddHours(2), entry.Deadline);
        Assert.NotEqual("fp-dead", entry.Fingerprint);

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(20)); // 10 s past the stored order's deadline, 30 s before the dead intake's
        await RunSweepAsync(factory);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-twice"));
    }

    [Fact]
    public async Task DSP_5_an_instructed_order_whose_row_holds_another_bodys_data_is_counted_as_stored_never_as_the_row_says()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = Host(clock, reads);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-other", Created));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-other", "INS-1"), HttpStatusCode.Created);

        // The row holds another body's data (another seller's), as a dead intake left it if this order's intake died between its
        // commit and its rewrite of the row.
        var key = DeadlineIndex.KeyOf("ORD-other", Created.AddHours(2), 2);
        var bucket = TestStorage.Tables().GetTableClient(factory.Names.OrderDeadlinesTable + key[..12]);
        await bucket.UpsertEntityAsync(TableOrderStore.IndexEntity(key, OpenOrder("ORD-other", Created, "other-seller"), "fp-other"), TableUpdateMode.Replace);

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1).AddSeconds(10));
        reads.Reset();
        await RunSweepAsync(factory);
        Assert.Equal(1, reads.Of(factory.Names.OrdersTable, "ORD-other")); // the outcome does not vouch for the row's data: the order is read
        Assert.Empty(await IndexRowsAsync(factory.Names));
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var month = SellerMonthlyMetrics.MonthOf(OpenOrder("ORD-other", Created));
        var mine = await metrics.ReadAsync("demo-seller", month, CancellationToken.None);
        var other = await metrics.ReadAsync("other-seller", month, CancellationToken.None);
        Assert.Equal((1L, 1L), (mine.Orders, mine.OnTimeInstructions));
        Assert.Equal((0L, 0L), (other.Orders, other.OnTimeInstructions));
    }
}
