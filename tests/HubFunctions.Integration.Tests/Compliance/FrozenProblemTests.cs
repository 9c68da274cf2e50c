using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.Integration.Tests.Compliance;

/// <summary>CMP-3 at unit level: the refusal appointments, dispatch and the Premium pool answer for a seller frozen by <see cref="SellerFreeze"/>.</summary>
public sealed class FrozenProblemTests
{
    private static Seller Active() => Fixtures.TestSellers.Make("seller-9");

    [Fact]
    public void CMP_3_a_frozen_seller_is_refused_with_403_CMP_3_naming_every_reason()
    {
        var frozen = SellerFreeze.Freeze(Active(), 0,
            [FreezeReason.DocumentExpiredOn(AdmissionDocuments.BrandAuthorization, new DateOnly(2026, 10, 30)), FreezeReason.TaxRatingDropped(TaxRating.C)],
            ComplianceActor.System("test"), new DateTimeOffset(2026, 11, 2, 1, 0, 0, TimeSpan.Zero), "CLOG-1")!.After;

        var problem = SellerAccessProblems.Frozen(frozen, FrozenActions.BookAppointment)?.Problem;

        Assert.NotNull(problem);
        Assert.Equal((403, "CMP-3"), (problem.Status, problem.Code));
        Assert.Contains("may not book appointments", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("brand-authorization not renewed, its latest approved version expired on 2026-10-30", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("the tax credit rating is C", problem.Detail, StringComparison.Ordinal);
        var reasons = JsonSerializer.SerializeToElement(problem.Extensions!["freezeReasons"], HubJson.Options);
        Assert.Equal(["CMP-1", "tax-rating"], reasons.EnumerateArray().Select(r => r.GetProperty("rule").GetString()));
        Assert.Equal("C", reasons[1].GetProperty("rating").GetString());
    }

    [Fact]
    public void CMP_3_an_active_seller_is_not_refused()
        => Assert.Null(SellerAccessProblems.Frozen(Active(), FrozenActions.IssueDispatchInstruction));
}
