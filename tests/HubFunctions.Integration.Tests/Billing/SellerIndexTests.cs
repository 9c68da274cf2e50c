using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// Usage, snapshots and claims name sellers by hub seller id (ADM-8): the allocation made at approval is the index hub seller id →
/// seller, read with one point read; the sellers table is never scanned for an id, except once for an allocation older than the index.
/// </summary>
public sealed class SellerIndexTests
{
    private static Seller Seller(string sellerId, string hubSellerId) => new(sellerId, "hangzhou", hubSellerId, SellerStatus.Active, "brand-trader",
        "杭州示例贸易有限公司", "91330100MA2CFLXX12", TaxRating.A, new DateOnly(2024, 1, 1), []);

    [Fact]
    public async Task ADM_8_the_allocation_at_approval_indexes_the_seller_and_the_lookup_reads_that_index_not_the_sellers_table()
    {
        using var factory = new DevHostFactory();
        var allocator = factory.Services.GetRequiredService<IHubSellerIdAllocator>();
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        var lookup = factory.Services.GetRequiredService<IBillingSellers>();

        var hubSellerId = await allocator.AllocateAsync("hangzhou", "APP-index", "indexed-seller", CancellationToken.None);
        Assert.Equal(new HubSellerIdOwner(hubSellerId, "APP-index", "indexed-seller"), await allocator.FindSellerIdAsync(hubSellerId, CancellationToken.None));
        Assert.Null((await lookup.FindByHubSellerIdAsync(hubSellerId, CancellationToken.None))?.SellerId); // allocated, seller not stored yet
        Assert.True(await directory.TryAddAsync(Seller("indexed-seller", hubSellerId), [], CancellationToken.None));
        Assert.Equal("indexed-seller", (await lookup.FindByHubSellerIdAsync(hubSellerId, CancellationToken.None))?.SellerId);

        // A seller row whose hub seller id no allocation gave out is not found: the index decides, the sellers table is not scanned.
        Assert.True(await directory.TryAddAsync(Seller("unindexed-seller", "HGH-000777"), [], CancellationToken.None));
        Assert.Null(await lookup.FindByHubSellerIdAsync("HGH-000777", CancellationToken.None));
        Assert.Null(await allocator.FindSellerIdAsync("HGH-000777", CancellationToken.None));
        Assert.Null(await lookup.FindByHubSellerIdAsync("not-an-id", CancellationToken.None));
    }

    [Fact]
    public async Task ADM_8_an_allocation_made_before_the_index_held_seller_ids_is_resolved_once_and_recorded()
    {
        using var factory = new DevHostFactory();
        var allocations = TestStorage.Tables().GetTableClient(factory.Names.HubSellerIdsTable);
        await allocations.CreateIfNotExistsAsync();
        // The allocation row as the allocator wrote it before: the application, no seller id.
        await allocations.AddEntityAsync(new TableEntity("hangzhou", TableHubSellerIdAllocator.IdRowPrefix + "HGH-000031") { ["ApplicationId"] = "APP-old" });
        Assert.True(await factory.Services.GetRequiredService<ISellerDirectory>().TryAddAsync(Seller("older-seller", "HGH-000031"), [], CancellationToken.None));

        Assert.Equal("older-seller", (await factory.Services.GetRequiredService<IBillingSellers>().FindByHubSellerIdAsync("HGH-000031", CancellationToken.None))?.SellerId);
        var row = await allocations.GetEntityAsync<TableEntity>("hangzhou", TableHubSellerIdAllocator.IdRowPrefix + "HGH-000031");
        Assert.Equal(("APP-old", "older-seller"), (row.Value.GetString("ApplicationId"), row.Value.GetString("SellerId")));
    }
}
