using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;

namespace HubFunctions.Core.Tests.Compliance;

/// <summary>CMP-3: the one freeze check appointments, dispatch and the Premium pool call.</summary>
public sealed class FreezeCheckTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero);

    private static Seller Seller(SellerStatus status, params FreezeReason[] reasons) => new(
        "seller-1", "hangzhou", "HZ-000001", status, SellerCategories.BrandTrader, "示例贸易有限公司",
        "914403001922038216", TaxRating.A, new DateOnly(2024, 1, 1), reasons);

    [Fact]
    public void CMP_3_an_active_seller_is_not_refused() =>
        Assert.Null(FreezeCheck.Refusal(Seller(SellerStatus.Active), FrozenActions.BookAppointment));

    [Fact]
    public void CMP_3_a_frozen_seller_is_refused_naming_the_action_and_every_freeze_reason()
    {
        var frozen = SellerFreeze.Freeze(Seller(SellerStatus.Active), 0,
            [FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1)), FreezeReason.TaxRatingDropped(TaxRating.M)],
            ComplianceActor.System("test"), Now, "CLOG-1")!.After;

        var refusal = FreezeCheck.Refusal(frozen, FrozenActions.IssueDispatchInstruction);

        Assert.NotNull(refusal);
        Assert.Equal("CMP-3", FreezeRefusal.Code);
        Assert.Equal([FreezeRules.DocumentExpired, FreezeRules.TaxRating], refusal.FreezeReasons.Select(r => r.Rule));
        Assert.Contains("issue dispatch instructions", refusal.Message, StringComparison.Ordinal);
        Assert.Contains(
            "CMP-1: customs-declaration not renewed, its latest approved version expired on 2026-11-01; tax-rating: the tax credit rating is M (CMP-5)",
            refusal.Message, StringComparison.Ordinal);
    }
}
