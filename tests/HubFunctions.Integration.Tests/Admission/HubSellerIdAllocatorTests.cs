using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>ADM-8 hub seller ids against Azurite: sequential, gapless, never reused, idempotent per application.</summary>
[Collection(QueueCollection.Name)]
public sealed class HubSellerIdAllocatorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ADM_8_50_concurrent_allocations_at_one_hub_get_50_distinct_gapless_ids(int round)
    {
        using var factory = new DevHostFactory();
        var allocator = factory.Services.GetRequiredService<IHubSellerIdAllocator>();
        var ids = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => allocator.AllocateAsync("hangzhou", $"APP-r{round}-{i}", $"s-r{round}-{i}", CancellationToken.None))));

        Assert.Equal(50, ids.Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 50).Select(n => $"HGH-{n:000000}"), ids.Order(StringComparer.Ordinal));
        Assert.Equal(50, await factory.Services.GetRequiredService<TableHubSellerIdAllocator>().LastAsync("hangzhou", CancellationToken.None));
    }

    [Fact]
    public async Task ADM_8_allocation_is_idempotent_per_application_and_sequential_per_hub()
    {
        using var factory = new DevHostFactory();
        var allocator = factory.Services.GetRequiredService<IHubSellerIdAllocator>();
        Assert.Equal("DGG-000001", await allocator.AllocateAsync("dongguan", "APP-a", "s-a", CancellationToken.None));
        Assert.Equal("DGG-000001", await allocator.AllocateAsync("dongguan", "APP-a", "s-a", CancellationToken.None));
        Assert.Equal("DGG-000002", await allocator.AllocateAsync("dongguan", "APP-b", "s-b", CancellationToken.None));
        Assert.Equal("TSN-000001", await allocator.AllocateAsync("tianjin", "APP-c", "s-c", CancellationToken.None));
        Assert.Equal("DGG-000003", await allocator.AllocateAsync("dongguan", "APP-d", "s-d", CancellationToken.None));

        // Concurrent repeats for one application take one number.
        var repeats = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => allocator.AllocateAsync("dongguan", "APP-e", "s-e", CancellationToken.None))));
        Assert.Equal(["DGG-000004"], repeats.Distinct());
        Assert.Equal("DGG-000005", await allocator.AllocateAsync("dongguan", "APP-f", "s-f", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => allocator.AllocateAsync("mars", "APP-g", "s-g", CancellationToken.None));
    }
}
