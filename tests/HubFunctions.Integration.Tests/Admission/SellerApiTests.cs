using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>The seller store and GET /api/sellers/{sellerId} (SEC-2).</summary>
[Collection(QueueCollection.Name)]
public sealed class SellerApiTests
{
    private static Seller Demo(string sellerId = "demo-seller") => new(sellerId, "hangzhou", "HGH-000001", SellerStatus.Active, "brand-trader",
        "杭州示例贸易有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []);

    private static async Task Seed(DevHostFactory factory, Seller seller)
        => Assert.True(await factory.Services.GetRequiredService<ISellerDirectory>().TryAddAsync(seller, [], CancellationToken.None));

    [Fact]
    public async Task SEC_2_the_seller_itself_a_reviewer_and_the_platform_read_the_seller_in_the_api_shape()
    {
        using var factory = new DevHostFactory();
        var expired = FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1)) with { Since = new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero) };
        await Seed(factory, Demo() with { Status = SellerStatus.Frozen, FreezeReasons = [expired, FreezeReason.TaxRatingDropped(TaxRating.M)], TaxRating = TaxRating.M });

        foreach (var client in new[] { TestClients.Seller, TestClients.Reviewer, TestClients.Platform })
        {
            using var http = factory.CreateSignedClient(client);
            var json = await HttpAssert.Json(await http.GetAsync("/api/sellers/demo-seller"));
            Assert.Equal("demo-seller", json.GetProperty("sellerId").GetString());
            Assert.Equal("HGH-000001", json.GetProperty("hubSellerId").GetString());
            Assert.Equal("hangzhou", json.GetProperty("hub").GetString());
            Assert.Equal("frozen", json.GetProperty("status").GetString());
            var reasons = json.GetProperty("freezeReasons");
            Assert.Equal(
                """{"rule":"CMP-1","documentType":"customs-declaration","expiredOn":"2026-11-01","text":"CMP-1: customs-declaration not renewed, its latest approved version expired on 2026-11-01","since":"2026-11-02T01:00:00+00:00"}""",
                reasons[0].GetRawText());
            Assert.Equal("""{"rule":"tax-rating","rating":"M","text":"tax-rating: the tax credit rating is M (CMP-5)"}""", reasons[1].GetRawText());
            Assert.Equal("M", json.GetProperty("taxRating").GetString());
            Assert.Equal("brand-trader", json.GetProperty("category").GetString());
            Assert.Equal("杭州示例贸易有限公司", json.GetProperty("entityName").GetString());
            Assert.Equal("91330100MA2CFLXX1D", json.GetProperty("unifiedSocialCreditCode").GetString());
            Assert.Equal("2024-01-01", json.GetProperty("activeSince").GetString());
        }
    }

    [Fact]
    public async Task SEC_2_an_unknown_seller_is_404_problem()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateSignedClient(TestClients.Reviewer);
        await HttpAssert.Problem(await http.GetAsync("/api/sellers/no-such-seller"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await http.GetAsync("/api/sellers/bad%7Cid"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task SEC_2_another_sellers_client_is_403_whether_or_not_the_seller_exists()
    {
        using var factory = new DevHostFactory();
        await Seed(factory, Demo());
        using var other = factory.CreateSignedClient(TestClients.Rotating);
        await HttpAssert.Problem(await other.GetAsync("/api/sellers/demo-seller"), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await other.GetAsync("/api/sellers/no-such-seller"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task SEC_2_roles_without_access_are_403()
    {
        using var factory = new DevHostFactory();
        await Seed(factory, Demo());
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await op.GetAsync("/api/sellers/demo-seller"), HttpStatusCode.Forbidden, "forbidden-role");
        using var wms = factory.CreateSignedClient(TestClients.Wms);
        await HttpAssert.Problem(await wms.GetAsync("/api/sellers/demo-seller"), HttpStatusCode.Forbidden, "forbidden-role");
    }

    [Fact]
    public async Task The_seller_store_is_insert_only_and_round_trips_every_field()
    {
        using var factory = new DevHostFactory();
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        FreezeReason[] reasons = [FreezeReason.TaxRatingDropped(TaxRating.D) with { Since = DateTimeOffset.UnixEpoch }, FreezeReason.DocumentExpiredOn(AdmissionDocuments.BrandAuthorization, new DateOnly(2026, 1, 31))];
        var seller = Demo(TestStorage.Unique("s")) with { TaxRating = null, FreezeReasons = reasons };
        Assert.True(await directory.TryAddAsync(seller, [], CancellationToken.None));
        Assert.False(await directory.TryAddAsync(seller with { Hub = "xian" }, [], CancellationToken.None));

        var found = await directory.FindAsync(seller.SellerId, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(seller with { FreezeReasons = [] }, found with { FreezeReasons = [] });
        Assert.Equal(reasons, found.FreezeReasons);
        Assert.Null(await directory.FindAsync("nobody", CancellationToken.None));

        var storage = factory.Services.GetRequiredService<HubStorage>();
        var table = await storage.TableAsync(storage.Names.SellersTable);
        var rows = await table.QueryAsync<TableEntity>(e => e.PartitionKey == seller.SellerId).ToListAsync();
        Assert.Equal([TableSellerDirectory.SellerRow(seller.SellerId)], rows.Select(r => r.RowKey));
    }

    [Fact]
    public async Task SEC_2_a_sellers_hub_is_read_once_per_process_and_an_unknown_seller_is_not_remembered()
    {
        using var factory = new DevHostFactory();
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        var seller = Demo(TestStorage.Unique("s"));

        // Not there yet: not remembered, so the seller stored next is found.
        Assert.Null(await directory.FindHubAsync(seller.SellerId, CancellationToken.None));
        Assert.True(await directory.TryAddAsync(seller, [], CancellationToken.None));
        Assert.Equal(seller.Hub, await directory.FindHubAsync(seller.SellerId, CancellationToken.None));

        // Found once, the hub is not read again: with the row gone behind the store's back (no path of the product deletes a
        // seller or changes its hub) the store still answers it, while a full read finds no seller.
        var storage = factory.Services.GetRequiredService<HubStorage>();
        var table = await storage.TableAsync(storage.Names.SellersTable);
        await table.DeleteEntityAsync(seller.SellerId, TableSellerDirectory.SellerRow(seller.SellerId));
        Assert.Null(await directory.FindAsync(seller.SellerId, CancellationToken.None));
        Assert.Equal(seller.Hub, await directory.FindHubAsync(seller.SellerId, CancellationToken.None));
        Assert.Null(await directory.FindHubAsync("nobody", CancellationToken.None));
    }
}
