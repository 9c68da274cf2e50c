using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;

namespace HubFunctions.Core.Tests.Compliance;

/// <summary>CMP-3: the one freeze check appointments, dispatch and the Premium pool call.</summary>
public sealed class FreezeCheckTests
{
    private static Seller Seller(SellerStatus status, params string[] reasons) => new(
        "seller-1", "hangzhou", "HZ-000001", status, SellerCategories.BrandTrader, "示例贸易有限公司",
        "914403001922038216", TaxRating.A, new DateOnly(2024, 1, 1), reasons);

    [Fact]
    public void CMP_3_an_active_seller_is_not_refused() =>
        Assert.Null(FreezeCheck.Refusal(Seller(SellerStatus.Active), FrozenActions.BookAppointment));

    [Fact]
    public void CMP_3_a_frozen_seller_is_refused_naming_the_action_and_every_freeze_reason()
    {
        var refusal = FreezeCheck.Refusal(
            Seller(SellerStatus.Frozen, "CMP-1 customs-declaration expired", "tax-rating M"),
            FrozenActions.IssueDispatchInstruction);

        Assert.NotNull(refusal);
        Assert.Equal("CMP-3", FreezeRefusal.Code);
        Assert.Equal(["CMP-1 customs-declaration expired", "tax-rating M"], refusal.FreezeReasons);
        Assert.Contains("issue dispatch instructions", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("CMP-1 customs-declaration expired; tax-rating M", refusal.Message, StringComparison.Ordinal);
    }
}
