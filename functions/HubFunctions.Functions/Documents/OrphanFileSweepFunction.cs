using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Documents;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Documents;

/// <summary>Deletes document blobs that a crash left without their row (DOC-2), from the pending-file markers older than the grace period.</summary>
public sealed class OrphanFileSweepFunction(OrphanFileSweep sweep, IOptions<DocumentsOptions> options, ILogger<OrphanFileSweepFunction> logger)
{
    /// <summary>On <c>Hub:Documents:OrphanSweepSchedule</c> (default hourly at minute 20, <c>0 20 * * * *</c>); also <c>POST /admin/functions/SweepOrphanDocumentFiles</c>.</summary>
    [Function("SweepOrphanDocumentFiles")]
    public async Task Run([TimerTrigger("%Hub:Documents:OrphanSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var report = await sweep.RunAsync(options.Value.OrphanGracePeriod, cancellationToken);
        logger.LogInformation("Orphan file sweep resolved {Checked} pending files: {Deleted} orphaned blobs deleted, {Kept} kept (their document row exists)",
            report.Checked, report.Deleted, report.Kept);
    }
}
