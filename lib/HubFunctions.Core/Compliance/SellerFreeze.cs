using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Compliance;

/// <summary>What a compliance log entry records.</summary>
public enum ComplianceAction
{
    Freeze,
    Unfreeze,
}

/// <summary>
/// One entry of a seller's audit trail (CMP-6): what happened, why, when, by whom, and the status
/// before and after. Entries are numbered from 1 per seller in the order they were committed.
/// </summary>
/// <param name="Sequence">1 for the seller's first entry, then 2, 3, ...</param>
/// <param name="EntryId">Drawn from the <see cref="Common.IIdSource"/> once per operation, so a retry of the operation recognises its own entry.</param>
/// <param name="Action">Freeze or unfreeze.</param>
/// <param name="Reasons">Freeze: the reasons this entry added. Unfreeze: the reasons it lifted.</param>
/// <param name="At">When it was committed.</param>
/// <param name="Actor">Who did it.</param>
/// <param name="Before">The seller's status before.</param>
/// <param name="After">The seller's status after.</param>
/// <param name="Evidence">Unfreeze: what satisfied each reason (CMP-4). Empty for a freeze.</param>
public sealed record ComplianceLogEntry(
    int Sequence,
    string EntryId,
    ComplianceAction Action,
    IReadOnlyList<FreezeReason> Reasons,
    DateTimeOffset At,
    ComplianceActor Actor,
    SellerStatus Before,
    SellerStatus After,
    IReadOnlyList<string> Evidence);

/// <summary>A change to commit: the seller as it becomes, and the entry that records it.</summary>
public sealed record ComplianceChange(Seller After, ComplianceLogEntry Entry);

/// <summary>
/// What the unfreeze decision (CMP-4) looks at, gathered by the caller: for each document type, when
/// its latest approved version was approved (a type without an approved version is absent), and the
/// latest tax rating (null when there is none).
/// </summary>
public sealed record UnfreezeEvidence(IReadOnlyDictionary<string, DateTimeOffset> LatestApprovals, TaxRating? LatestTaxRating)
{
    public static readonly UnfreezeEvidence None = new(new Dictionary<string, DateTimeOffset>(), null);
}

/// <summary>The verdict of <see cref="SellerFreeze.DecideUnfreeze"/>.</summary>
public enum UnfreezeVerdict
{
    /// <summary>Every reason is satisfied and a reviewer acts: unfreeze.</summary>
    Allowed,

    /// <summary>Some reason is not satisfied (<see cref="UnfreezeDecision.Missing"/> says which).</summary>
    Missing,

    /// <summary>The actor is not a reviewer (CMP-4: never automatic).</summary>
    NotReviewer,

    /// <summary>The seller is not frozen.</summary>
    NotFrozen,
}

/// <summary>An unfreeze decision: the verdict, what is missing (one line per unsatisfied reason), and what satisfied the others.</summary>
public sealed record UnfreezeDecision(UnfreezeVerdict Verdict, IReadOnlyList<string> Missing, IReadOnlyList<string> Satisfied)
{
    public bool Allowed => Verdict == UnfreezeVerdict.Allowed;
}

/// <summary>
/// The pure transitions of a seller's compliance status (CMP-1, CMP-4, CMP-5, CMP-6). No I/O: the
/// caller reads the seller and the evidence, and commits the change (<see cref="SellerCompliance"/>).
/// </summary>
public static class SellerFreeze
{
    /// <summary>
    /// Freezes <paramref name="seller"/> with <paramref name="reasons"/>: an active seller becomes
    /// frozen; a frozen seller gets the reasons it does not have yet (by <see cref="FreezeReason.Key"/>).
    /// Each added reason is stamped <see cref="FreezeReason.Since"/> = <paramref name="now"/>.
    /// Null when every reason is already present: nothing changes and nothing is recorded or raised.
    /// </summary>
    /// <param name="seller">The seller as read.</param>
    /// <param name="logLength">How many entries the seller's audit trail has (the new entry is the next).</param>
    /// <param name="reasons">At least one well-formed reason.</param>
    /// <param name="actor">Who freezes (any actor).</param>
    /// <param name="now">The time of the change.</param>
    /// <param name="entryId">The id of the audit entry.</param>
    public static ComplianceChange? Freeze(Seller seller, int logLength, IReadOnlyList<FreezeReason> reasons, ComplianceActor actor, DateTimeOffset now, string entryId)
    {
        ArgumentNullException.ThrowIfNull(seller);
        ArgumentNullException.ThrowIfNull(actor);
        RequireWellFormed(reasons);
        var present = seller.FreezeReasons.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var added = reasons.DistinctBy(r => r.Key).Where(r => !present.Contains(r.Key)).Select(r => r with { Since = now }).ToList();
        if (added.Count == 0)
        {
            return null;
        }

        var after = seller with { Status = SellerStatus.Frozen, FreezeReasons = [.. seller.FreezeReasons, .. added] };
        return new ComplianceChange(after, new ComplianceLogEntry(logLength + 1, entryId, ComplianceAction.Freeze, added, now, actor, seller.Status, SellerStatus.Frozen, []));
    }

