using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Documents;

/// <summary>The validation queue (<see cref="StorageNames.DocumentValidationQueue"/>): the message is <c>{sellerId}/{documentId}</c> (both key-safe, so without <c>/</c>).</summary>
public sealed class StorageDocumentValidationQueue(HubStorage storage) : IDocumentValidationQueue
{
    public async Task EnqueueAsync(string sellerId, string documentId, CancellationToken cancellationToken)
    {
        var queue = await storage.QueueAsync(storage.Names.DocumentValidationQueue, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync($"{sellerId}/{documentId}", cancellationToken).ConfigureAwait(false);
    }
}
