using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Documents;

/// <summary>A reviewer's decision body (API.md <c>review</c>).</summary>
public sealed record DocumentDecision(string? Decision, string? Reason);

/// <summary>How a review ended: not found, refused in the current status (409), field errors (422), or the reviewed version.</summary>
public sealed record DocumentReviewOutcome(DocumentVersion? Reviewed, DocumentStatus? RefusedIn, IReadOnlyList<FieldError> Errors, bool NotFound = false);

/// <summary>
/// DOC-5 after upload: the automatic validation from its queue (DOC-3, ADM-9) and the reviewer's
/// decision, each under the version's ETag (<see cref="OptimisticRetry"/> re-reads on a conflict).
/// A version that becomes <c>validated</c> or <c>approved</c> while the seller id has an open
/// application queues that application's pre-review (ADM-5: re-evaluated when a document arrives).
/// </summary>
public sealed class DocumentReview(
    IDocumentRepository documents,
    ISellerDirectory sellers,
    IOpenApplications applications,
    IPreReviewQueue preReview,
    IRenewalIndex renewals,
    OptimisticRetry retry,
    IIdSource ids,
    TimeProvider clock)
{
    public const int MaxReasonLength = 1000;

    /// <summary>Validates a received version; idempotent (a version past <c>received</c> is left as it is). Null for an unknown version.</summary>
    public async Task<DocumentStatus?> ValidateAsync(string sellerId, string documentId, CancellationToken cancellationToken)
    {
        // Event ids derive from the message: a redelivered message that meets its own commit is done.
        using var operation = HubOperation.Begin($"document-validation/{sellerId}/{documentId}");
        var reference = await ReferenceAsync(sellerId, cancellationToken).ConfigureAwait(false);
        var status = await retry.RunAsync(async (_, ct) =>
        {
            if (await documents.GetAsync(sellerId, documentId, ct).ConfigureAwait(false) is not { } stored)
            {
                return (DocumentStatus?)null;
            }

            var now = clock.GetUtcNow();
            if (stored.Document.Validate(DocumentRules.CheckAutomatic(stored.Document, reference), now) is not { } next)
            {
                return stored.Document.Status;
            }

            var passed = next.Status == DocumentStatus.Validated;
            var e = HubEvent.Create(passed ? DocumentEventTypes.Validated : DocumentEventTypes.Rejected, DocumentIntake.Subject(next), new
            {
                documentId,
                sellerId,
                type = next.Type,
                version = next.Version,
                reasons = next.Reasons,
            }, clock, ids, sellerId);
            await documents.UpdateAsync(next, stored.ETag, [e], ct).ConfigureAwait(false);
            return next.Status;
        }, cancellationToken).ConfigureAwait(false);

        if (status is DocumentStatus.Validated or DocumentStatus.Approved)
        {
            await NotifyAdmissionAsync(sellerId, cancellationToken).ConfigureAwait(false);
        }

        return status;
    }

    /// <summary>The reviewer's decision on a <c>validated</c> version: <c>approve</c> or <c>reject</c> (a reason is required to reject).</summary>
    public async Task<DocumentReviewOutcome> ReviewAsync(string sellerId, string documentId, DocumentDecision decision, string reviewer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var errors = new List<FieldError>();
        if (decision.Decision is not ("approve" or "reject"))
        {
            errors.Add(new("decision", decision.Decision is null ? "required" : "invalid-value", "decision must be approve or reject."));
        }

        if (decision.Decision == "reject" && string.IsNullOrWhiteSpace(decision.Reason))
        {
            errors.Add(new("reason", "required", "reason is required to reject a document."));
        }
        else if (decision.Reason is { Length: > MaxReasonLength })
        {
            errors.Add(new("reason", "too-long", $"reason is at most {MaxReasonLength} characters."));
        }

        if (errors.Count > 0)
        {
            return new DocumentReviewOutcome(null, null, errors);
        }

        var outcome = await retry.RunAsync(async (_, ct) =>
        {
            if (await documents.GetAsync(sellerId, documentId, ct).ConfigureAwait(false) is not { } stored)
            {
                return new DocumentReviewOutcome(null, null, [], NotFound: true);
            }

            var now = clock.GetUtcNow();
            var approve = decision.Decision == "approve";
            if (stored.Document.Review(approve, decision.Reason?.Trim(), reviewer, now) is not { } next)
            {
                return new DocumentReviewOutcome(null, stored.Document.Status, []);
            }

            var approvedOn = next.ApprovedOn;
            var e = HubEvent.Create(approve ? DocumentEventTypes.Approved : DocumentEventTypes.Rejected, DocumentIntake.Subject(next), new
            {
                documentId,
                sellerId,
                type = next.Type,
                version = next.Version,
                by = reviewer,
                reasons = next.Reasons,
                approvedOn,
                renewalDueOn = approvedOn is { } on ? DocumentTypes.RenewalDueOn(next.Type, on) : null,
            }, clock, ids, sellerId);
            if (approvedOn is { } day)
            {
                // CMP-1/CMP-2: the renewal index entries first (idempotent upserts); the sweep checks
                // each against the latest approved version, so an entry whose approval did not commit is skipped.
                await renewals.AddAsync(RenewalSchedule.EntriesFor(sellerId, next.Type, documentId, day), ct).ConfigureAwait(false);
            }

            await documents.UpdateAsync(next, stored.ETag, [e], ct).ConfigureAwait(false);
            return new DocumentReviewOutcome(next, null, []);
        }, cancellationToken).ConfigureAwait(false);

        if (outcome.Reviewed is { Status: DocumentStatus.Approved })
        {
            await NotifyAdmissionAsync(sellerId, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    private async Task<LicenceReference?> ReferenceAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (await sellers.FindAsync(sellerId, cancellationToken).ConfigureAwait(false) is { } seller)
        {
            return new LicenceReference(seller.EntityName, seller.UnifiedSocialCreditCode, "seller store");
        }

        return await applications.FindOpenAsync(sellerId, cancellationToken).ConfigureAwait(false) is { } application
            ? new LicenceReference(application.EntityName, application.UnifiedSocialCreditCode, "application")
            : null;
    }

    private async Task NotifyAdmissionAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (await applications.FindOpenAsync(sellerId, cancellationToken).ConfigureAwait(false) is { } application)
        {
            await preReview.EnqueueAsync(application.ApplicationId, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        }
    }
}
