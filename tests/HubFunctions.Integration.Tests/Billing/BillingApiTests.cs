using System.Net;
using System.Net.Http.Json;
using System.Text;
using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>Rate cards, usage intake with rollups, SEC-1 audit and bad input, through the DevHost (no listeners) on a fake clock.</summary>
public sealed class BillingApiTests
{
    private static readonly DateTimeOffset Now = new(2025, 4, 10, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public async Task BIL_1_H_1_published_cards_for_hangzhou_and_dongguan_none_for_tianjin_and_a_reviewer_adds_versions_once()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        using var operatorClient = factory.CreateSignedClient(TestClients.Operator);

        var hangzhou = await HttpAssert.Json(await operatorClient.GetAsync("/api/hubs/hangzhou/rate-cards"));
        var card = Assert.Single(hangzhou.GetProperty("cards").EnumerateArray());
        Assert.Equal(("2024-01-01", 18.00m, 0.40m), (card.GetProperty("effectiveFrom").GetString(), card.GetProperty("storagePerCubicMetreMonth").GetDecimal(), card.GetProperty("rates").GetProperty("picking").GetDecimal()));
        Assert.Equal(15.00m, (await HttpAssert.Json(await reviewer.GetAsync("/api/hubs/dongguan/rate-cards"))).GetProperty("cards")[0].GetProperty("storagePerCubicMetreMonth").GetDecimal());
        Assert.Empty((await HttpAssert.Json(await reviewer.GetAsync("/api/hubs/tianjin/rate-cards"))).GetProperty("cards").EnumerateArray());

        var rates = new Dictionary<string, decimal> { ["inbound-qc"] = 0.30m, ["shelving"] = 0.20m, ["picking"] = 0.40m, ["labelling"] = 0.15m, ["assembly"] = 0.80m, ["return"] = 5.00m };
        var tianjin = new { effectiveFrom = "2025-05-01", storagePerCubicMetreMonth = 12.50m, rates };
        await HttpAssert.Json(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin), HttpStatusCode.Created);
        await HttpAssert.Json(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin), HttpStatusCode.OK);
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin with { storagePerCubicMetreMonth = 13m }), HttpStatusCode.Conflict, "rate-card-exists");
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", tianjin with { effectiveFrom = "2024-01-01" }), HttpStatusCode.Conflict, "rate-card-exists");
        await HttpAssert.Problem(await operatorClient.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", tianjin), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin with { effectiveFrom = "2025-06-15" }), HttpStatusCode.UnprocessableEntity, "invalid-date");

        var history = await factory.Services.GetRequiredService<IRateCardSource>().HistoryAsync("tianjin", CancellationToken.None);
        Assert.Equal(12.50m, Assert.Single(history.Cards).StoragePerCubicMetreMonth);
        Assert.Null(history.InForceOn(new DateOnly(2025, 4, 30)));
    }

    [Fact]
    public async Task BIL_2_usage_is_idempotent_per_usageId_and_rolled_up_per_day_and_kind_in_whole_pieces()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        var seller = await SeedAsync(factory, "usage-seller", 17);
        using var wms = factory.CreateSignedClient(TestClients.Operator);
        var records = new[]
        {
            Record("u-1", seller.HubSellerId, "picking", 0.5m, "2025-03-03T09:00:00+08:00"),
            Record("u-2", seller.HubSellerId, "picking", 1m, "2025-03-03T10:00:00+08:00"),
            Record("u-3", seller.HubSellerId, "picking", 1233m, "2025-03-31T23:59:00+08:00"),
        };
        var first = await HttpAssert.Json(await Usage(wms, records));
        Assert.Equal((3, 0), (first.GetProperty("stored").GetInt32(), first.GetProperty("duplicates").GetInt32()));
        // The same records in a new message (another webhook-id): nothing is counted twice.
        var again = await HttpAssert.Json(await Usage(wms, records[0], records[2], Record("u-4", seller.HubSellerId, "return", 2m, "2025-03-03T11:00:00+08:00")));
        Assert.Equal((1, 2), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32()));

        var rollups = await factory.Services.GetRequiredService<IBillingLedger>().RollupsAsync("usage-seller", "hangzhou", new BillingPeriod(new(2025, 3)), CancellationToken.None);
        Assert.Equal(
            ["2025-03-03 picking 2", "2025-03-03 return 2", "2025-03-31 picking 1233"],
            rollups.Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SEC_1_usage_from_a_seller_or_platform_client_is_403_audited_and_stores_nothing_else()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        var seller = await SeedAsync(factory, "demo-seller", 18);
        using var sellerClient = factory.CreateSignedClient(TestClients.Seller);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var before = await TablesExceptAuditAsync(factory);
        var record = Record("u-1", seller.HubSellerId, "picking", 3m, "2025-04-01T09:00:00+08:00");

        await HttpAssert.Problem(await Usage(sellerClient, record), HttpStatusCode.Forbidden, "SEC-1");
        await HttpAssert.Problem(await Usage(platform, record), HttpStatusCode.Forbidden, "SEC-1");
        await HttpAssert.Problem(await Snapshot(platform, "2025-04-01", seller.HubSellerId, 3m), HttpStatusCode.Forbidden, "SEC-1");

        Assert.Equal(before, await TablesExceptAuditAsync(factory));
        var audit = await factory.Services.GetRequiredService<IAccessAudit>().OnDayAsync(DateOnly.FromDateTime(Now.UtcDateTime), CancellationToken.None);
        Assert.Equal(
            [("test-platform", HubRole.Platform, "/api/hubs/hangzhou/storage-snapshots"), ("test-platform", HubRole.Platform, "/api/hubs/hangzhou/usage"), ("test-seller", HubRole.Seller, "/api/hubs/hangzhou/usage")],
            audit.Select(a => (a.ClientId, a.Role, a.Path)).Order());
        Assert.All(audit, a => Assert.Equal("SEC-1", a.Rule));
    }

    public static TheoryData<string, string, int, string> BadRequests() => new()
    {
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":-1,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 422, "invalid-quantity" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":"NaN","occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 422, "invalid-quantity" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":NaN,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 400, "malformed-json" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":1e400,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 422, "quantity-too-large" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":1000001,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 422, "quantity-too-large" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"engraving","quantity":1,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 422, "unknown-kind" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":1,"occurredAt":"2025-05-01T09:00:00+08:00"}]}""", 422, "occurred-in-future" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000099","kind":"picking","quantity":1,"occurredAt":"2025-04-01T09:00:00+08:00"}]}""", 404, "not-found" },
        { "usage", """{"records":[{"usageId":"a","sellerId":"HGH-000019","kind":"picking","quantity":1,"occurredAt":"2025-04-01T09:00:00"}]}""", 422, "invalid-occurred-at" },
        { "storage-snapshots", """{"date":"2025-04-11","sellers":[{"sellerId":"HGH-000019","cubicMeters":3}]}""", 422, "date-in-future" },
        { "storage-snapshots", """{"date":"2025-04-01","sellers":[{"sellerId":"HGH-000019","cubicMeters":-3}]}""", 422, "invalid-cubic-meters" },
        { "claims", """{"claimId":"c-1","sellerId":"HGH-000019","orderId":"o-1","goodsValueCny":12.345,"cause":"dropped"}""", 422, "invalid-amount" },
        { "claims", """{"claimId":"c-1","sellerId":"HGH-000099","orderId":"o-1","goodsValueCny":12.34,"cause":"dropped"}""", 404, "not-found" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BIL_bad_usage_snapshot_and_claim_input_is_4xx_problem_and_stores_nothing(string route, string body, int status, string code)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await SeedAsync(factory, "bad-input-seller", 19);
        using var operatorClient = factory.CreateSignedClient(TestClients.Operator);
        var before = await TablesExceptAuditAsync(factory);
        var response = await operatorClient.PostAsync($"/api/hubs/hangzhou/{route}", new StringContent(body, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, (HttpStatusCode)status, code);
        Assert.Equal(before, await TablesExceptAuditAsync(factory));
    }

    [Fact]
    public async Task BIL_6_a_period_not_ended_or_malformed_is_422_and_starts_no_run()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var before = await TablesExceptAuditAsync(factory);
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period = "2025-04" }), HttpStatusCode.UnprocessableEntity, "period-not-ended");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period = "2025-4" }), HttpStatusCode.UnprocessableEntity, "invalid-period");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period = "2025-13" }), HttpStatusCode.UnprocessableEntity, "invalid-period");
        await HttpAssert.Problem(await reviewer.GetAsync("/api/billing-runs/RUN-2025-04"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(before, await TablesExceptAuditAsync(factory));
    }

    private static async Task<List<string>> TablesExceptAuditAsync(DevHostFactory factory)
        => [.. (await TableSnapshot.AllAsync(factory.Names)).Where(r => !r.StartsWith(factory.Names.AccessAuditTable + "/", StringComparison.Ordinal))];
}
