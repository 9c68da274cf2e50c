using HubFunctions.Core.Admission;
using HubFunctions.Core.Hubs;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Sellers for tests of endpoints that take a <c>sellerId</c> (SEC-2: the seller must exist, at the
/// hub): stored through the real seller store (<see cref="ISellerDirectory.TryAddAsync"/>) in the
/// host's own isolated tables.
/// </summary>
public static class TestSellers
{
    /// <summary>An active seller at <paramref name="hub"/> (the hub seller id is made up: no allocation).</summary>
    public static Seller Active(string sellerId, string hub = "hangzhou") => new(sellerId, hub, $"{Hubs.Find(hub)!.SellerIdPrefix}-900001", SellerStatus.Active,
        "brand-trader", "杭州示例贸易有限公司", "91330100MA2CFLXX12", TaxRating.A, new DateOnly(2024, 1, 1), []);

    /// <summary>
    /// Makes sure <paramref name="sellerId"/> exists at <paramref name="hub"/> in this host's seller store
    /// (idempotent: a test class sharing one host may call it in every test); returns the id.
    /// </summary>
    public static async Task<string> SeedSellerAsync(this DevHostFactory factory, string sellerId, string hub = "hangzhou")
    {
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        await directory.TryAddAsync(Active(sellerId, hub), [], CancellationToken.None);
        var stored = await directory.FindAsync(sellerId, CancellationToken.None);
        Assert.True(stored?.Hub == hub, $"seller {sellerId} exists at {stored?.Hub}, not {hub}");
        return sellerId;
    }
}
