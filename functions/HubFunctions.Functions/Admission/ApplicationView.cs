using HubFunctions.Core.Admission;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.Functions.Admission;

/// <summary>How applications and admission refusals look on the wire (API.md "Admission").</summary>
public static class ApplicationView
{
    public const string OpenApplicationExists = "open-application-exists";

    /// <summary>409: the seller is admitted and active already.</summary>
    public const string SellerAlreadyActive = "seller-already-active";

    /// <summary>409: the seller is admitted but frozen; CMP-4 (new documents and a reviewer) unfreezes, not a new application.</summary>
    public const string SellerFrozen = "seller-frozen";

    /// <summary>The 202 answer to a submission.</summary>
    public static object Accepted(SellerApplication a) => new
    {
        applicationId = a.ApplicationId,
        status = a.Status.ToWire(),
        stage = a.Status.Stage(),
        reviewDueOn = a.ReviewDueOn,
        greenChannel = a.GreenChannel,
    };

    /// <summary>The application with its stage results and reasons (GET).</summary>
    public static object Full(SellerApplication a) => new
    {
        applicationId = a.ApplicationId,
        sellerId = a.SellerId,
        hub = a.Hub,
        category = a.Category,
        storeName = a.StoreName,
        entityName = a.EntityName,
        unifiedSocialCreditCode = a.UnifiedSocialCreditCode,
        status = a.Status.ToWire(),
        stage = a.Status.Stage(),
        submittedOn = a.SubmittedOn,
        atRiskOn = a.AtRiskOn,
        reviewDueOn = a.ReviewDueOn,
        greenChannel = a.GreenChannel,
        categoryFailures = a.CategoryFailures,
        preReview = a.PreReview is { } p ? new
        {
            outcome = Wire(p.Outcome),
            failures = p.Failures,
            missingDocuments = p.MissingDocuments,
            taxRating = p.TaxRating?.ToString(),
        } : null,
        siteAudit = a.SiteAudit is { } s ? new { result = s.Passed ? "pass" : "fail", auditedOn = s.AuditedOn, auditor = s.Auditor, notes = s.Notes } : null,
        integrationTest = a.IntegrationTest is { } t ? new { result = t.Passed ? "pass" : "fail", testedAt = t.TestedAt, details = t.Details, attempts = a.IntegrationTestAttempts } : null,
        decision = a.Decision is { } d ? new { decision = d.Approved ? "approve" : "reject", reviewer = d.Reviewer, decidedAt = d.DecidedAt, reason = d.Reason } : null,
        rejectionReasons = a.RejectionReasons,
    };

    /// <summary>409: the seller has an undecided application already (one per <c>sellerId</c>).</summary>
    public static ProblemResult OpenExists(string sellerId, string openApplicationId)
        => new(Problems.Conflict(OpenApplicationExists, $"Seller '{sellerId}' has an open application '{openApplicationId}'; one at a time.")
        with
        { Extensions = new() { ["openApplicationId"] = openApplicationId } });

    /// <summary>409 for a seller that is in the seller store already (active or frozen).</summary>
    public static ProblemResult SellerExists(Seller seller)
        => new(Problems.Conflict(seller.Status == SellerStatus.Frozen ? SellerFrozen : SellerAlreadyActive, seller.Status == SellerStatus.Frozen
            ? $"Seller '{seller.SellerId}' is admitted already ({seller.HubSellerId} at {seller.Hub}) and frozen; it is unfrozen by new documents and a reviewer's approval (CMP-4), not by a new application."
            : $"Seller '{seller.SellerId}' is admitted already and active ({seller.HubSellerId} at {seller.Hub}); a seller applies once.")
        with
        { Extensions = new() { ["hubSellerId"] = seller.HubSellerId, ["hub"] = seller.Hub, ["sellerStatus"] = seller.Status == SellerStatus.Frozen ? "frozen" : "active" } });

    /// <summary>The pre-review outcome on the wire, kebab-case like every other status.</summary>
    private static string Wire(PreReviewOutcome outcome) => outcome switch
    {
        PreReviewOutcome.Passed => "passed",
        PreReviewOutcome.Failed => "failed",
        PreReviewOutcome.AwaitingDocuments => "awaiting-documents",
        PreReviewOutcome.TaxCheckPending => "tax-check-pending",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
    };
}
