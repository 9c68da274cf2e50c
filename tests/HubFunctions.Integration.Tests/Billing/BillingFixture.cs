using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Hubs;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>What the billing tests share: sellers with their own hub seller ids, request helpers, and reading runs and outboxes.</summary>
public static class BillingFixture
{
    /// <summary>Stores an active seller whose hub seller id is <c>{prefix}-{sequence}</c> (the id usage and snapshots name).</summary>
    public static async Task<Seller> SeedAsync(DevHostFactory factory, string sellerId, int sequence, string hub = "hangzhou")
    {
        var seller = new Seller(sellerId, hub, $"{Hubs.Find(hub)!.SellerIdPrefix}-{sequence:D6}", SellerStatus.Active, "brand-trader",
            "杭州示例贸易有限公司", "91330100MA2CFLXX12", TaxRating.A, new DateOnly(2024, 1, 1), []);
        Assert.True(await factory.Services.GetRequiredService<ISellerDirectory>().TryAddAsync(seller, [], CancellationToken.None));

        // The allocation row an approval writes (hub seller id → seller, the index usage intake reads), with the test's own number.
        var allocations = TestStorage.Tables().GetTableClient(factory.Names.HubSellerIdsTable);
        await allocations.CreateIfNotExistsAsync();
        await allocations.AddEntityAsync(new TableEntity(hub, TableHubSellerIdAllocator.IdRowPrefix + seller.HubSellerId) { ["ApplicationId"] = "TEST-" + sellerId, ["SellerId"] = sellerId });
        return seller;
    }

    public static Task<HttpResponseMessage> Snapshot(HttpClient http, string date, string hubSellerId, decimal m3, string hub = "hangzhou")
        => http.PostAsJsonAsync($"/api/hubs/{hub}/storage-snapshots", new { date, sellers = new[] { new { sellerId = hubSellerId, cubicMeters = m3 } } });

    public static Task<HttpResponseMessage> Usage(HttpClient http, params object[] records)
        => http.PostAsJsonAsync("/api/hubs/hangzhou/usage", new { records });

    public static object Record(string usageId, string hubSellerId, string kind, decimal quantity, string occurredAt)
        => new { usageId, sellerId = hubSellerId, kind, quantity, occurredAt };

    /// <summary>Polls <c>GET /api/billing-runs/{runId}</c> until <paramref name="done"/> holds (or fails after <paramref name="seconds"/>).</summary>
    public static async Task<JsonElement> WaitForRunAsync(HttpClient reviewer, string runId, Func<JsonElement, bool> done, int seconds = 90)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement run;
        do
        {
            run = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{runId}"));
            if (done(run))
            {
                return run;
            }

            await Task.Delay(200);
        }
        while (DateTime.UtcNow < until);

        Assert.Fail($"billing run {runId} did not get there: {run}");
        return run;
    }

    public static async Task<string> StartRunAsync(HttpClient reviewer, string period)
    {
        var started = await HttpAssert.Json(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period }), HttpStatusCode.Accepted);
        return started.GetProperty("runId").GetString()!;
    }

    /// <summary>The committed outbox events of one type in a table (the relay is not running, so they stay there).</summary>
    public static async Task<List<JsonElement>> OutboxEventsAsync(string tableName, string type)
    {
        var table = TestStorage.Tables().GetTableClient(tableName);
        var found = new List<JsonElement>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.RowKey.CompareTo("outbox|") >= 0 && e.RowKey.CompareTo("outbox}") < 0))
        {
            if (e.GetString("EventType") == type)
            {
                found.Add(JsonDocument.Parse(e.GetString("Event")!).RootElement.Clone());
            }
        }

        return found;
    }
}
