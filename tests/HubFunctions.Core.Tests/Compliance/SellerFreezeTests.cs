using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;

namespace HubFunctions.Core.Tests.Compliance;

/// <summary>CMP-1/CMP-5 freeze transitions, CMP-4 unfreeze decision, CMP-6 audit entries: pure rules.</summary>
public sealed class SellerFreezeTests
{
    private static readonly DateTimeOffset FrozenAt = new(2026, 11, 2, 1, 0, 0, TimeSpan.Zero); // 2026-11-02 09:00 in China
    private static readonly ComplianceActor Sweep = ComplianceActor.System("compliance-sweep");
    private static readonly ComplianceActor Reviewer = ComplianceActor.Reviewer("reviewer-li");
    private static readonly FreezeReason Customs = FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1));
    private static readonly FreezeReason Brand = FreezeReason.DocumentExpiredOn(AdmissionDocuments.BrandAuthorization, new DateOnly(2026, 10, 31));
    private static readonly FreezeReason TaxM = FreezeReason.TaxRatingDropped(TaxRating.M);

    private static Seller Active() => new("seller-1", "hangzhou", "HGH-000001", SellerStatus.Active, SellerCategories.BrandTrader, "示例贸易有限公司",
        "914403001922038216", TaxRating.A, new DateOnly(2024, 1, 1), []);

    private static Seller Frozen(params FreezeReason[] reasons) => SellerFreeze.Freeze(Active(), 0, reasons, Sweep, FrozenAt, "CLOG-1")!.After;

    private static UnfreezeEvidence Evidence(TaxRating? rating = null, params (string Type, DateTimeOffset ApprovedAt)[] approvals)
        => new(approvals.ToDictionary(a => a.Type, a => a.ApprovedAt), rating);

    [Fact]
    public void CMP_1_freezing_an_active_seller_records_the_reasons_with_their_time_and_the_status_before_and_after()
    {
        var change = SellerFreeze.Freeze(Active(), 3, [Customs], Sweep, FrozenAt, "CLOG-9");

        Assert.NotNull(change);
        Assert.Equal(SellerStatus.Frozen, change.After.Status);
        var reason = Assert.Single(change.After.FreezeReasons);
        Assert.Equal((FreezeRules.DocumentExpired, AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1), FrozenAt),
            (reason.Rule, reason.DocumentType, reason.ExpiredOn, reason.Since));
        var e = change.Entry;
        Assert.Equal((4, "CLOG-9", ComplianceAction.Freeze, FrozenAt, Sweep, SellerStatus.Active, SellerStatus.Frozen), (e.Sequence, e.EntryId, e.Action, e.At, e.Actor, e.Before, e.After));
        Assert.Equal(change.After.FreezeReasons, e.Reasons);
        Assert.Empty(e.Evidence);
    }

    [Fact]
    public void CMP_5_freezing_a_frozen_seller_adds_only_the_new_reasons_and_records_only_those()
    {
        var frozen = Frozen(Customs);
        var later = FrozenAt.AddDays(3);

        var change = SellerFreeze.Freeze(frozen, 1, [Customs, TaxM], Sweep, later, "CLOG-2");

        Assert.NotNull(change);
        Assert.Equal([FreezeRules.DocumentExpired, FreezeRules.TaxRating], change.After.FreezeReasons.Select(r => r.Rule));
        Assert.Equal([FrozenAt, later], change.After.FreezeReasons.Select(r => r.Since!.Value));
        var added = Assert.Single(change.Entry.Reasons);
        Assert.Equal((FreezeRules.TaxRating, TaxRating.M), (added.Rule, added.Rating));
        Assert.Equal((2, SellerStatus.Frozen, SellerStatus.Frozen), (change.Entry.Sequence, change.Entry.Before, change.Entry.After));
    }

    [Fact]
    public void CMP_1_a_reason_already_present_changes_nothing_whatever_its_date_or_text()
    {
        var frozen = Frozen(Customs, TaxM);
        var again = FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 5), "the same document, found again");

        Assert.Null(SellerFreeze.Freeze(frozen, 1, [again, FreezeReason.TaxRatingDropped(TaxRating.D)], Sweep, FrozenAt.AddDays(1), "CLOG-2"));
    }

    [Fact]
    public void CMP_1_and_CMP_5_malformed_reasons_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FreezeReason.DocumentExpiredOn(AdmissionDocuments.BusinessLicence, new DateOnly(2026, 1, 1)));
        Assert.Throws<ArgumentException>(() => FreezeReason.TaxRatingDropped(TaxRating.B));
        Assert.Throws<ArgumentException>(() => SellerFreeze.Freeze(Active(), 0, [], Sweep, FrozenAt, "CLOG-1"));
        Assert.Throws<ArgumentException>(() => SellerFreeze.Freeze(Active(), 0, [new FreezeReason("CMP-9", null, null, null, "made up")], Sweep, FrozenAt, "CLOG-1"));
        Assert.Throws<ArgumentException>(() => SellerFreeze.Freeze(Active(), 0, [Customs with { ExpiredOn = null }], Sweep, FrozenAt, "CLOG-1"));
    }

    [Fact]
    public void CMP_4_a_missing_document_refuses_naming_it_and_the_freeze_date()
    {
        var decision = SellerFreeze.DecideUnfreeze(Frozen(Customs), Reviewer, Evidence());

        Assert.Equal(UnfreezeVerdict.Missing, decision.Verdict);
        Assert.Equal(["customs-declaration: no approved version since the freeze on 2026-11-02"], decision.Missing);
    }

    [Fact]
    public void CMP_4_a_document_approved_before_the_freeze_does_not_count()
    {
        var decision = SellerFreeze.DecideUnfreeze(Frozen(Customs), Reviewer, Evidence(null, (AdmissionDocuments.CustomsDeclaration, FrozenAt.AddMinutes(-1))));

        Assert.Equal(UnfreezeVerdict.Missing, decision.Verdict);
        Assert.Equal(["customs-declaration: no approved version since the freeze on 2026-11-02 (the latest was approved on 2026-11-02)"], decision.Missing);
    }

    [Fact]
    public void CMP_4_a_tax_rating_still_M_refuses_even_when_every_document_is_renewed()
    {
        var decision = SellerFreeze.DecideUnfreeze(Frozen(Customs, TaxM), Reviewer, Evidence(TaxRating.M, (AdmissionDocuments.CustomsDeclaration, FrozenAt.AddDays(5))));

        Assert.Equal(UnfreezeVerdict.Missing, decision.Verdict);
        Assert.Equal(["tax-rating: still M (A or B needed)"], decision.Missing);
        Assert.Equal(["customs-declaration: new version approved on 2026-11-07"], decision.Satisfied);
        Assert.Equal(["tax-rating: no current rating (A or B needed)"], SellerFreeze.DecideUnfreeze(Frozen(TaxM), Reviewer, Evidence()).Missing);
    }

    [Fact]
    public void CMP_4_each_unsatisfied_reason_is_named()
    {
        var decision = SellerFreeze.DecideUnfreeze(Frozen(Customs, Brand, TaxM), Reviewer, Evidence(TaxRating.C, (AdmissionDocuments.BrandAuthorization, FrozenAt.AddDays(1))));

        Assert.Equal(
            ["customs-declaration: no approved version since the freeze on 2026-11-02", "tax-rating: still C (A or B needed)"],
            decision.Missing);
    }

    [Fact]
    public void CMP_4_all_good_and_a_reviewer_allows_and_the_unfreeze_lifts_every_reason()
    {
        var frozen = Frozen(Customs, Brand, TaxM);
        var evidence = Evidence(TaxRating.B, (AdmissionDocuments.CustomsDeclaration, FrozenAt.AddDays(2)), (AdmissionDocuments.BrandAuthorization, FrozenAt.AddDays(3)));

        var decision = SellerFreeze.DecideUnfreeze(frozen, Reviewer, evidence);
        Assert.Equal(UnfreezeVerdict.Allowed, decision.Verdict);
        Assert.Empty(decision.Missing);

        var at = FrozenAt.AddDays(4);
        var change = SellerFreeze.Unfreeze(frozen, 1, decision, Reviewer, at, "CLOG-2");
        Assert.Equal(SellerStatus.Active, change.After.Status);
        Assert.Empty(change.After.FreezeReasons);
        Assert.Equal((2, ComplianceAction.Unfreeze, at, Reviewer, SellerStatus.Frozen, SellerStatus.Active),
            (change.Entry.Sequence, change.Entry.Action, change.Entry.At, change.Entry.Actor, change.Entry.Before, change.Entry.After));
        Assert.Equal(frozen.FreezeReasons, change.Entry.Reasons);
        Assert.Equal(
            ["customs-declaration: new version approved on 2026-11-04", "brand-authorization: new version approved on 2026-11-05", "tax-rating: now B"],
            change.Entry.Evidence);
    }

    [Fact]
    public void CMP_4_never_automatic_a_system_actor_is_refused_even_with_all_evidence()
    {
        var decision = SellerFreeze.DecideUnfreeze(Frozen(TaxM), Sweep, Evidence(TaxRating.A));

        Assert.Equal(UnfreezeVerdict.NotReviewer, decision.Verdict);
        Assert.Throws<InvalidOperationException>(() => SellerFreeze.Unfreeze(Frozen(TaxM), 1, decision, Sweep, FrozenAt, "CLOG-2"));
    }

    [Fact]
    public void CMP_4_an_active_seller_is_not_frozen()
        => Assert.Equal(UnfreezeVerdict.NotFrozen, SellerFreeze.DecideUnfreeze(Active(), Reviewer, Evidence(TaxRating.A)).Verdict);
}
