using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Admission;

/// <summary>Where pre-review evaluations wait (a queue): one message per application id.</summary>
public interface IPreReviewQueue
{
    /// <summary>Asks for a pre-review evaluation of the application, after <paramref name="delay"/>.</summary>
    Task EnqueueAsync(string applicationId, TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>
/// Stage 1 (ADM-5) evaluated from a queue message, never inline: asks the tax authority (ADM-10)
/// once, then records <see cref="SellerApplication.RecordPreReview"/> under the ETag read
/// (<see cref="OptimisticRetry"/> re-reads on a conflict). A failure rejects with
/// <c>hub.application.rejected</c>; an unavailable tax answer leaves it in <c>tax-check-pending</c> and
/// queues another evaluation after <see cref="TaxRetryDelay"/>. Idempotent: an application past
/// pre-review is left alone, and an evaluation that changes nothing writes nothing.
/// <para>
/// One tax retry chain per application: the time the queued retry is due is recorded on the
/// application (<see cref="SellerApplication.TaxRetryAt"/>) in the same commit. An evaluation
/// (a retry, or one a document queued) queues a retry only when none is pending, or when the
/// pending one is due (then this is it, or it was lost); under the ETag only one of two concurrent
/// evaluations wins that. The retry is queued before the commit, so a crash between them leaves an
/// extra message (it finds a later retry pending and ends) rather than no retry at all.
/// </para>
/// <para>
/// Documents (ADM-9) come from <see cref="IAdmissionDocumentSource"/> (the Documents capability):
/// the types whose newest version is validated or approved, and the licence's facts; read on each
/// attempt, so a document validated meanwhile counts. A document validated or approved while the
/// application is open queues another evaluation.
/// </para>
/// </summary>
public sealed class PreReviewHandler(IApplicationRepository applications, IAdmissionDocumentSource documents, ITaxCreditService tax, IPreReviewQueue queue, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    public static readonly TimeSpan TaxRetryDelay = TimeSpan.FromMinutes(5);

    /// <summary>The status after the evaluation, or null for an unknown application.</summary>
    public async Task<ApplicationStatus?> EvaluateAsync(string applicationId, CancellationToken cancellationToken)
    {
        var first = await applications.GetAsync(applicationId, cancellationToken).ConfigureAwait(false);
        if (first is null || !InPreReview(first.Application.Status))
        {
            return first?.Application.Status;
        }

        var rating = await tax.GetRatingAsync(first.Application.UnifiedSocialCreditCode, cancellationToken).ConfigureAwait(false);
        var status = await retry.RunAsync(async (_, ct) =>
        {
            var stored = (await applications.GetAsync(applicationId, ct).ConfigureAwait(false))!;
            var facts = await documents.GetAsync(stored.Application.SellerId, ct).ConfigureAwait(false);
            var next = stored.Application.RecordPreReview(new PreReviewInput(facts.Present, facts.Licence, rating));
            if (!InPreReview(stored.Application.Status) || !next.Succeeded)
            {
                return stored.Application.Status;
            }

            var a = next.Application;
            var now = clock.GetUtcNow();
            var startRetry = a.Status == ApplicationStatus.TaxCheckPending && (stored.Application.TaxRetryAt is not { } due || due <= now);
            a = a with
            {
                TaxRetryAt = a.Status != ApplicationStatus.TaxCheckPending ? null : startRetry ? now + TaxRetryDelay : stored.Application.TaxRetryAt,
            };
            if (Unchanged(stored.Application, a))
            {
                return a.Status;
            }

            if (startRetry)
            {
                await queue.EnqueueAsync(applicationId, TaxRetryDelay, ct).ConfigureAwait(false);
            }

            IReadOnlyList<HubEvent> events = a.Status == ApplicationStatus.Rejected
                ? [ApplicationIntake.Event(ids, clock, AdmissionEventTypes.ApplicationRejected, a, new { applicationId, sellerId = a.SellerId, hub = a.Hub, reasons = a.RejectionReasons })]
                : [];
            await applications.UpdateAsync(a, stored.ETag, events, ct).ConfigureAwait(false);
            return a.Status;
        }, cancellationToken).ConfigureAwait(false);

        return status;
    }

    /// <summary>Whether the evaluation left everything it records as it was (lists compared by content).</summary>
    private static bool Unchanged(SellerApplication before, SellerApplication after)
        => before.Status == after.Status
            && before.TaxRetryAt == after.TaxRetryAt
            && before.RejectionReasons.SequenceEqual(after.RejectionReasons)
            && Same(before.PreReview, after.PreReview);

    private static bool Same(PreReviewResult? a, PreReviewResult? b)
        => a is null || b is null
            ? a is null && b is null
            : a.Outcome == b.Outcome && a.TaxRating == b.TaxRating && a.Failures.SequenceEqual(b.Failures) && a.MissingDocuments.SequenceEqual(b.MissingDocuments);

    private static bool InPreReview(ApplicationStatus status) => status is ApplicationStatus.PreReview or ApplicationStatus.TaxCheckPending;
}
