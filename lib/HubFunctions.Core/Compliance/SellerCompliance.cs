using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Compliance;

/// <summary>A seller as read for a compliance change: the seller, the length of its audit trail, and the version a commit must match.</summary>
public sealed record SellerComplianceState(Seller Seller, int LogLength, string ETag);

/// <summary>
/// The seller store's compliance side: the seller with its version, a conditional commit of the
/// seller, its audit-trail entry and events together, and the audit trail.
/// </summary>
public interface ISellerComplianceStore
{
    /// <summary>The seller with its version, or null when unknown.</summary>
    Task<SellerComplianceState?> GetAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="after"/>, <paramref name="entry"/> and <paramref name="events"/> in one
    /// transaction if the seller is still at <paramref name="before"/>'s version (also when an earlier
    /// try of the same commit stored them, its answer lost).
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">The seller changed meanwhile; nothing was stored.</exception>
    Task CommitAsync(SellerComplianceState before, Seller after, ComplianceLogEntry entry, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The seller's audit trail, oldest first (empty for an unknown seller).</summary>
    Task<IReadOnlyList<ComplianceLogEntry>> ReadLogAsync(string sellerId, CancellationToken cancellationToken);
}

/// <summary>How a freeze ended.</summary>
public enum FreezeOutcome
{
    /// <summary>This operation froze the seller or added reasons (recorded, event raised).</summary>
    Frozen,

    /// <summary>Every reason was already present: nothing changed, nothing recorded or raised.</summary>
    AlreadyFrozen,

    /// <summary>There is no such seller: nothing stored.</summary>
    UnknownSeller,
}

/// <summary>The result of <see cref="SellerCompliance.FreezeAsync"/>: the seller as it is now and the entry this operation recorded.</summary>
public sealed record FreezeResult(FreezeOutcome Outcome, Seller? Seller, ComplianceLogEntry? Entry);

/// <summary>How an unfreeze ended.</summary>
public enum UnfreezeOutcome
{
    /// <summary>This operation unfroze the seller (recorded, event raised).</summary>
    Unfrozen,

    /// <summary>Refused: <see cref="UnfreezeResult.Missing"/> names what is missing, or the actor is no reviewer.</summary>
    Refused,

    /// <summary>The seller is not frozen: nothing to do.</summary>
    NotFrozen,

