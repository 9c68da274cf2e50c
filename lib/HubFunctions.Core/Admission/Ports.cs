using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Admission;

/// <summary>
/// The tax authority's taxpayer credit rating service (ADM-10; also used by the monthly re-check of
/// CMP-5). An adapter in Infrastructure calls the real service (behind a timeout and a circuit
/// breaker); a simulated authority serves local runs.
/// </summary>
public interface ITaxCreditService
{
    /// <summary>
    /// The rating of the entity with <paramref name="unifiedSocialCreditCode"/> (upper case, valid
    /// per ADM-11). Never throws for the authority's failures: a timeout, an outage, an open circuit or
    /// an answer it cannot parse is <see cref="TaxRatingResult.Unavailable"/>, so the caller leaves the
    /// application in <c>tax-check-pending</c> rather than deciding on it. Throws only on cancellation.
    /// </summary>
    Task<TaxRatingResult> GetRatingAsync(string unifiedSocialCreditCode, CancellationToken cancellationToken);
}

/// <summary>An application as stored, with the version (ETag) a conditional update must match.</summary>
public sealed record StoredApplication(SellerApplication Application, string ETag);

/// <summary>
/// Where applications live (sketch of what the admission handlers need). Every write carries the
/// integration events it causes, written in the same transaction as the state (transactional outbox),
/// so an event is never lost nor sent for a change that did not commit.
/// </summary>
public interface IApplicationRepository
{
    /// <summary>The application, or null when there is none with that id.</summary>
    Task<StoredApplication?> GetAsync(string applicationId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new application unless the seller already has an open (non-terminal) one: then
    /// returns that one's id and stores nothing (issue 8: one open application per <c>sellerId</c>;
    /// enforced by the store itself, e.g. an insert-only "open application" row per seller, so two
    /// racing submissions cannot both win). Returns null when stored (also when an earlier attempt of
    /// the same operation stored it). The ADM-7 date index is written by the caller after this returns
    /// (<see cref="IReviewSlaIndex"/>).
    /// </summary>
    Task<string?> TryAddAsync(SellerApplication application, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the application if it is still at <paramref name="etag"/>; otherwise throws
    /// <see cref="Common.ConcurrencyConflictException"/> (two reviewers deciding at once: exactly one
    /// wins). Releases the seller's "open application" row when the new state is terminal. Returns the new ETag.
    /// </summary>
    Task<string> UpdateAsync(SellerApplication application, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

/// <summary>Seller status (API.md <c>GET /api/sellers/{sellerId}</c>).</summary>
public enum SellerStatus
{
    Active,
    Frozen,
}

/// <summary>
/// A seller as the seller store knows it: the single source of truth every endpoint taking a
/// <c>sellerId</c> checks (exists, belongs to the hub and to the caller, SEC-2). A frozen seller has
/// at least one <see cref="FreezeReason"/>; freezes and unfreezes go through <see cref="SellerCompliance"/>.
/// </summary>
public sealed record Seller(
    string SellerId,
    string Hub,
    string HubSellerId,
    SellerStatus Status,
    string Category,
    string EntityName,
    string UnifiedSocialCreditCode,
    TaxRating? TaxRating,
    DateOnly ActiveSince,
    IReadOnlyList<FreezeReason> FreezeReasons);

/// <summary>
/// The seller store: one row per seller, in the seller's own partition. Client credentials are
/// stored by the credentials store, not here.
/// </summary>
public interface ISellerDirectory
{
    /// <summary>The seller, or null when unknown (→ 404).</summary>
    Task<Seller?> FindAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>
    /// The hub <paramref name="sellerId"/> is registered at, or null when there is no such seller. A seller's id and hub never
    /// change once it is stored (no path rewrites the hub or deletes a seller), so an implementation may remember a hub it
    /// found; never an absence (the seller may be stored later).
    /// </summary>
    Task<string?> FindHubAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new seller with <paramref name="events"/> in one commit (transactional outbox),
    /// insert-only. True when this operation stored it (also when an earlier attempt of the same
    /// operation did, its answer lost); false, storing nothing, when another operation's seller with
    /// that id exists already. Hub seller id allocation (ADM-8) is the caller's job.
    /// </summary>
    Task<bool> TryAddAsync(Seller seller, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

/// <summary>The admission events (issue 8), besides <see cref="EventTypes.ApplicationSlaAtRisk"/> and <see cref="EventTypes.ApplicationSlaBreached"/>.</summary>
public static class AdmissionEventTypes
{
    public const string ApplicationSubmitted = "hub.application.submitted";
    public const string ApplicationApproved = "hub.application.approved";
    public const string ApplicationRejected = "hub.application.rejected";
    public const string SellerActivated = "hub.seller.activated";
}
