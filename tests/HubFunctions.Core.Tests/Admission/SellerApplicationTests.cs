using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Tests.Admission;

/// <summary>ADM-5 (the three stages as a state machine), ADM-9 (documents, licence), ADM-10 (tax rating), ADM-7 (SLA flags).</summary>
public sealed class SellerApplicationTests
{
    private static readonly DateOnly Submitted = new(2026, 11, 2); // Monday
    private static readonly DateTimeOffset Now = new(2026, 11, 10, 9, 0, 0, ChinaTime.Offset);

    private static readonly ApplicationSubmission BrandTraderSubmission = new(
        SellerId: "seller-7", StoreName: "Store", EntityName: "华为技术有限公司", Category: SellerCategories.BrandTrader,
        UnifiedSocialCreditCode: "914403001922038216", Hub: "hangzhou", OwnBrand: true, BrandAuthorizationCertified: true);

    private static SellerApplication Open(ApplicationSubmission? submission = null) =>
        SellerApplication.Open("APP-1", submission ?? BrandTraderSubmission, Submitted, ChinaWorkingCalendar.Default);

    private static readonly BusinessLicenceFacts Licence = new("华为技术有限公司", "914403001922038216");

    private static HashSet<string> Docs(params string[] types) => new(types, StringComparer.Ordinal);

    private static HashSet<string> AllDocs(SellerApplication a) => new(AdmissionDocuments.Required(a.Category, a.OwnBrand, a.GreenChannel), StringComparer.Ordinal);

    private static PreReviewInput Input(SellerApplication a, TaxRatingResult? tax = null, BusinessLicenceFacts? licence = null, HashSet<string>? docs = null) =>
        new(docs ?? AllDocs(a), licence ?? Licence, tax ?? TaxRatingResult.Rated(TaxRating.A));

    private static SellerApplication Ok(ApplicationTransition t)
    {
        Assert.True(t.Succeeded, t.Refusal?.Message);
        return t.Application;
    }

    private static readonly SiteAuditReport AuditPass = new(true, Submitted.AddDays(3), "Li Wei", "Clean line.");
    private static readonly SiteAuditReport AuditFail = new(false, Submitted.AddDays(3), "Li Wei", "No fire exits.");
    private static readonly IntegrationTestReport TestPass = new(true, Now, "signed call ok");
    private static readonly IntegrationTestReport TestFail = new(false, Now, "bad signature");
    private static readonly ReviewerDecision Approve = new(true, "reviewer-1", Now, null);
    private static readonly ReviewerDecision Reject = new(false, "reviewer-1", Now, "Incomplete evidence.");

    /// <summary>An application brought to <paramref name="status"/> through legal transitions only.</summary>
    private static SellerApplication In(ApplicationStatus status)
    {
        var a = Open();
        return status switch
        {
            ApplicationStatus.PreReview => a,
            ApplicationStatus.TaxCheckPending => Ok(a.RecordPreReview(Input(a, TaxRatingResult.Unavailable("timeout")))),
            ApplicationStatus.SiteAudit => Ok(a.RecordPreReview(Input(a))),
            ApplicationStatus.IntegrationTest => Ok(In(ApplicationStatus.SiteAudit).RecordSiteAudit(AuditPass)),
            ApplicationStatus.Decision => Ok(In(ApplicationStatus.IntegrationTest).RecordIntegrationTest(TestPass)),
            ApplicationStatus.Approved => Ok(In(ApplicationStatus.Decision).Decide(Approve)),
            ApplicationStatus.Rejected => Ok(a.Decide(Reject)),
            _ => throw new ArgumentOutOfRangeException(nameof(status)),
        };
    }

    private static readonly Dictionary<string, Func<SellerApplication, ApplicationTransition>> Transitions = new()
    {
        ["pre-review"] = a => a.RecordPreReview(Input(a)),
        ["pre-review-failing"] = a => a.RecordPreReview(Input(a, TaxRatingResult.Rated(TaxRating.D))),
        ["site-audit"] = a => a.RecordSiteAudit(AuditPass),
        ["site-audit-failing"] = a => a.RecordSiteAudit(AuditFail),
        ["integration-test"] = a => a.RecordIntegrationTest(TestPass),
        ["integration-test-failing"] = a => a.RecordIntegrationTest(TestFail),
        ["approve"] = a => a.Decide(Approve),
        ["reject"] = a => a.Decide(Reject),
    };

