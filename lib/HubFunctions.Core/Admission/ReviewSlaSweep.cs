using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Admission;

/// <summary>An application the SLA sweep must look at on <see cref="Date"/> (Asia/Shanghai).</summary>
public sealed record SlaIndexEntry(DateOnly Date, string ApplicationId);

/// <summary>
/// The ADM-7 index: application ids keyed by the dates on which their SLA needs a look (the at-risk
/// day and the first breached day), written when the application is submitted, and the sweep's
/// checkpoint (the last date whose entries were all handled). The sweep reads only the dates from the
/// checkpoint up to today, so its cost grows with the applications due, never with all applications.
/// </summary>
public interface IReviewSlaIndex
{
    /// <summary>
    /// Records that <paramref name="application"/> needs a look on its <see cref="SellerApplication.AtRiskOn"/>
    /// day and on the day after its <see cref="SellerApplication.ReviewDueOn"/>. Idempotent (a retried
    /// submission writes the same entries).
    /// </summary>
    Task AddAsync(SellerApplication application, CancellationToken cancellationToken);

    /// <summary>The last date whose entries were all handled, or null before the first sweep.</summary>
    Task<DateOnly?> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The earliest date that has entries, or null when the index is empty.</summary>
    Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken);

    /// <summary>Every entry dated from <paramref name="from"/> to <paramref name="to"/>, both included, in date order.</summary>
    Task<IReadOnlyList<SlaIndexEntry>> DueAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken);

    /// <summary>Moves the checkpoint forward to <paramref name="sweptThrough"/>; never backward (two overlapping sweeps).</summary>
    Task AdvanceCheckpointAsync(DateOnly sweptThrough, CancellationToken cancellationToken);
}

/// <summary>What one sweep did.</summary>
/// <param name="From">The first date read.</param>
/// <param name="To">The last date read (today).</param>
/// <param name="Checked">Index entries looked at.</param>
/// <param name="AtRisk">At-risk events raised.</param>
/// <param name="Breached">Breached events raised.</param>
public sealed record SlaSweepResult(DateOnly From, DateOnly To, int Checked, int AtRisk, int Breached);

/// <summary>
/// The hourly ADM-7 sweep. It reads the index entries from the day after the checkpoint (or the
/// earliest entry, before the first sweep) up to today (Asia/Shanghai), so days missed while nothing
/// ran are caught up; for each, it reads the application, asks <see cref="SellerApplication.CheckSla"/>,
/// and when something is due commits the flags together with <c>hub.application.sla-at-risk</c> /
/// <c>hub.application.sla-breached</c> in one conditional write (ETag): the flags make each event
/// once per application, however often the sweep runs, and two overlapping sweeps cannot both raise
/// it (the loser re-reads, sees the flag, and raises nothing). Decided applications raise nothing.
/// The checkpoint moves to yesterday only after every earlier entry was handled: today's entries are
/// read again each hour of today (cheap: a raised flag makes the look a read).
/// </summary>
public sealed class ReviewSlaSweep(IReviewSlaIndex index, IApplicationRepository applications, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    public async Task<SlaSweepResult> RunAsync(CancellationToken cancellationToken)
    {
        var today = ChinaTime.Today(clock);
        var from = await index.CheckpointAsync(cancellationToken).ConfigureAwait(false) is { } checkpoint
            ? checkpoint.AddDays(1)
            : await index.EarliestAsync(cancellationToken).ConfigureAwait(false) ?? today;
        if (from > today)
        {
            return new SlaSweepResult(from, today, 0, 0, 0);
        }

        var due = await index.DueAsync(from, today, cancellationToken).ConfigureAwait(false);
        int atRisk = 0, breached = 0;
        foreach (var applicationId in due.Select(e => e.ApplicationId).Distinct(StringComparer.Ordinal))
        {
            var (riskRaised, breachRaised) = await CheckAsync(applicationId, today, cancellationToken).ConfigureAwait(false);
            atRisk += riskRaised ? 1 : 0;
            breached += breachRaised ? 1 : 0;
        }

        var yesterday = today.AddDays(-1);
        if (yesterday >= from)
        {
            await index.AdvanceCheckpointAsync(yesterday, cancellationToken).ConfigureAwait(false);
        }

        return new SlaSweepResult(from, today, due.Count, atRisk, breached);
    }

    /// <summary>One application: read, check, commit the flags with the events under the ETag read; a lost race re-reads.</summary>
    private Task<(bool AtRisk, bool Breached)> CheckAsync(string applicationId, DateOnly today, CancellationToken cancellationToken)
        => retry.RunAsync(async (_, ct) =>
        {
            var stored = await applications.GetAsync(applicationId, ct).ConfigureAwait(false);
            var check = stored?.Application.CheckSla(today);
            if (stored is null || check is null || !check.Changed)
            {
                return (false, false);
            }

            // Event ids derive from what is raised for this application: two overlapping sweeps make
            // the same ids, so even a commit whose answer was lost cannot publish a second copy.
            using var operation = HubOperation.Begin($"adm-7/{applicationId}/{(check.RaiseAtRisk ? "at-risk" : "")}/{(check.RaiseBreached ? "breached" : "")}");
            var a = check.Application;
            var data = new { applicationId, reviewDueOn = a.ReviewDueOn, atRiskOn = a.AtRiskOn };
            var events = new List<HubEvent>();
            if (check.RaiseAtRisk)
            {
                events.Add(HubEvent.Create(EventTypes.ApplicationSlaAtRisk, $"applications/{applicationId}", data, clock, ids, a.SellerId, a.Hub));
            }

            if (check.RaiseBreached)
            {
                events.Add(HubEvent.Create(EventTypes.ApplicationSlaBreached, $"applications/{applicationId}", data, clock, ids, a.SellerId, a.Hub));
            }

            await applications.UpdateAsync(a, stored.ETag, events, ct).ConfigureAwait(false);
            return (check.RaiseAtRisk, check.RaiseBreached);
        }, cancellationToken);
}