    /// <summary>There is no such seller.</summary>
    UnknownSeller,
}

/// <summary>The result of <see cref="SellerCompliance.UnfreezeAsync"/>.</summary>
public sealed record UnfreezeResult(UnfreezeOutcome Outcome, Seller? Seller, ComplianceLogEntry? Entry, UnfreezeDecision? Decision)
{
    /// <summary>What is missing, one line per unsatisfied reason (empty unless refused).</summary>
    public IReadOnlyList<string> Missing => Outcome == UnfreezeOutcome.Refused ? Decision!.Missing : [];
}

/// <summary>
/// Freeze and unfreeze of sellers (CMP-1, CMP-4, CMP-5), each recorded in the seller's audit trail
/// (CMP-6) and raised as <c>hub.seller.frozen</c> / <c>hub.seller.unfrozen</c>, in the same commit as
/// the seller's new status. Read, decide (<see cref="SellerFreeze"/>), commit under the version read;
/// a lost race is read again (<see cref="OptimisticRetry"/>), so concurrent freezes with different
/// reasons all end up recorded. The entry id is drawn once per call, before the first attempt: a
/// retry of the same operation (ids derived from its <see cref="HubOperation"/>) that finds the
/// change already made answers with the entry the first attempt recorded, and records nothing again.
/// </summary>
public sealed class SellerCompliance(ISellerComplianceStore store, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    public const string EntryIdPrefix = "CLOG";

    /// <summary>Freezes the seller with <paramref name="reasons"/> (CMP-1, CMP-5). Throws <see cref="ArgumentException"/> for malformed reasons.</summary>
    public Task<FreezeResult> FreezeAsync(string sellerId, IReadOnlyList<FreezeReason> reasons, ComplianceActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        SellerFreeze.RequireWellFormed(reasons);
        var entryId = ids.NewId(EntryIdPrefix);
        return retry.RunAsync(async (_, ct) =>
        {
            if (await GetAsync(sellerId, ct).ConfigureAwait(false) is not { } state)
            {
                return new FreezeResult(FreezeOutcome.UnknownSeller, null, null);
            }

            var change = SellerFreeze.Freeze(state.Seller, state.LogLength, reasons, actor, clock.GetUtcNow(), entryId);
            if (change is null)
            {
                var mine = await FindEntryAsync(sellerId, entryId, ct).ConfigureAwait(false);
                return new FreezeResult(mine is null ? FreezeOutcome.AlreadyFrozen : FreezeOutcome.Frozen, state.Seller, mine);
            }

            await store.CommitAsync(state, change.After, change.Entry, [Frozen(change)], ct).ConfigureAwait(false);
            return new FreezeResult(FreezeOutcome.Frozen, change.After, change.Entry);
        }, cancellationToken);
    }

    /// <summary>
    /// Unfreezes the seller when <paramref name="actor"/> is a reviewer and <paramref name="evidence"/>
    /// satisfies every freeze reason (CMP-4); otherwise refuses, naming what is missing, and stores nothing.
    /// </summary>
    public Task<UnfreezeResult> UnfreezeAsync(string sellerId, ComplianceActor actor, UnfreezeEvidence evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(evidence);
        var entryId = ids.NewId(EntryIdPrefix);
        return retry.RunAsync(async (_, ct) =>
        {
            if (await GetAsync(sellerId, ct).ConfigureAwait(false) is not { } state)
            {
                return new UnfreezeResult(UnfreezeOutcome.UnknownSeller, null, null, null);
            }

            var decision = SellerFreeze.DecideUnfreeze(state.Seller, actor, evidence);
            switch (decision.Verdict)
            {
                case UnfreezeVerdict.NotFrozen:
                    var mine = await FindEntryAsync(sellerId, entryId, ct).ConfigureAwait(false);
                    return new UnfreezeResult(mine is null ? UnfreezeOutcome.NotFrozen : UnfreezeOutcome.Unfrozen, state.Seller, mine, decision);
                case UnfreezeVerdict.Missing or UnfreezeVerdict.NotReviewer:
                    return new UnfreezeResult(UnfreezeOutcome.Refused, state.Seller, null, decision);
            }

            var change = SellerFreeze.Unfreeze(state.Seller, state.LogLength, decision, actor, clock.GetUtcNow(), entryId);
            await store.CommitAsync(state, change.After, change.Entry, [Unfrozen(change)], ct).ConfigureAwait(false);
            return new UnfreezeResult(UnfreezeOutcome.Unfrozen, change.After, change.Entry, decision);
        }, cancellationToken);
    }

    /// <summary>The seller's audit trail, oldest first.</summary>
    public Task<IReadOnlyList<ComplianceLogEntry>> ReadLogAsync(string sellerId, CancellationToken cancellationToken)
        => Ids.IsKeySafe(sellerId) ? store.ReadLogAsync(sellerId, cancellationToken) : Task.FromResult<IReadOnlyList<ComplianceLogEntry>>([]);

    private Task<SellerComplianceState?> GetAsync(string sellerId, CancellationToken cancellationToken)
        => Ids.IsKeySafe(sellerId) ? store.GetAsync(sellerId, cancellationToken) : Task.FromResult<SellerComplianceState?>(null);

    private async Task<ComplianceLogEntry?> FindEntryAsync(string sellerId, string entryId, CancellationToken cancellationToken)
        => (await store.ReadLogAsync(sellerId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.EntryId == entryId);

    private HubEvent Frozen(ComplianceChange change)
    {
        var s = change.After;
        return HubEvent.Create(EventTypes.SellerFrozen, $"sellers/{s.SellerId}", new
        {
            sellerId = s.SellerId,
            hub = s.Hub,
            reasons = change.Entry.Reasons.Select(ComplianceWire.Reason).ToList(),
            freezeReasons = s.FreezeReasons.Select(ComplianceWire.Reason).ToList(),
            actor = ComplianceWire.Actor(change.Entry.Actor),
            entry = change.Entry.Sequence,
        }, clock, ids, s.SellerId, s.Hub);
    }

    private HubEvent Unfrozen(ComplianceChange change)
    {
        var s = change.After;
        return HubEvent.Create(EventTypes.SellerUnfrozen, $"sellers/{s.SellerId}", new
        {
            sellerId = s.SellerId,
            hub = s.Hub,
            by = change.Entry.Actor.Id,
            actor = ComplianceWire.Actor(change.Entry.Actor),
            liftedReasons = change.Entry.Reasons.Select(ComplianceWire.Reason).ToList(),
            evidence = change.Entry.Evidence,
            entry = change.Entry.Sequence,
        }, clock, ids, s.SellerId, s.Hub);
    }
}
