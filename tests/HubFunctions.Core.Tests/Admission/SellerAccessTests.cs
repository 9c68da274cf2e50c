using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Tests.Admission;

/// <summary>SEC-2 for every endpoint that takes a <c>sellerId</c>: exists, at the hub, and the caller's.</summary>
public sealed class SellerAccessTests
{
    private static readonly Seller Hangzhou = new("s-hgh", "hangzhou", "HGH-000001", SellerStatus.Active, "brand-trader",
        "杭州示例贸易有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []);

    private static readonly Seller Dongguan = Hangzhou with { SellerId = "s-dgg", Hub = "dongguan", HubSellerId = "DGG-000001" };

    private readonly Directory _directory = new(Hangzhou, Dongguan);

    private SellerAccess Access => new(_directory);

    private static HubCaller Platform => new("seller-center", HubRole.Platform, null, null);

    private static HubCaller Reviewer => new("reviewer", HubRole.Reviewer, null, null);

    private static HubCaller SellerClient(string sellerId) => new("c-" + sellerId, HubRole.Seller, sellerId, null);

    private static HubCaller Wms(string sellerId) => new("w-" + sellerId, HubRole.Wms, sellerId, null);

    private static HubCaller Operator(string hub) => new("op-" + hub, HubRole.HubOperator, null, hub);

    [Fact]
    public async Task SEC_2_platform_reviewer_own_seller_own_wms_and_the_hubs_operator_are_allowed()
    {
        foreach (var caller in new[] { Platform, Reviewer, SellerClient("s-hgh"), Wms("s-hgh"), Operator("hangzhou") })
        {
            var result = await Access.CheckAsync(caller, "s-hgh", null, CancellationToken.None);
            Assert.True(result.Allowed, caller.ClientId);
            Assert.Equal(Hangzhou, result.Seller);
            Assert.Null(result.Reason);
        }

        Assert.True((await Access.CheckAsync(Operator("hangzhou"), "s-hgh", "hangzhou", CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task SEC_2_an_unknown_seller_is_not_found()
    {
        var result = await Access.CheckAsync(Reviewer, "nobody", null, CancellationToken.None);
        Assert.Equal(SellerAccessDenial.NotFound, result.Denial);
        Assert.Null(result.Seller);
        Assert.Contains("nobody", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("-x")]
    public async Task SEC_2_an_id_that_cannot_be_a_key_is_not_found_without_a_store_read(string sellerId)
    {
        var result = await Access.CheckAsync(Reviewer, sellerId, null, CancellationToken.None);
        Assert.Equal(SellerAccessDenial.NotFound, result.Denial);
        Assert.Equal(0, _directory.Reads);
    }

    [Fact]
    public async Task SEC_2_another_sellers_client_is_forbidden_without_learning_whether_the_seller_exists()
    {
        var existing = await Access.CheckAsync(SellerClient("s-dgg"), "s-hgh", null, CancellationToken.None);
        var unknown = await Access.CheckAsync(Wms("s-dgg"), "nobody", null, CancellationToken.None);
        Assert.Equal(SellerAccessDenial.Forbidden, existing.Denial);
        Assert.Equal(SellerAccessDenial.Forbidden, unknown.Denial);
        Assert.Equal(0, _directory.Reads);
    }

    [Fact]
    public async Task SEC_2_a_seller_of_another_hub_is_forbidden()
    {
        var result = await Access.CheckAsync(Operator("dongguan"), "s-dgg", "hangzhou", CancellationToken.None);
        Assert.Equal(SellerAccessDenial.Forbidden, result.Denial);
        Assert.Contains("hangzhou", result.Reason, StringComparison.Ordinal);

        Assert.Equal(SellerAccessDenial.Forbidden, (await Access.CheckAsync(Platform, "s-dgg", "hangzhou", CancellationToken.None)).Denial);
    }

    [Fact]
    public async Task SEC_2_another_hubs_operator_is_forbidden_even_without_a_hub_in_the_route()
    {
        var result = await Access.CheckAsync(Operator("dongguan"), "s-hgh", null, CancellationToken.None);
        Assert.Equal(SellerAccessDenial.Forbidden, result.Denial);
        Assert.Null(result.Seller);
    }

    [Fact]
    public async Task SEC_2_the_registration_check_refuses_and_allows_exactly_as_the_full_check_without_a_seller_in_the_result()
    {
        HubCaller[] callers = [Platform, Reviewer, SellerClient("s-hgh"), SellerClient("s-dgg"), Wms("s-hgh"), Operator("hangzhou"), Operator("dongguan")];
        foreach (var caller in callers)
        {
            foreach (var sellerId in new[] { "s-hgh", "s-dgg", "nobody", "a/b" })
            {
                foreach (var hub in new[] { null, "hangzhou", "dongguan" })
                {
                    var full = await Access.CheckAsync(caller, sellerId, hub, CancellationToken.None);
                    var registration = await Access.CheckRegistrationAsync(caller, sellerId, hub, CancellationToken.None);
                    var what = $"{caller.ClientId} {sellerId} {hub}";
                    Assert.True(full.Denial == registration.Denial, what);
                    Assert.True(full.Reason == registration.Reason, what);
                    Assert.Null(registration.Seller);
                }
            }
        }

        // Both kinds of result occur, so the comparison above compared something.
        Assert.True((await Access.CheckRegistrationAsync(Platform, "s-hgh", "hangzhou", CancellationToken.None)).Allowed);
        Assert.Equal(SellerAccessDenial.NotFound, (await Access.CheckRegistrationAsync(Platform, "nobody", "hangzhou", CancellationToken.None)).Denial);
        Assert.Equal(SellerAccessDenial.Forbidden, (await Access.CheckRegistrationAsync(Platform, "s-dgg", "hangzhou", CancellationToken.None)).Denial);
    }

    private sealed class Directory(params Seller[] sellers) : ISellerDirectory
    {
        public int Reads { get; private set; }

        public Task<Seller?> FindAsync(string sellerId, CancellationToken cancellationToken)
        {
            Reads++;
            return Task.FromResult(sellers.FirstOrDefault(s => s.SellerId == sellerId));
        }

        public async Task<string?> FindHubAsync(string sellerId, CancellationToken cancellationToken)
            => (await FindAsync(sellerId, cancellationToken))?.Hub;

        public Task<bool> TryAddAsync(Seller seller, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }
}
