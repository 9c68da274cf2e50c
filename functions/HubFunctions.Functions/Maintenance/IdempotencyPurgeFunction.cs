using HubFunctions.Infrastructure.Idempotency;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Maintenance;

public sealed class IdempotencyPurgeFunction(TableIdempotencyStore store, ILogger<IdempotencyPurgeFunction> logger)
{
    /// <summary>Daily at 03:30 UTC: drops webhook-id entries older than the idempotency window.</summary>
    [Function("PurgeIdempotency")]
    public async Task Run([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var deleted = await store.PurgeAsync(cancellationToken);
        logger.LogInformation("Purged {Count} expired idempotency entries", deleted);
    }
}
