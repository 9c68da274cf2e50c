using System.Collections.Concurrent;
using Azure.Storage.Queues;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// The queue the <c>queue</c> publisher sends events to (<see cref="StorageNames.EventsQueue"/>, base64 messages like every
/// queue of the app): in the hub's storage account, or in the account of <see cref="QueueEventsOptions.ConnectionString"/>
/// when that is set. Created once on first use, as <see cref="HubStorage"/> does.
/// </summary>
public sealed class EventSinkQueue(HubStorage storage, IOptions<EventsOptions> options, IServiceProvider provider)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queue = new(StringComparer.Ordinal);

    /// <summary>True when the queue is in an account of its own (<see cref="QueueEventsOptions.ConnectionString"/>).</summary>
    public bool Separate => !string.IsNullOrWhiteSpace(options.Value.Queue.ConnectionString);

    public Task<QueueClient> QueueAsync(CancellationToken cancellationToken = default)
    {
        if (!Separate)
        {
            return storage.QueueAsync(storage.Names.EventsQueue, cancellationToken);
        }

        return HubStorage.Once(_queue, storage.Names.EventsQueue, async () =>
        {
            var clientOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
            StorageRegistration.Configure(clientOptions, provider);
            var client = new QueueServiceClient(options.Value.Queue.ConnectionString, clientOptions).GetQueueClient(storage.Names.EventsQueue);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        });
    }
}
