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
        await HttpAssert.Json(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin with { effectiveFrom = "2025-06-01", storagePerCubicMetreMonth = 13m }), HttpStatusCode.Created);
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin with { effectiveFrom = "2025-06-01" }), HttpStatusCode.Conflict, "rate-card-exists");
        await HttpAssert.Problem(await operatorClient.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", tianjin), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", tianjin with { effectiveFrom = "2025-06-15" }), HttpStatusCode.UnprocessableEntity, "invalid-date");

        var history = await factory.Services.GetRequiredService<IRateCardSource>().HistoryAsync("tianjin", CancellationToken.None);
        Assert.Equal([12.50m, 13m], history.Cards.OrderBy(c => c.EffectiveFrom).Select(c => c.StoragePerCubicMetreMonth));
        Assert.Null(history.InForceOn(new DateOnly(2025, 4, 30)));
    }

    /// <summary>
    /// BIL-1 with BIL-6 and BIL-8 (decided here): a new version starts on the first of a month still to come (Asia/Shanghai), so it
    /// never reprices a month already billed, being billed or under way; the published card of 2024 cannot be replaced either.
    /// At 2025-04-30 16:30 UTC it is already 1 May in Shanghai: May is under way and June is the earliest month.
    /// </summary>
    [Fact]
    public async Task BIL_1_a_rate_card_for_a_month_begun_or_past_is_422_and_stores_nothing()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = new DevHostFactory(clock: clock);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var rates = new Dictionary<string, decimal> { ["inbound-qc"] = 0.30m, ["shelving"] = 0.20m, ["picking"] = 0.40m, ["labelling"] = 0.15m, ["assembly"] = 0.80m, ["return"] = 5.00m };
        var card = new { effectiveFrom = "2025-04-01", storagePerCubicMetreMonth = 19m, rates };
        var before = await TablesExceptAuditAsync(factory);

        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", card), HttpStatusCode.UnprocessableEntity, "effective-from-not-future");
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", card with { effectiveFrom = "2025-03-01" }), HttpStatusCode.UnprocessableEntity, "effective-from-not-future");
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", card with { effectiveFrom = "2024-01-01" }), HttpStatusCode.UnprocessableEntity, "effective-from-not-future");
        clock.SetUtcNow(new DateTimeOffset(2025, 4, 30, 16, 30, 0, TimeSpan.Zero));
        await HttpAssert.Problem(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", card with { effectiveFrom = "2025-05-01" }), HttpStatusCode.UnprocessableEntity, "effective-from-not-future");
        Assert.Equal(before, await TablesExceptAuditAsync(factory));

        await HttpAssert.Json(await reviewer.PutAsJsonAsync("/api/hubs/hangzhou/rate-cards", card with { effectiveFrom = "2025-06-01" }), HttpStatusCode.Created);
        var history = await factory.Services.GetRequiredService<IRateCardSource>().HistoryAsync("hangzhou", CancellationToken.None);
        Assert.Equal([(new DateOnly(2024, 1, 1), 18.00m), (new DateOnly(2025, 6, 1), 19m)], history.Cards.OrderBy(c => c.EffectiveFrom).Select(c => (c.EffectiveFrom, c.StoragePerCubicMetreMonth)));
    }

    /// <summary>
    /// API.md: usage is idempotent per usageId; decided here: per hub, whatever seller or month the record names. The same id
    /// with another seller, month or quantity is 409 usage-conflict and nothing of that request is stored (its other records neither);
    /// the same record again (another offset for the same instant, 2 written 2.0) is a duplicate.
    /// </summary>
    [Fact]
    public async Task BIL_2_a_usageId_names_one_record_per_hub_reused_for_another_seller_or_month_it_is_409_and_nothing_is_stored()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        var first = await SeedAsync(factory, "usage-owner", 21);
        var other = await SeedAsync(factory, "usage-other", 22);
        using var wms = factory.CreateSignedClient(TestClients.Operator);
        var stored = await HttpAssert.Json(await Usage(wms, Record("dup-1", first.HubSellerId, "picking", 2m, "2025-03-03T09:00:00+08:00")));
        Assert.Equal(1, stored.GetProperty("stored").GetInt32());
        var before = await TablesExceptAuditAsync(factory);

        await HttpAssert.Problem(await Usage(wms, Record("dup-1", other.HubSellerId, "picking", 2m, "2025-03-03T09:00:00+08:00")), HttpStatusCode.Conflict, "usage-conflict");
        await HttpAssert.Problem(await Usage(wms,
            Record("fresh-1", first.HubSellerId, "picking", 1m, "2025-04-01T09:00:00+08:00"),
            Record("dup-1", first.HubSellerId, "picking", 2m, "2025-04-01T09:00:00+08:00")), HttpStatusCode.Conflict, "usage-conflict");
        await HttpAssert.Problem(await Usage(wms, Record("dup-1", first.HubSellerId, "picking", 3m, "2025-03-03T09:00:00+08:00")), HttpStatusCode.Conflict, "usage-conflict");
        Assert.Equal(before, await TablesExceptAuditAsync(factory));

        var again = await HttpAssert.Json(await Usage(wms, Record("dup-1", first.HubSellerId, "picking", 2.0m, "2025-03-03T01:00:00Z")));
        Assert.Equal((0, 1), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        Assert.Empty(await ledger.RollupsAsync("usage-other", "hangzhou", new BillingPeriod(new(2025, 3)), CancellationToken.None));
        Assert.Empty(await ledger.RollupsAsync("usage-owner", "hangzhou", new BillingPeriod(new(2025, 4)), CancellationToken.None));
        Assert.Equal(["2025-03-03 picking 2"], (await ledger.RollupsAsync("usage-owner", "hangzhou", new BillingPeriod(new(2025, 3)), CancellationToken.None)).Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}"));
    }

    /// <summary>
    /// A request that claimed its usage id and stopped before the record and its rollup were committed (a crash between the two
    /// writes): the claim holds the id for that record, so another record under it is refused, and the retry of the same record
    /// finds its own claim and stores the record and its rollup once.
    /// </summary>
    [Fact]
    public async Task BIL_2_a_usage_claim_left_by_a_crash_before_the_ledger_commit_is_completed_by_the_retry()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        var seller = await SeedAsync(factory, "usage-crash", 23);
        using var wms = factory.CreateSignedClient(TestClients.Operator);
        var record = new UsageRecord("crash-1", seller.HubSellerId, "hangzhou", "picking", 3m, new DateTimeOffset(2025, 3, 5, 10, 0, 0, TimeSpan.FromHours(8)));
        Assert.Equal([BillingWrite.Stored], await factory.Services.GetRequiredService<IUsageIds>().ClaimAsync("hangzhou", [UsageClaim.Of(record)], CancellationToken.None));

        await HttpAssert.Problem(await Usage(wms, Record("crash-1", seller.HubSellerId, "picking", 4m, "2025-03-05T10:00:00+08:00")), HttpStatusCode.Conflict, "usage-conflict");
        var retry = await HttpAssert.Json(await Usage(wms, Record("crash-1", seller.HubSellerId, "picking", 3m, "2025-03-05T10:00:00+08:00")));
        Assert.Equal((1, 0), (retry.GetProperty("stored").GetInt32(), retry.GetProperty("duplicates").GetInt32()));
        var again = await HttpAssert.Json(await Usage(wms, Record("crash-1", seller.HubSellerId, "picking", 3m, "2025-03-05T10:00:00+08:00")));
        Assert.Equal((0, 1), (again.GetProperty("stored").GetInt32(), again.GetProperty("duplicates").GetInt32()));
        Assert.Equal(["2025-03-05 picking 3"], (await factory.Services.GetRequiredService<IBillingLedger>().RollupsAsync("usage-crash", "hangzhou", new BillingPeriod(new(2025, 3)), CancellationToken.None))
            .Select(r => $"{r.Date:yyyy-MM-dd} {r.Kind} {r.Units}"));
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
