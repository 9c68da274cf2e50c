using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Hubs;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Sellers for tests of endpoints that take a <c>sellerId</c> (SEC-2: the seller must exist, at the
/// hub): stored through the real seller store (<see cref="ISellerDirectory.TryAddAsync"/>) in the
/// host's own isolated tables. The one seeding helper every test uses.
/// </summary>
public static class TestSellers
{
    /// <summary>The entity name sellers get unless a test names one.</summary>
    public const string DefaultEntityName = "杭州示例贸易有限公司";

    /// <summary>The unified social credit code sellers get unless a test names one.</summary>
    public const string DefaultUscc = "91330100MA2CFLXX12";

    /// <summary>
    /// A seller at <paramref name="hub"/> (the hub seller id is made up: no allocation): active, rated A, unless
    /// told otherwise; given <paramref name="freezeReasons"/> it is frozen for them (unless <paramref name="status"/> says otherwise).
    /// </summary>
    public static Seller Make(string sellerId, string hub = "hangzhou", SellerStatus? status = null, TaxRating? rating = TaxRating.A,
        string uscc = DefaultUscc, string entityName = DefaultEntityName, IReadOnlyList<FreezeReason>? freezeReasons = null)
        => new(sellerId, hub, $"{Hubs.Find(hub)!.SellerIdPrefix}-900001", status ?? (freezeReasons is { Count: > 0 } ? SellerStatus.Frozen : SellerStatus.Active),
            SellerCategories.BrandTrader, entityName, uscc, rating, new DateOnly(2024, 1, 1), freezeReasons ?? []);

    /// <summary>
    /// Makes sure <paramref name="sellerId"/> exists in this host's seller store as <see cref="Make"/> describes it
    /// (idempotent: a test class sharing one host may call it in every test; a seller stored differently before fails
    /// the test); returns the id.
    /// </summary>
    public static async Task<string> SeedSellerAsync(this DevHostFactory factory, string sellerId, string hub = "hangzhou", SellerStatus? status = null,
        TaxRating? rating = TaxRating.A, string uscc = DefaultUscc, string entityName = DefaultEntityName, IReadOnlyList<FreezeReason>? freezeReasons = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var wanted = Make(sellerId, hub, status, rating, uscc, entityName, freezeReasons);
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        await directory.TryAddAsync(wanted, [], CancellationToken.None);
        var stored = await directory.FindAsync(sellerId, CancellationToken.None);
        Assert.True(stored is not null && (stored.Hub, stored.Status, stored.UnifiedSocialCreditCode, stored.TaxRating) == (wanted.Hub, wanted.Status, wanted.UnifiedSocialCreditCode, wanted.TaxRating),
            $"seller {sellerId} is stored as {stored}, not as {wanted}");
        return sellerId;
    }
}
