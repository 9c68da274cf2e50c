using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Documents;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Compliance;

/// <summary>The last day the sweep finished (every entry of it and of the days before handled).</summary>
public sealed record SweepCheckpoint(DateOnly Done);

/// <summary>
/// The renewal index (CMP-1, CMP-2): entries keyed by the day they fall due, the sweep's checkpoint,
/// and the "sent" markers of reminders. The sweep reads one day at a time, never the sellers.
/// </summary>
public interface IRenewalIndex
{
    /// <summary>Writes the entries (idempotent upserts; a day's entries together where possible).</summary>
    Task AddAsync(IReadOnlyList<RenewalEntry> entries, CancellationToken cancellationToken);

    /// <summary>Every entry of <paramref name="day"/>.</summary>
    Task<IReadOnlyList<RenewalEntry>> DayAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>The checkpoint, or null before the first run.</summary>
    Task<SweepCheckpoint?> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The earliest day that has entries, or null when the index has none.</summary>
    Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves the checkpoint forward to <paramref name="done"/>, never backward (an overlapping run may
    /// be further already); conflicts are retried under the shared <see cref="OptimisticRetry"/>.
    /// Returns the checkpoint after the call: <paramref name="done"/> or the later day another run reached.
    /// </summary>
    Task<DateOnly> AdvanceAsync(DateOnly done, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the entries of <paramref name="day"/>, which the checkpoint has passed (every one was
    /// handled); the "sent" markers stay. Refused (<see cref="InvalidOperationException"/>) before the
    /// checkpoint reaches the day. Dropping a day dropped already is fine.
    /// </summary>
    Task ForgetAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>
    /// The days up to <paramref name="through"/> (a day the checkpoint has passed) whose entries are still kept: a day whose
    /// drop failed after the checkpoint moved on. The sweep forgets them again at its start.
    /// </summary>
    Task<IReadOnlyList<DateOnly>> KeptDaysAsync(DateOnly through, CancellationToken cancellationToken);

    /// <summary>
    /// Commits the reminder's "sent" marker with <paramref name="reminder"/> through the outbox, unless
    /// the marker exists: true when this call sent it, false when it had been sent already.
    /// </summary>
    Task<bool> SendReminderAsync(RenewalEntry entry, HubEvent reminder, CancellationToken cancellationToken);
}

/// <summary>What one entry came to.</summary>
public enum RenewalOutcome
{
    Frozen,
    AlreadyFrozen,
    ReminderSent,
    ReminderAlreadySent,

    /// <summary>The entry's version is no longer the type's latest approved one (renewed since): skipped.</summary>
    Stale,
    UnknownSeller,
}

/// <summary>A swept day whose entries could not be dropped (best effort: a later sweep drops them).</summary>
public sealed record ForgetFailure(DateOnly Day, Exception Error);

/// <summary>
/// What a sweep run did: the days it read, the outcome count per kind, the swept days left behind by an earlier run that this
/// one dropped, and the days whose drop failed this time.
/// </summary>
public sealed record SweepReport(DateOnly? From, DateOnly To, int Days, IReadOnlyDictionary<RenewalOutcome, int> Outcomes, int DroppedLate = 0,
    IReadOnlyList<ForgetFailure>? ForgetFailures = null)
{
    public int Count(RenewalOutcome outcome) => Outcomes.GetValueOrDefault(outcome);
}

/// <summary>
/// The daily compliance sweep (CMP-1, CMP-2). It reads the renewal index day by day from the day
/// after the checkpoint up to today (Asia/Shanghai), so missed days are caught up, and moves the
/// checkpoint forward after each day (past the days an overlapping run finished meanwhile), then drops
/// that day's entries (<see cref="IRenewalIndex.ForgetAsync"/>: an overlapping run still working on the
/// day has its entries in hand, and the reminder markers, which make it exactly once, stay). The drop is
/// best effort: a failure is reported (<see cref="SweepReport.ForgetFailures"/>) and the run goes on, and
/// each run starts by dropping the days behind the checkpoint still kept (<see cref="IRenewalIndex.KeptDaysAsync"/>). The first
/// run (no checkpoint) starts at the earliest entry of the index, so entries dated before it (a freeze
/// or reminder day that passed before the sweep ever ran) are handled too. Each entry is checked
/// against the truth (<see cref="IDocumentRepository.LatestApprovedOfTypeAsync"/>, one point read): when a newer version
/// was approved since, the entry is stale and skipped. A freeze entry freezes the seller
/// (<see cref="SellerCompliance.FreezeAsync"/>, reason CMP-1 with the type and the freeze day, actor
/// <c>system:compliance-sweep</c>); a reminder entry raises <c>hub.seller.renewal-reminder</c> with a
/// "sent" marker in the same commit. Every entry runs in its own <see cref="HubOperation"/> keyed by the
/// entry, so two overlapping runs, or a re-run of a day, derive the same ids and record nothing twice.
/// Cost: one read of the day's entries per day plus, per due entry, point reads only (the approved row of
/// its type, the seller row) and the entry's commit: nothing that grows with the sellers not due.
/// </summary>
public sealed class RenewalSweep(IRenewalIndex index, IDocumentRepository documents, SellerCompliance compliance, IIdSource ids, TimeProvider clock)
{
    public const string Job = "compliance-sweep";

    /// <summary>How many entries of one day are handled at once.</summary>
    public const int Parallelism = 8;

    public static readonly ComplianceActor Actor = ComplianceActor.System(Job);

    public async Task<SweepReport> RunAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(clock);
        var checkpoint = await index.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var first = checkpoint is not null
            ? checkpoint.Done.AddDays(1)
            : await index.EarliestAsync(cancellationToken).ConfigureAwait(false) is { } earliest && earliest < today ? earliest : today;
        var counts = new Dictionary<RenewalOutcome, int>();
        var failures = new List<ForgetFailure>();
        var droppedLate = 0;
        if (checkpoint is not null)
        {
            // Days an earlier run swept but could not drop (the drop failed after the checkpoint moved): dropped now.
            foreach (var kept in await index.KeptDaysAsync(checkpoint.Done, cancellationToken).ConfigureAwait(false))
            {
                droppedLate += await TryForgetAsync(kept, failures, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        var days = 0;
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            var entries = await index.DayAsync(day, cancellationToken).ConfigureAwait(false);
            var options = new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(entries, options, async (entry, ct) =>
            {
                var outcome = await HandleAsync(entry, ct).ConfigureAwait(false);
                lock (counts)
                {
                    counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
                }
            }).ConfigureAwait(false);
            days++;
            var reached = await index.AdvanceAsync(day, cancellationToken).ConfigureAwait(false);
            await TryForgetAsync(day, failures, cancellationToken).ConfigureAwait(false);
            day = reached;
        }

        return new SweepReport(days == 0 ? null : first, today, days, counts, droppedLate, failures);
    }

    /// <summary>Drops a swept day's entries, best effort: a failure is reported, not thrown (the checkpoint has moved; a later run drops the day).</summary>
    private async Task<bool> TryForgetAsync(DateOnly day, List<ForgetFailure> failures, CancellationToken cancellationToken)
    {
        try
        {
            await index.ForgetAsync(day, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failures.Add(new ForgetFailure(day, e));
            return false;
        }
    }

    /// <summary>One entry: checked against the latest approved version, then frozen or reminded.</summary>
    public async Task<RenewalOutcome> HandleAsync(RenewalEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var operation = HubOperation.Begin($"{Job}/{RenewalSchedule.Iso(entry.Day)}/{entry.Key}");
        var approved = await documents.LatestApprovedOfTypeAsync(entry.SellerId, entry.DocumentType, cancellationToken).ConfigureAwait(false);
        if (approved is null || approved.DocumentId != entry.DocumentId
            || RenewalSchedule.FreezeOn(approved.Type, approved.ApprovedOn) is not { } freezeOn
            || freezeOn.AddDays(-RenewalSchedule.DaysBefore[entry.Kind]) != entry.Day)
        {
            return RenewalOutcome.Stale;
        }

        var dueOn = freezeOn.AddDays(-1);
        if (entry.Kind == RenewalKind.Freeze)
        {
            var reason = FreezeReason.DocumentExpiredOn(approved.Type, freezeOn,
                $"CMP-1: {approved.Type} approved on {RenewalSchedule.Iso(approved.ApprovedOn)} was due for renewal on {RenewalSchedule.Iso(dueOn)}; not renewed, expired on {RenewalSchedule.Iso(freezeOn)}");
            var result = await compliance.FreezeAsync(entry.SellerId, [reason], Actor, cancellationToken).ConfigureAwait(false);
            return result.Outcome switch
            {
                FreezeOutcome.Frozen => RenewalOutcome.Frozen,
                FreezeOutcome.AlreadyFrozen => RenewalOutcome.AlreadyFrozen,
                _ => RenewalOutcome.UnknownSeller,
            };
        }

        var reminder = HubEvent.Create(EventTypes.SellerRenewalReminder, $"sellers/{entry.SellerId}", new
        {
            sellerId = entry.SellerId,
            documentType = approved.Type,
            documentId = approved.DocumentId,
            version = approved.Version,
            approvedOn = RenewalSchedule.Iso(approved.ApprovedOn),
            renewalDueOn = RenewalSchedule.Iso(dueOn),
            freezeOn = RenewalSchedule.Iso(freezeOn),
            daysBefore = RenewalSchedule.DaysBefore[entry.Kind],
        }, clock, ids, entry.SellerId);
        return await index.SendReminderAsync(entry, reminder, cancellationToken).ConfigureAwait(false)
            ? RenewalOutcome.ReminderSent
            : RenewalOutcome.ReminderAlreadySent;
    }
}
