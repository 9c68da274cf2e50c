using System.Net;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Identifiers;
using HubFunctions.DevHost;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The DevHost's local-only demo seed (issue 8): <c>demo-seller</c> through the real stores, idempotent.</summary>
public sealed class DemoSeedTests
{
    [Fact]
    public async Task The_demo_seller_is_seeded_once_active_since_2024_with_an_allocated_hub_seller_id_and_reads_through_the_api()
    {
        using var factory = new DevHostFactory();
        using var admin = factory.CreateDefaultClient();

        var first = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        var again = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        Assert.True(first.GetProperty("created").GetBoolean());
        Assert.False(again.GetProperty("created").GetBoolean());
        Assert.Equal("HGH-000001", first.GetProperty("hubSellerId").GetString());
        Assert.Equal("HGH-000001", again.GetProperty("hubSellerId").GetString());

        // The allocator handed out exactly one number: the next approval at Hangzhou gets HGH-000002.
        var next = await factory.Services.GetRequiredService<IHubSellerIdAllocator>().AllocateAsync("hangzhou", TestStorage.Unique("APP-"), CancellationToken.None);
        Assert.Equal("HGH-000002", next);

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var json = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller"));
        Assert.Equal("HGH-000001", json.GetProperty("hubSellerId").GetString());
        Assert.Equal("hangzhou", json.GetProperty("hub").GetString());
        Assert.Equal("active", json.GetProperty("status").GetString());
        Assert.Equal("brand-trader", json.GetProperty("category").GetString());
        Assert.Equal("2024-01-01", json.GetProperty("activeSince").GetString());
        Assert.Equal("A", json.GetProperty("taxRating").GetString());
        Assert.True(UnifiedSocialCreditCode.IsValid(json.GetProperty("unifiedSocialCreditCode").GetString()));
    }

    [Fact]
    public async Task Concurrent_seeds_store_one_seller_and_allocate_one_number()
    {
        using var factory = new DevHostFactory();
        using var admin = factory.CreateDefaultClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null))));
        Assert.All(answers, a => Assert.Equal("HGH-000001", a.GetProperty("hubSellerId").GetString()));
        Assert.Single(answers, a => a.GetProperty("created").GetBoolean());
        Assert.Equal(DemoSeed.Seller("HGH-000001"), await factory.Services.GetRequiredService<ISellerDirectory>().FindAsync(DemoSeed.SellerId, CancellationToken.None) is { } s ? s with { FreezeReasons = DemoSeed.Seller("HGH-000001").FreezeReasons } : null);
    }
}