    // The status each legal transition leads to from each status.
    private static readonly Dictionary<(ApplicationStatus, string), ApplicationStatus> Outcome = new()
    {
        [(ApplicationStatus.PreReview, "pre-review")] = ApplicationStatus.SiteAudit,
        [(ApplicationStatus.PreReview, "pre-review-failing")] = ApplicationStatus.Rejected,
        [(ApplicationStatus.TaxCheckPending, "pre-review")] = ApplicationStatus.SiteAudit,
        [(ApplicationStatus.TaxCheckPending, "pre-review-failing")] = ApplicationStatus.Rejected,
        [(ApplicationStatus.SiteAudit, "site-audit")] = ApplicationStatus.IntegrationTest,
        [(ApplicationStatus.SiteAudit, "site-audit-failing")] = ApplicationStatus.Rejected,
        [(ApplicationStatus.IntegrationTest, "integration-test")] = ApplicationStatus.Decision,
        [(ApplicationStatus.IntegrationTest, "integration-test-failing")] = ApplicationStatus.IntegrationTest,
        [(ApplicationStatus.Decision, "approve")] = ApplicationStatus.Approved,
    };

    // Which transition each status allows (ADM-5); everything else is refused with the current status.
    private static readonly Dictionary<ApplicationStatus, string[]> Legal = new()
    {
        [ApplicationStatus.PreReview] = ["pre-review", "pre-review-failing", "reject"],
        [ApplicationStatus.TaxCheckPending] = ["pre-review", "pre-review-failing", "reject"],
        [ApplicationStatus.SiteAudit] = ["site-audit", "site-audit-failing", "reject"],
        [ApplicationStatus.IntegrationTest] = ["integration-test", "integration-test-failing", "reject"],
        [ApplicationStatus.Decision] = ["approve", "reject"],
        [ApplicationStatus.Approved] = [],
        [ApplicationStatus.Rejected] = [],
    };

