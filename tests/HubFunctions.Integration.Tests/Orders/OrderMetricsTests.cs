using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Integration.Tests.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>DSP-5 counters kept as the orders' events happen, and <c>GET /api/sellers/{id}/metrics</c>.</summary>
public sealed class OrderMetricsTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static async Task<JsonElement> MetricsAsync(HttpClient client, string sellerId = "demo-seller", string month = "2026-12")
        => await HttpAssert.Json(await client.GetAsync($"/api/sellers/{sellerId}/metrics?month={month}"));

    private static (long Orders, long OnTime, long Conversions, long Premium) Counters(JsonElement m)
        => (m.GetProperty("orders").GetInt64(), m.GetProperty("onTimeInstructions").GetInt64(), m.GetProperty("conversions").GetInt64(), m.GetProperty("premiumPoolOrders").GetInt64());

    private static Dictionary<string, object?> Premium(Dictionary<string, object?> body)
    {
        body["premium"] = true;
        return body;
    }

    [Fact]
    public async Task DSP_5_intake_instruction_and_conversion_are_counted_once_each_even_when_requests_and_the_sweep_are_retried()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2", ["Hub:Orders:MetricShards"] = "2" });
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        Assert.Equal((0L, 0L, 0L, 0L), Counters(await MetricsAsync(reviewer)));

        // The same request twice (same webhook-id: replayed), and the same order again under a new webhook-id (answered as before).
        using (var retried = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(Premium(Body("ORD-m-premium", Created))) })
        {
            retried.Headers.Add("webhook-id", "msg_metrics_intake_1");
            await HttpAssert.Json(await platform.SendAsync(retried), HttpStatusCode.Accepted);
        }

        using (var retried = new HttpRequestMessage(HttpMethod.Post, "/api/orders") { Content = JsonContent.Create(Premium(Body("ORD-m-premium", Created))) })
        {
            retried.Headers.Add("webhook-id", "msg_metrics_intake_1");
            await HttpAssert.Json(await platform.SendAsync(retried), HttpStatusCode.Accepted);
        }

        await SubmittedAsync(platform, Premium(Body("ORD-m-premium", Created)));
        await SubmittedAsync(platform, Body("ORD-m-plain", Created));
        await SubmittedAsync(platform, Premium(Body("ORD-m-converted", Created)));
        Assert.Equal((3L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        clock.SetUtcNow(Created.AddMinutes(90));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-m-premium", "INS-P"), HttpStatusCode.Created);
        await HttpAssert.Json(await InstructAsync(seller, "ORD-m-premium", "INS-P"), HttpStatusCode.Created); // the same instruction again
        await HttpAssert.Json(await InstructAsync(seller, "ORD-m-plain", "INS-Q"), HttpStatusCode.Created);
        Assert.Equal((3L, 2L, 0L, 1L), Counters(await MetricsAsync(seller)));

        // Conversion by the sweep; the same partition's message delivered again, and a second run, count nothing more.
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(10));
        await RunSweepAsync(factory);
        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        var key = DeadlineIndex.KeyOf("ORD-m-converted", Created.AddHours(2), 2);
        await clock.WhileTimePassesAsync(sweep.SweepBucketAsync(new CutoffMessage(key, "again"), CancellationToken.None));
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1));
        await RunSweepAsync(factory);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-m-converted"));

        // An order taken in after its deadline converts at intake: received and converted at once.
        await SubmittedAsync(platform, Body("ORD-m-late", Created));
        var metrics = await MetricsAsync(seller);
        Assert.Equal((4L, 2L, 2L, 1L), Counters(metrics)); // the converted Premium order is not in the pool (hub-fulfilled only)
        Assert.Equal(0.5m, metrics.GetProperty("onTimeRate").GetDecimal());
        Assert.Equal((0L, 0L, 0L, 0L), Counters(await MetricsAsync(seller, month: "2026-11")));
    }

    [Fact]
    public async Task DSP_1_a_second_intake_of_an_orderId_with_another_body_leaves_the_order_its_index_row_and_its_counters_as_they_were()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2", ["Hub:Orders:MetricShards"] = "1" });
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var first = await SubmittedAsync(platform, Body("ORD-twice", Created));
        var index = await IndexRowsAsync(factory.Names);
        Assert.Equal([$"{DeadlineIndex.KeyOf("ORD-twice", Created.AddHours(2), 2)}/ORD-twice"], index);
        var orders = TestStorage.Tables().GetTableClient(factory.Names.OrdersTable);
        var orderTag = (await orders.GetEntityAsync<Azure.Data.Tables.TableEntity>("ORD-twice", TableOrderStore.OrderRowKey("ORD-twice"))).Value.ETag;
        var indexKey = index[0][..15];
        var indexTable = TestStorage.Tables().GetTableClient(factory.Names.OrderDeadlinesTable + indexKey[..12]);
        var indexTag = (await indexTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(indexKey[13..], "ORD-twice")).Value.ETag;
        Assert.Equal((1L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        // Another body with the same deadline (the same index row's key), then another createdAt (another deadline minute), each
        // a little later: both 409, and nothing the first intake stored changes.
        var otherItems = Body("ORD-twice", Created);
        otherItems["items"] = new object[] { new { sku = "SKU-9", quantity = 1 } };
        clock.Advance(TimeSpan.FromSeconds(10));
        await HttpAssert.Problem(await SubmitAsync(platform, otherItems), HttpStatusCode.Conflict, OrderCodes.DifferentBody);
        clock.Advance(TimeSpan.FromMinutes(1));
        await HttpAssert.Problem(await SubmitAsync(platform, Premium(Body("ORD-twice", Created.AddMinutes(-30)))), HttpStatusCode.Conflict, OrderCodes.DifferentBody);

        Assert.Equal(index, await IndexRowsAsync(factory.Names));
        Assert.Equal(indexTag, (await indexTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(indexKey[13..], "ORD-twice")).Value.ETag);
        Assert.Equal(orderTag, (await orders.GetEntityAsync<Azure.Data.Tables.TableEntity>("ORD-twice", TableOrderStore.OrderRowKey("ORD-twice"))).Value.ETag);
        var stored = await HttpAssert.Json(await platform.GetAsync("/api/orders/ORD-twice"));
        Assert.Equal((first.GetProperty("createdAt").GetString(), first.GetProperty("receivedAt").GetString(), false),
            (stored.GetProperty("createdAt").GetString(), stored.GetProperty("receivedAt").GetString(), stored.GetProperty("premium").GetBoolean()));
        Assert.Equal([OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-twice"));
        Assert.Equal((1L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));
    }

    [Fact]
    public async Task DSP_3_an_index_row_that_cannot_be_written_because_its_minute_table_is_gone_fails_the_intake_step_instead_of_passing_as_present()
    {
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2" });
        var store = factory.Services.GetRequiredService<IOrderStore>();
        var order = new Order("ORD-gone-minute", "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null);
        var key = DeadlineIndex.KeyOf(order, 2);
        Assert.True(await store.AddIndexAsync(key, order, CancellationToken.None));
        Assert.False(await store.AddIndexAsync(key, order with { Premium = true }, CancellationToken.None)); // present: kept as it is

        // The minute's table dropped under this process (it still remembers having made it): the row is not there, so the
        // store must not answer "present" (review s7, L1: an order would be stored without its index row and never converted).
        await TestStorage.Tables().GetTableClient(factory.Names.OrderDeadlinesTable + key[..12]).DeleteAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => store.AddIndexAsync(key, order with { OrderId = "ORD-gone-minute-2" }, CancellationToken.None));
    }

    [Fact]
    public async Task DSP_5_an_order_whose_counting_was_lost_is_counted_by_the_sweep_once()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2" });
        await SeedAsync(factory);

        // As if the intake crashed after the order's commit and before the counters' (and was never retried).
        var order = new Order("ORD-m-lost", "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null);
        await factory.Services.GetRequiredService<IOrderStore>().AddAsync(order, "fingerprint", DeadlineIndex.KeyOf(order, 2), [], CancellationToken.None);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        Assert.Equal((0L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(10));
        await RunSweepAsync(factory);
        await factory.Services.GetRequiredService<OrderHandler>().CountAsync([order with { Status = OrderStatus.Converted }], CancellationToken.None);
        Assert.Equal((1L, 0L, 1L, 0L), Counters(await MetricsAsync(platform)));
    }

    [Fact]
    public async Task DSP_5_a_new_order_counted_without_reading_its_marker_counts_nothing_twice_when_the_marker_is_there()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:MetricShards"] = "1" });
        await SeedAsync(factory);
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var order = new Order("ORD-m-new", "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null);
        using var platform = factory.CreateSignedClient(TestClients.Platform);

        // Conflicts pause on the fake clock before their retry (OptimisticRetry): move it while counting.
        async Task Counting(Task counting) => await clock.WhileTimePassesAsync(Done(counting));
        static async Task<bool> Done(Task task)
        {
            await task;
            return true;
        }

        await Counting(metrics.CountNewAsync(order, CancellationToken.None));
        Assert.Equal((1L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        // The marker is there now: counting the order "as new" again (and 20 times at once) inserts nothing, counts nothing.
        await Counting(metrics.CountNewAsync(order, CancellationToken.None));
        await Counting(Task.WhenAll(Enumerable.Range(0, 20).Select(_ => metrics.CountNewAsync(order, CancellationToken.None))));
        Assert.Equal((1L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        // New orders of the same seller-month at once, all on the one counter row: each counted exactly once.
        var others = Enumerable.Range(0, 12).Select(i => order with { OrderId = $"ORD-m-new-{i}" }).ToList();
        await Counting(Task.WhenAll(others.Select(o => metrics.CountNewAsync(o, CancellationToken.None))));
        await Counting(metrics.CountAsync(order with { Status = OrderStatus.Instructed }, CancellationToken.None));
        await Counting(metrics.CountNewAsync(order, CancellationToken.None));
        Assert.Equal((13L, 1L, 0L, 0L), Counters(await MetricsAsync(platform)));
    }

    [Fact]
    public async Task DSP_5_an_order_converted_at_intake_whose_counting_was_lost_is_counted_by_the_next_sweep_once()
    {
        var receivedAt = Created.AddHours(3);
        var clock = new FakeTimeProvider(receivedAt);
        var lose = new LoseArmedCount();
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2" }, services: lose.Replace);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);

        // Already past its deadline: converted in the order's commit; the request dies before the counters' commit and is never retried.
        lose.Arm();
        var response = await SubmitAsync(platform, Body("ORD-m-intake-lost", Created));
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-m-intake-lost"));
        Assert.Equal((0L, 0L, 0L, 0L), Counters(await MetricsAsync(platform)));

        clock.SetUtcNow(receivedAt.AddMinutes(1).AddSeconds(5)); // the minute its index row was filed under
        await RunSweepAsync(factory);
        Assert.Equal((1L, 0L, 1L, 0L), Counters(await MetricsAsync(platform)));
        clock.SetUtcNow(receivedAt.AddMinutes(2).AddSeconds(5));
        await RunSweepAsync(factory);
        Assert.Equal((1L, 0L, 1L, 0L), Counters(await MetricsAsync(platform)));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_5_a_malformed_month_is_422_and_SEC_2_hides_other_sellers_metrics()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Created));
        await SeedAsync(factory);
        await factory.SeedSellerAsync("rotating-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-13"), HttpStatusCode.UnprocessableEntity, "invalid-month");
        await HttpAssert.Problem(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-1"), HttpStatusCode.UnprocessableEntity, "invalid-month");
        Assert.Equal("2026-12", (await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/metrics"))).GetProperty("month").GetString());
        await HttpAssert.Problem(await seller.GetAsync("/api/sellers/rotating-seller/metrics?month=2026-12"), HttpStatusCode.Forbidden, "forbidden");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await HttpAssert.Problem(await platform.GetAsync("/api/sellers/no-such-seller/metrics?month=2026-12"), HttpStatusCode.NotFound, "not-found");
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await op.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"), HttpStatusCode.Forbidden, "forbidden-role");
    }
}