    /// <summary>
    /// CMP-4: may <paramref name="actor"/> unfreeze <paramref name="seller"/> on this evidence? Only a
    /// reviewer, and only when every freeze reason is satisfied:
    /// <list type="bullet">
    /// <item>CMP-1: a version of the document type approved after the reason was recorded (a version
    /// approved before the freeze does not count);</item>
    /// <item>tax-rating: the latest rating is A or B.</item>
    /// </list>
    /// A refusal names every unsatisfied reason, e.g.
    /// "customs-declaration: no approved version since the freeze on 2026-11-02".
    /// </summary>
    public static UnfreezeDecision DecideUnfreeze(Seller seller, ComplianceActor actor, UnfreezeEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(seller);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(evidence);
        if (seller.Status != SellerStatus.Frozen)
        {
            return new(UnfreezeVerdict.NotFrozen, [$"seller '{seller.SellerId}' is not frozen"], []);
        }

        if (actor.Kind != ActorKind.Reviewer)
        {
            return new(UnfreezeVerdict.NotReviewer, [$"CMP-4: only a reviewer may unfreeze, not {actor}"], []);
        }

        var missing = new List<string>();
        var satisfied = new List<string>();
        foreach (var reason in seller.FreezeReasons)
        {
            var (ok, line) = Check(reason, evidence);
            (ok ? satisfied : missing).Add(line);
        }

        return new(missing.Count == 0 ? UnfreezeVerdict.Allowed : UnfreezeVerdict.Missing, missing, satisfied);
    }

    /// <summary>
    /// The unfreeze itself, once <paramref name="decision"/> allows it: the seller becomes active
    /// without reasons; the entry lists the reasons lifted and the evidence that satisfied them.
    /// </summary>
    public static ComplianceChange Unfreeze(Seller seller, int logLength, UnfreezeDecision decision, ComplianceActor actor, DateTimeOffset now, string entryId)
    {
        ArgumentNullException.ThrowIfNull(seller);
        ArgumentNullException.ThrowIfNull(decision);
        if (!decision.Allowed || seller.Status != SellerStatus.Frozen)
        {
            throw new InvalidOperationException("Unfreeze only on an allowed decision for a frozen seller (CMP-4).");
        }

        var after = seller with { Status = SellerStatus.Active, FreezeReasons = [] };
        return new ComplianceChange(after, new ComplianceLogEntry(logLength + 1, entryId, ComplianceAction.Unfreeze, seller.FreezeReasons, now, actor,
            SellerStatus.Frozen, SellerStatus.Active, decision.Satisfied));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless there is at least one reason and each is well formed.</summary>
    public static void RequireWellFormed(IReadOnlyList<FreezeReason> reasons)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        if (reasons.Count == 0)
        {
            throw new ArgumentException("A freeze needs at least one reason.", nameof(reasons));
        }

        var problems = reasons.SelectMany(r => r.Problems()).ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Malformed freeze reason: {string.Join("; ", problems)}.", nameof(reasons));
        }
    }

    private static (bool Ok, string Line) Check(FreezeReason reason, UnfreezeEvidence evidence)
    {
        switch (reason.Rule)
        {
            case FreezeRules.DocumentExpired:
                {
                    var type = reason.DocumentType!;

                    // A reason recorded by Freeze always has Since; without it the expiry date is the floor.
                    var floor = reason.Since ?? new DateTimeOffset(reason.ExpiredOn!.Value.ToDateTime(TimeOnly.MinValue), ChinaTime.Offset);
                    var since = $"since the freeze on {FreezeReason.Iso(floor)}";
                    if (!evidence.LatestApprovals.TryGetValue(type, out var approvedAt))
                    {
                        return (false, $"{type}: no approved version {since}");
                    }

                    return approvedAt > floor
                        ? (true, $"{type}: new version approved on {FreezeReason.Iso(approvedAt)}")
                        : (false, $"{type}: no approved version {since} (the latest was approved on {FreezeReason.Iso(approvedAt)})");
                }

            case FreezeRules.TaxRating:
                return evidence.LatestTaxRating switch
                {
                    null => (false, "tax-rating: no current rating (A or B needed)"),
                    { } r when TaxRatingResult.Passes(r) => (true, $"tax-rating: now {r}"),
                    { } r => (false, $"tax-rating: still {r} (A or B needed)"),
                };

            default:
                return (false, $"{reason.Rule}: not a reason this service can check ({reason.Text})");
        }
    }
}
