using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Admission;

/// <summary>How a review step ended.</summary>
public enum ReviewOutcome
{
    /// <summary>Stored: <see cref="ReviewResult.Application"/> is the new state.</summary>
    Done,

    /// <summary>No such application (404).</summary>
    NotFound,

    /// <summary>Field errors (422); nothing stored.</summary>
    Invalid,

    /// <summary>The current status does not allow it (409 naming the status); nothing stored.</summary>
    Refused,

    /// <summary>Another change won the race (ETag); <see cref="ReviewResult.Application"/> is the state that won (409).</summary>
    Conflict,

    /// <summary>Approved and activated: <see cref="ReviewResult.Credentials"/> are shown once.</summary>
    Approved,

    /// <summary>
    /// Approved, but another request (another webhook-id) completing the same approval stored the
    /// client and holds its secret: nothing is shown (409 <c>credentials-already-issued</c>).
    /// </summary>
    CredentialsIssued,
}

/// <summary>The outcome of a review step.</summary>
public sealed record ReviewResult(ReviewOutcome Outcome, SellerApplication? Application = null, IReadOnlyList<FieldError>? Errors = null, TransitionRefusal? Refusal = null, SellerCredentials? Credentials = null);

/// <summary>
/// Stages 2 and 3 and the decision (ADM-5) on a stored application: read, decide with
/// <see cref="SellerApplication"/>, commit under the ETag read. No retry on a lost race: two
/// reviewers deciding at once, exactly one wins and the other gets <see cref="ReviewOutcome.Conflict"/>
/// with the winning state. A rejection raises <c>hub.application.rejected</c> in the same commit.
/// </summary>
public sealed class ApplicationReview(IApplicationRepository applications, IHubSellerIdAllocator hubSellerIds, ISellerDirectory sellers,
    ISellerClientStore clients, IIdSource ids, TimeProvider clock)
{
    public Task<ReviewResult> RecordSiteAuditAsync(string applicationId, SiteAuditReport report, CancellationToken cancellationToken)
        => ApplyAsync(applicationId, a => report.Validate(a.SubmittedOn, ChinaTime.Today(clock)), a => a.RecordSiteAudit(report), cancellationToken);

    public Task<ReviewResult> RecordIntegrationTestAsync(string applicationId, IntegrationTestReport report, CancellationToken cancellationToken)
        => ApplyAsync(applicationId, a => report.TestedAt < new DateTimeOffset(a.SubmittedOn.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset) || report.TestedAt > clock.GetUtcNow()
            ? [new FieldError("testedAt", "out-of-range", "testedAt must be between the submission and now.")]
            : [], a => a.RecordIntegrationTest(report), cancellationToken);

    /// <summary>A reviewer's decision: a rejection, or an approval that activates the seller (ADM-8).</summary>
    public async Task<ReviewResult> DecideAsync(string applicationId, ReviewerDecision decision, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.Approved)
        {
            return await ApplyAsync(applicationId, _ => [], a => a.Decide(decision), cancellationToken).ConfigureAwait(false);
        }

        // An approved application whose seller is missing is an approval that stopped midway: resume it.
        var stored = await applications.GetAsync(applicationId, cancellationToken).ConfigureAwait(false);
        if (stored is { Application.Status: ApplicationStatus.Approved } s
            && await sellers.FindAsync(s.Application.SellerId, cancellationToken).ConfigureAwait(false) is null)
        {
            return await ActivateAsync(s.Application, cancellationToken).ConfigureAwait(false);
        }

        var result = await ApplyAsync(applicationId, _ => [], a => a.Decide(decision), cancellationToken).ConfigureAwait(false);
        return result.Outcome == ReviewOutcome.Done ? await ActivateAsync(result.Application!, cancellationToken).ConfigureAwait(false) : result;
    }

    /// <summary>
    /// After the approval committed (so a concurrent rejection can never leave a number behind):
    /// the hub seller id (idempotent per application, so gapless), a new client with a fresh secret
    /// (insert-only), and the seller, active, with <c>hub.seller.activated</c>. Each step may be
    /// repeated by the same operation. Two operations completing one interrupted approval at once
    /// (different webhook-ids) both get here; only the one whose client was stored goes on and shows
    /// its secret, the other answers <see cref="ReviewOutcome.CredentialsIssued"/> and stores nothing,
    /// so every secret shown is the one stored.
    /// </summary>
    private async Task<ReviewResult> ActivateAsync(SellerApplication a, CancellationToken cancellationToken)
    {
        var hubSellerId = await hubSellerIds.AllocateAsync(a.Hub, a.ApplicationId, a.SellerId, cancellationToken).ConfigureAwait(false);
        var clientId = hubSellerId.ToLowerInvariant();
        var secret = await clients.TryAddAsync(clientId, a.SellerId, clients.NewSecret(), cancellationToken).ConfigureAwait(false);
        if (secret is null)
        {
            return new ReviewResult(ReviewOutcome.CredentialsIssued, a);
        }

        var seller = new Seller(a.SellerId, a.Hub, hubSellerId, SellerStatus.Active, a.Category, a.EntityName, a.UnifiedSocialCreditCode,
            a.PreReview?.TaxRating, ChinaTime.Today(clock), []);
        var activated = ApplicationIntake.Event(ids, clock, AdmissionEventTypes.SellerActivated, a, new { sellerId = a.SellerId, hub = a.Hub, hubSellerId, applicationId = a.ApplicationId })
            with
        { Subject = $"sellers/{a.SellerId}" };

        // False only when a seller with this id was stored by something other than an approval (the
        // client holder is the only operation that adds it): the stored client and its secret are
        // this operation's either way, so the credentials shown work.
        await sellers.TryAddAsync(seller, [activated], cancellationToken).ConfigureAwait(false);
        return new ReviewResult(ReviewOutcome.Approved, a, Credentials: new SellerCredentials(a.SellerId, hubSellerId, clientId, secret));
    }

    private async Task<ReviewResult> ApplyAsync(string applicationId, Func<SellerApplication, IReadOnlyList<FieldError>> validate,
        Func<SellerApplication, ApplicationTransition> transition, CancellationToken cancellationToken)
    {
        var stored = await applications.GetAsync(applicationId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return new ReviewResult(ReviewOutcome.NotFound);
        }

        var current = stored.Application;
        if (validate(current) is { Count: > 0 } errors)
        {
            return new ReviewResult(ReviewOutcome.Invalid, current, errors);
        }

        var next = transition(current);
        if (!next.Succeeded)
        {
            return new ReviewResult(ReviewOutcome.Refused, current, Refusal: next.Refusal);
        }

        var events = new List<HubEvent>();
        if (next.Application.Status == ApplicationStatus.Approved)
        {
            events.Add(ApplicationIntake.Event(ids, clock, AdmissionEventTypes.ApplicationApproved, next.Application, new
            {
                applicationId = current.ApplicationId,
                sellerId = current.SellerId,
                hub = current.Hub,
            }));
        }

        if (next.Application.Status == ApplicationStatus.Rejected)
        {
            events.Add(ApplicationIntake.Event(ids, clock, AdmissionEventTypes.ApplicationRejected, next.Application, new
            {
                applicationId = current.ApplicationId,
                sellerId = current.SellerId,
                hub = current.Hub,
                reasons = next.Application.RejectionReasons,
            }));
        }

        try
        {
            await applications.UpdateAsync(next.Application, stored.ETag, events, cancellationToken).ConfigureAwait(false);
            return new ReviewResult(ReviewOutcome.Done, next.Application);
        }
        catch (ConcurrencyConflictException)
        {
            var winner = await applications.GetAsync(applicationId, cancellationToken).ConfigureAwait(false);
            return new ReviewResult(ReviewOutcome.Conflict, winner?.Application ?? current);
        }
    }
}