    public static TheoryData<ApplicationStatus, string> Matrix()
    {
        var data = new TheoryData<ApplicationStatus, string>();
        foreach (var status in Enum.GetValues<ApplicationStatus>())
        {
            foreach (var transition in Transitions.Keys)
            {
                data.Add(status, transition);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void ADM_5_every_transition_from_every_status_is_allowed_or_refused_naming_the_current_status(ApplicationStatus status, string transition)
    {
        var before = In(status);
        Assert.Equal(status, before.Status);
        var result = Transitions[transition](before);
        if (Legal[status].Contains(transition))
        {
            Assert.True(result.Succeeded, result.Refusal?.Message);
            Assert.Null(result.Refusal);
            var expected = transition == "reject" ? ApplicationStatus.Rejected : Outcome[(status, transition)];
            Assert.Equal(expected, result.Application.Status);
        }
        else
        {
            Assert.False(result.Succeeded);
            Assert.Null(result.Application);
            Assert.Equal(status, result.Refusal.CurrentStatus);
            Assert.Equal(transition.Replace("-failing", "", StringComparison.Ordinal), result.Refusal.Attempted);
            Assert.Equal("illegal-transition", result.Refusal.Code);
            Assert.Contains(status.ToWire(), result.Refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADM_5_the_happy_path_runs_the_three_stages_in_order()
    {
        var a = Open();
        Assert.Equal(ApplicationStatus.PreReview, a.Status);
        Assert.Equal("pre-review", a.Status.Stage());

        a = Ok(a.RecordPreReview(Input(a)));
        Assert.Equal(ApplicationStatus.SiteAudit, a.Status);
        Assert.Equal(PreReviewOutcome.Passed, a.PreReview!.Outcome);
        Assert.Equal(TaxRating.A, a.PreReview.TaxRating);

        a = Ok(a.RecordSiteAudit(AuditPass));
        Assert.Equal(ApplicationStatus.IntegrationTest, a.Status);
        Assert.Equal(AuditPass, a.SiteAudit);

        a = Ok(a.RecordIntegrationTest(TestPass));
        Assert.Equal(ApplicationStatus.Decision, a.Status);
        Assert.Equal(1, a.IntegrationTestAttempts);

        a = Ok(a.Decide(Approve));
        Assert.Equal(ApplicationStatus.Approved, a.Status);
        Assert.Null(a.Status.Stage());
        Assert.Empty(a.RejectionReasons);
        Assert.Equal(Approve, a.Decision);
    }

    [Fact]
    public void ADM_5_a_failed_site_audit_rejects_with_the_notes()
    {
        var a = Ok(In(ApplicationStatus.SiteAudit).RecordSiteAudit(AuditFail));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        var reason = Assert.Single(a.RejectionReasons);
        Assert.Equal("ADM-5", reason.Code);
        Assert.Contains("No fire exits.", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_5_a_failed_integration_test_stays_and_may_be_repeated()
    {
        var a = Ok(In(ApplicationStatus.IntegrationTest).RecordIntegrationTest(TestFail));
        Assert.Equal(ApplicationStatus.IntegrationTest, a.Status);
        Assert.Equal(TestFail, a.IntegrationTest);
        a = Ok(a.RecordIntegrationTest(TestFail));
        a = Ok(a.RecordIntegrationTest(TestPass));
        Assert.Equal(ApplicationStatus.Decision, a.Status);
        Assert.Equal(3, a.IntegrationTestAttempts);
    }

    [Fact]
    public void ADM_5_approval_before_all_three_stages_passed_is_refused()
    {
        foreach (var status in new[] { ApplicationStatus.PreReview, ApplicationStatus.TaxCheckPending, ApplicationStatus.SiteAudit, ApplicationStatus.IntegrationTest })
        {
            var refusal = In(status).Decide(Approve).Refusal;
            Assert.NotNull(refusal);
            Assert.Contains("ADM-5", refusal.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADM_5_a_reviewer_rejection_keeps_the_reason_and_the_decision()
    {
        var a = Ok(In(ApplicationStatus.Decision).Decide(Reject));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        Assert.Equal(new ReviewReason(SellerApplication.ReviewerRejectionCode, "Incomplete evidence."), Assert.Single(a.RejectionReasons));
        Assert.Equal(Reject, a.Decision);
    }

    [Fact]
    public void ADM_5_a_decision_needs_a_reviewer_and_a_rejection_needs_a_reason()
    {
        var a = In(ApplicationStatus.Decision);
        Assert.Throws<ArgumentException>(() => a.Decide(Reject with { Reason = " " }));
        Assert.Throws<ArgumentException>(() => a.Decide(Approve with { Reviewer = "" }));
    }

    [Fact]
    public void ADM_5_transitions_do_not_change_the_original()
    {
        var a = In(ApplicationStatus.SiteAudit);
        _ = Ok(a.RecordSiteAudit(AuditPass));
        Assert.Equal(ApplicationStatus.SiteAudit, a.Status);
        Assert.Null(a.SiteAudit);
    }

    // ---------- Opening ----------

    [Fact]
    public void ADM_6_open_computes_the_sla_dates_and_normalises_the_code()
    {
        var a = Open(BrandTraderSubmission with { UnifiedSocialCreditCode = "914403001922038216".ToLowerInvariant(), Iso14001 = true });
        Assert.True(a.GreenChannel);
        Assert.Equal("914403001922038216", a.UnifiedSocialCreditCode);
        Assert.Equal(Submitted, a.SubmittedOn);
        Assert.Equal(new DateOnly(2026, 11, 11), a.ReviewDueOn); // 7 working days after Monday 2026-11-02
        Assert.Equal(new DateOnly(2026, 11, 10), a.AtRiskOn);     // the 6th
        var standard = Open();
        Assert.False(standard.GreenChannel);
        Assert.Equal(new DateOnly(2026, 11, 23), standard.ReviewDueOn);
        Assert.Equal(new DateOnly(2026, 11, 18), standard.AtRiskOn);
    }

    [Fact]
    public void Open_refuses_a_submission_with_field_errors()
    {
        Assert.Throws<ArgumentException>(() => Open(BrandTraderSubmission with { Hub = "mars" }));
    }

    // ---------- Pre-review: category rules, documents, identifiers ----------

    [Fact]
    public void ADM_2_a_category_failure_recorded_at_intake_rejects_at_pre_review()
    {
        var a = Open(BrandTraderSubmission with { Category = SellerCategories.Manufacturer, AnnualExportCny = 4_999_999.99m });
        Assert.Equal("ADM-2", Assert.Single(a.CategoryFailures).Code);
        Assert.Equal(ApplicationStatus.PreReview, a.Status); // accepted at intake
        a = Ok(a.RecordPreReview(Input(a)));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        Assert.Equal("ADM-2", Assert.Single(a.RejectionReasons).Code);
    }

    [Fact]
    public void ADM_9_missing_documents_keep_it_in_pre_review_listing_them()
    {
        var a = Open();
        a = Ok(a.RecordPreReview(Input(a, docs: Docs(AdmissionDocuments.BusinessLicence, AdmissionDocuments.CustomsDeclaration))));
        Assert.Equal(ApplicationStatus.PreReview, a.Status);
        Assert.Equal(PreReviewOutcome.AwaitingDocuments, a.PreReview!.Outcome);
        Assert.Equal([AdmissionDocuments.WmsIntegrationPlan, AdmissionDocuments.ApiSecurityCommitment], a.PreReview.MissingDocuments);

        // The documents arrive: re-evaluated, it passes.
        a = Ok(a.RecordPreReview(Input(a)));
        Assert.Equal(ApplicationStatus.SiteAudit, a.Status);
    }

    [Fact]
    public void ADM_9_a_licence_document_without_its_facts_counts_as_missing()
    {
        var a = Open();
        var result = PreReview.Evaluate(a, new PreReviewInput(AllDocs(a), null, TaxRatingResult.Rated(TaxRating.B)));
        Assert.Equal(PreReviewOutcome.AwaitingDocuments, result.Outcome);
        Assert.Equal([AdmissionDocuments.BusinessLicence], result.MissingDocuments);
    }

    [Fact]
    public void ADM_9_required_documents_by_category()
    {
        Assert.Equal(
            ["business-licence", "customs-declaration", "vat-invoice", "brand-authorization", "wms-integration-plan", "api-security-commitment"],
            AdmissionDocuments.Required(SellerCategories.Manufacturer, ownBrand: null, iso14001: null));
        Assert.Equal(
            ["business-licence", "customs-declaration", "vat-invoice", "wms-integration-plan", "api-security-commitment", "iso14001-certificate"],
            AdmissionDocuments.Required(SellerCategories.Manufacturer, ownBrand: true, iso14001: true));
        Assert.Equal(
            ["business-licence", "customs-declaration", "wms-integration-plan", "api-security-commitment"],
            AdmissionDocuments.Required(SellerCategories.BrandTrader, ownBrand: true, iso14001: false));
        Assert.Equal(
            ["business-licence", "customs-declaration", "brand-authorization", "wms-integration-plan", "api-security-commitment"],
            AdmissionDocuments.Required(SellerCategories.WmsProvider, ownBrand: false, iso14001: null));
    }

    [Fact]
    public void ADM_9_licence_entity_name_must_equal_the_store_entity_name()
    {
        var a = Open();
        a = Ok(a.RecordPreReview(Input(a, licence: Licence with { EntityName = "华为终端有限公司" })));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        var reason = Assert.Single(a.RejectionReasons);
        Assert.Equal("ADM-9", reason.Code);
        Assert.Contains("华为终端有限公司", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_9_full_width_and_ascii_parentheses_and_surrounding_spaces_are_the_same_name()
    {
        var a = Open(BrandTraderSubmission with { EntityName = "阿里巴巴（中国）网络技术有限公司", UnifiedSocialCreditCode = "91330100716105852F" });
        var licence = new BusinessLicenceFacts(" 阿里巴巴(中国)网络技术有限公司 ", "91330100716105852f");
        Assert.Equal(ApplicationStatus.SiteAudit, Ok(a.RecordPreReview(Input(a, licence: licence))).Status);
    }

    [Fact]
    public void ADM_11_a_licence_with_an_invalid_or_different_code_rejects()
    {
        var a = Open();
        var invalid = Ok(a.RecordPreReview(Input(a, licence: Licence with { UnifiedSocialCreditCode = "914403001922038217" })));
        Assert.Equal("ADM-11", Assert.Single(invalid.RejectionReasons).Code);

        var other = Ok(a.RecordPreReview(Input(a, licence: Licence with { UnifiedSocialCreditCode = "91440300192317458F" })));
        Assert.Equal("ADM-9", Assert.Single(other.RejectionReasons).Code);
    }

    [Fact]
    public void ADM_5_a_definite_failure_rejects_even_while_documents_are_missing_and_lists_every_failure()
    {
        var a = Open(BrandTraderSubmission with { OwnBrand = false });
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(TaxRating.D), Licence with { EntityName = "Other" }, Docs())));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        Assert.Equal(["ADM-3", "ADM-9", "ADM-10"], a.RejectionReasons.Select(r => r.Code));
    }

    // ---------- ADM-10: tax rating ----------

    [Theory]
    [InlineData(TaxRating.A)]
    [InlineData(TaxRating.B)]
    public void ADM_10_ratings_A_and_B_pass(TaxRating rating)
    {
        var a = Open();
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(rating))));
        Assert.Equal(ApplicationStatus.SiteAudit, a.Status);
        Assert.Equal(rating, a.PreReview!.TaxRating);
    }

    [Theory]
    [InlineData(TaxRating.M)]
    [InlineData(TaxRating.C)]
    [InlineData(TaxRating.D)]
    public void ADM_10_ratings_M_C_D_reject_with_the_level_as_the_reason(TaxRating rating)
    {
        var a = Open();
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(rating))));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
        var reason = Assert.Single(a.RejectionReasons);
        Assert.Equal("ADM-10", reason.Code);
        Assert.Contains($"rating {rating}", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_10_an_unavailable_answer_waits_in_tax_check_pending_never_passed_or_rejected()
    {
        var a = Open();
        var unavailable = TaxRatingResult.Unavailable("tax authority timed out");
        Assert.False(unavailable.IsAvailable);
        Assert.Null(unavailable.Rating);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            a = Ok(a.RecordPreReview(Input(a, unavailable)));
            Assert.Equal(ApplicationStatus.TaxCheckPending, a.Status);
            Assert.Equal("pre-review", a.Status.Stage());
            Assert.Empty(a.RejectionReasons);
        }

        // The authority answers at last.
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(TaxRating.B))));
        Assert.Equal(ApplicationStatus.SiteAudit, a.Status);
    }

    [Fact]
    public void ADM_10_tax_pending_with_documents_missing_is_tax_check_pending_and_lists_the_documents()
    {
        var a = Open();
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Unavailable("outage"), docs: Docs())));
        Assert.Equal(ApplicationStatus.TaxCheckPending, a.Status);
        Assert.Equal(4, a.PreReview!.MissingDocuments.Count);

