using HubFunctions.Infrastructure.Idempotency;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Maintenance;

public sealed class IdempotencyPurgeFunction(TableIdempotencyStore store, ILogger<IdempotencyPurgeFunction> logger)
{
    /// <summary>
    /// On <c>Hub:Idempotency:PurgeSchedule</c> (default hourly at minute 30, <c>0 30 * * * *</c>): drops webhook-id entries
    /// and outcome blobs older than the idempotency window, within <c>Hub:Idempotency:PurgeBudget</c>; a run that stops at
    /// its budget is continued by the next. Also <c>POST /admin/functions/PurgeIdempotency</c>.
    /// </summary>
    [Function("PurgeIdempotency")]
    public async Task Run([TimerTrigger("%Hub:Idempotency:PurgeSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await store.PurgeAsync(cancellationToken);
        logger.LogInformation("Purged {Count} expired idempotency entries; finished: {Finished}", result.Deleted, result.Finished);
    }
}
