using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Integration.Tests.Fixtures;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// Issue 11, "end to end in the DevHost with real timers": the system clock, the timer <c>PlanOrderCutoff</c> on its
/// schedule from the settings, the queue listener of <c>SweepOrderCutoffShard</c> and the outbox relay to the local event
/// sink, orders submitted through the signed HTTP endpoint.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class CutoffEndToEndTests
{
    private static readonly string[] Functions = ["SubmitOrder", "GetOrder", "PlanOrderCutoff", "SweepOrderCutoffShard", "RelayOutbox"];

    /// <summary>DSP-3 allows this long between the deadline and the conversion.</summary>
    private static readonly TimeSpan Allowed = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task DSP_3_with_real_timers_orders_created_2_h_ago_convert_within_60_s_of_their_deadline_and_publish_the_conversion()
    {
        using var factory = new DevHostFactory(listeners: true, functions: Functions, settings: new Dictionary<string, string?>
        {
            ["Hub:Orders:SweepSchedule"] = "*/5 * * * * *", // every 5 s (production: every 20 s)
            ["Hub:Orders:ShardCount"] = "2",
        });
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var now = TimeProvider.System.GetUtcNow();

        // Created 2 h 5 s ago: past its deadline at intake (converted there). Created 2 h - 30 s ago: due 30 s from now,
        // open at intake, so the sweep (timer, queue, conversion) must convert it.
        const string pastDue = "ORD-e2e-past-due";
        const string dueSoon = "ORD-e2e-due-soon";
        Assert.Equal("converted", (await SubmittedAsync(platform, Body(pastDue, now - TimeSpan.FromHours(2) - TimeSpan.FromSeconds(5)))).GetProperty("status").GetString());
        Assert.Equal("open", (await SubmittedAsync(platform, Body(dueSoon, now - TimeSpan.FromHours(2) + TimeSpan.FromSeconds(30)))).GetProperty("status").GetString());

        // Polled with a generous limit; the DSP-3 check is on the stored times, not on how long this took.
        var until = DateTime.UtcNow.AddSeconds(150);
        JsonElement view;
        while ((view = await HttpAssert.Json(await seller.GetAsync($"/api/orders/{dueSoon}"))).GetProperty("status").GetString() != "converted" && DateTime.UtcNow < until)
        {
            await Task.Delay(1000);
        }

        Assert.Equal(("converted", "non-hub"), (view.GetProperty("status").GetString(), view.GetProperty("path").GetString()));
        var past = await HttpAssert.Json(await seller.GetAsync($"/api/orders/{pastDue}"));
        Assert.Equal(("converted", "non-hub"), (past.GetProperty("status").GetString(), past.GetProperty("path").GetString()));

        foreach (var (orderId, byTheSweep) in new[] { (pastDue, false), (dueSoon, true) })
        {
            // The order row as intake wrote it; a conversion after intake is in the order's outcome row.
            var row = (await TestStorage.Tables().GetTableClient(factory.Names.OrdersTable).GetEntityAsync<TableEntity>(orderId, TableOrderStore.OrderRowKey(orderId))).Value;
            var outcome = await TestStorage.Tables().GetTableClient(factory.Names.OrderOutcomesTable).GetEntityIfExistsAsync<TableEntity>(TableOrderStore.OutcomePartitionOf(row), TableOrderStore.OutcomeRowKey(orderId));
            var deadline = row.GetDateTimeOffset("DispatchDeadline")!.Value;
            var convertedAt = (outcome.HasValue ? outcome.Value! : row).GetDateTimeOffset("ConvertedAt")!.Value;
            var receivedAt = row.GetDateTimeOffset("ReceivedAt")!.Value;
            Assert.Equal(byTheSweep, outcome.HasValue);
            Assert.InRange(convertedAt - deadline, TimeSpan.Zero, Allowed);
            Assert.Equal(byTheSweep, convertedAt > receivedAt); // the open one converted later by the sweep, the other at intake

            var events = await factory.TakeEventsAsync($"orders/{orderId}", 2, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1));
            Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], events.Select(e => e.Type).Order(StringComparer.Ordinal));
            var converted = events.Single(e => e.Type == OrderEvents.ConvertedToNonHub);
            Assert.Equal(orderId, converted.Data.GetProperty("orderId").GetString());
            Assert.True(converted.Data.GetProperty("lsdAffected").GetBoolean());
        }
    }
}