        // From tax-check-pending, a rating A with documents still missing goes back to pre-review.
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(TaxRating.A), docs: Docs())));
        Assert.Equal(ApplicationStatus.PreReview, a.Status);
    }

    [Fact]
    public void ADM_10_tax_pending_then_rating_M_rejects()
    {
        var a = In(ApplicationStatus.TaxCheckPending);
        a = Ok(a.RecordPreReview(Input(a, TaxRatingResult.Rated(TaxRating.M))));
        Assert.Equal(ApplicationStatus.Rejected, a.Status);
    }

    [Fact]
    public void ADM_10_unavailable_needs_a_reason()
    {
        Assert.Throws<ArgumentException>(() => TaxRatingResult.Unavailable(""));
    }

    // ---------- ADM-7: SLA flags ----------

    [Fact]
    public void ADM_7_at_risk_and_breached_are_raised_once_each_when_checked_hourly_over_days()
    {
        var a = Open(); // at risk 2026-11-18, due 2026-11-23
        var atRiskRaised = new List<DateOnly>();
        var breachedRaised = new List<DateOnly>();
        for (var day = Submitted; day <= new DateOnly(2026, 12, 5); day = day.AddDays(1))
        {
            for (var hour = 0; hour < 24; hour++)
            {
                var check = a.CheckSla(day);
                if (check.RaiseAtRisk)
                {
                    atRiskRaised.Add(day);
                }

                if (check.RaiseBreached)
                {
                    breachedRaised.Add(day);
                }

                Assert.Equal(check.RaiseAtRisk || check.RaiseBreached, check.Changed);
                a = check.Application;
            }
        }

        Assert.Equal([new DateOnly(2026, 11, 18)], atRiskRaised);
        Assert.Equal([new DateOnly(2026, 11, 24)], breachedRaised);
        Assert.True(a.SlaAtRiskRaised);
        Assert.True(a.SlaBreachedRaised);
    }

    [Fact]
    public void ADM_7_a_first_check_after_the_due_date_raises_both_once()
    {
        var check = Open().CheckSla(new DateOnly(2026, 11, 30));
        Assert.True(check.RaiseAtRisk);
        Assert.True(check.RaiseBreached);
        var again = check.Application.CheckSla(new DateOnly(2026, 12, 1));
        Assert.False(again.Changed);
        Assert.Same(check.Application, again.Application);
    }

    [Fact]
    public void ADM_7_nothing_is_raised_before_the_at_risk_day()
    {
        var check = Open().CheckSla(new DateOnly(2026, 11, 17));
        Assert.False(check.Changed);
        Assert.False(check.Application.SlaAtRiskRaised);
    }

    [Theory]
    [InlineData(ApplicationStatus.Approved)]
    [InlineData(ApplicationStatus.Rejected)]
    public void ADM_7_decided_applications_raise_nothing(ApplicationStatus status)
    {
        var check = In(status).CheckSla(new DateOnly(2026, 12, 31));
        Assert.False(check.Changed);
    }

    [Theory]
    [InlineData(ApplicationStatus.TaxCheckPending)]
    [InlineData(ApplicationStatus.SiteAudit)]
    [InlineData(ApplicationStatus.IntegrationTest)]
    [InlineData(ApplicationStatus.Decision)]
    public void ADM_7_every_undecided_status_counts(ApplicationStatus status)
    {
        var check = In(status).CheckSla(new DateOnly(2026, 11, 24));
        Assert.True(check.RaiseAtRisk);
        Assert.True(check.RaiseBreached);
    }

    // ---------- wire names, audit input ----------

    [Fact]
    public void Status_wire_names_round_trip()
    {
        Assert.Equal(
            ["pre-review", "tax-check-pending", "site-audit", "integration-test", "decision", "approved", "rejected"],
            Enum.GetValues<ApplicationStatus>().Select(s => s.ToWire()));
        foreach (var status in Enum.GetValues<ApplicationStatus>())
        {
            Assert.True(ApplicationStatuses.TryParse(status.ToWire(), out var parsed));
            Assert.Equal(status, parsed);
        }

        Assert.False(ApplicationStatuses.TryParse("PreReview", out _));
        Assert.False(ApplicationStatuses.TryParse(null, out _));
    }

    [Fact]
    public void ADM_5_site_audit_report_validation()
    {
        var today = new DateOnly(2026, 11, 10);
        Assert.Empty(AuditPass.Validate(Submitted, today));
        Assert.Empty((AuditPass with { Notes = null }).Validate(Submitted, today));
        Assert.Equal(["notes"], (AuditFail with { Notes = " " }).Validate(Submitted, today).Select(e => e.Field));
        Assert.Equal(["auditor"], (AuditPass with { Auditor = "" }).Validate(Submitted, today).Select(e => e.Field));
        Assert.Equal(["auditedOn"], (AuditPass with { AuditedOn = Submitted.AddDays(-1) }).Validate(Submitted, today).Select(e => e.Field));
        Assert.Equal(["auditedOn"], (AuditPass with { AuditedOn = today.AddDays(1) }).Validate(Submitted, today).Select(e => e.Field));
    }
}
