using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Compliance;

/// <summary>The daily compliance sweep (CMP-1, CMP-2) over the renewal index, from its checkpoint up to today.</summary>
public sealed class ComplianceSweepFunction(RenewalSweep sweep, HubStorage storage, ILogger<ComplianceSweepFunction> logger)
{
    /// <summary>On <c>Hub:Compliance:SweepSchedule</c> (default 00:05 Asia/Shanghai, <c>0 5 16 * * *</c> UTC); also <c>POST /admin/functions/ComplianceSweep</c>.</summary>
    [Function("ComplianceSweep")]
    public async Task Run([TimerTrigger("%Hub:Compliance:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var report = await sweep.RunAsync(cancellationToken);
        logger.LogInformation(
            "Compliance sweep read {Days} days from {From} to {To}: {Frozen} frozen, {AlreadyFrozen} already frozen, {Sent} reminders sent, {AlreadySent} already sent, {Stale} stale, {Unknown} unknown sellers",
            report.Days, report.From, report.To, report.Count(RenewalOutcome.Frozen), report.Count(RenewalOutcome.AlreadyFrozen), report.Count(RenewalOutcome.ReminderSent),
            report.Count(RenewalOutcome.ReminderAlreadySent), report.Count(RenewalOutcome.Stale), report.Count(RenewalOutcome.UnknownSeller));
        if (report.DroppedLate > 0)
        {
            logger.LogInformation("Compliance sweep dropped {Count} renewal index day tables an earlier run could not drop", report.DroppedLate);
        }

        foreach (var failure in report.ForgetFailures ?? [])
        {
            logger.LogWarning(failure.Error, "Compliance sweep could not drop the renewal index table {Table} of {Day}; a later sweep drops it",
                TableRenewalIndex.DayTable(storage.Names.RenewalIndexTable, failure.Day), failure.Day);
        }
    }
}
