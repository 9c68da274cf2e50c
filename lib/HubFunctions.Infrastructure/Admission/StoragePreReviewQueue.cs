using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>The pre-review queue (<see cref="StorageNames.PreReviewQueue"/>): the message is the application id.</summary>
public sealed class StoragePreReviewQueue(HubStorage storage) : IPreReviewQueue
{
    public async Task EnqueueAsync(string applicationId, TimeSpan delay, CancellationToken cancellationToken)
    {
        var queue = await storage.QueueAsync(storage.Names.PreReviewQueue, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(applicationId, visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
