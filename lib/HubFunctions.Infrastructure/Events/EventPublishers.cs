using Azure.Messaging.ServiceBus;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// A publisher that sends many events in one call (Service Bus message batches). All or nothing for
/// the caller: when it throws, some of the events may have been sent; sending them again keeps their ids.
/// </summary>
public interface IBatchEventPublisher : IEventPublisher
{
    Task PublishAllAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// Local sink: each event as a CloudEvents JSON message on the queue <c>hub-events</c> (<see cref="StorageNames.EventsQueue"/>),
/// in the hub's storage account or in the one <c>Hub:Events:Queue:ConnectionString</c> names (<see cref="EventSinkQueue"/>).
/// </summary>
public sealed class QueueEventPublisher(EventSinkQueue sink) : IEventPublisher
{
    public async Task PublishAsync(HubEvent hubEvent, CancellationToken cancellationToken)
    {
        var queue = await sink.QueueAsync(cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(BinaryData.FromBytes(CloudEventCodec.Encode(hubEvent)), timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Azure: each event as a Service Bus message on the configured topic. <c>MessageId</c> is the event
/// id (the topic's duplicate detection drops re-sends), <c>Subject</c> the event type, and
/// <c>type</c>, <c>sellerId</c>, <c>hub</c> application properties let subscriptions filter.
/// </summary>
public sealed class ServiceBusEventPublisher(ServiceBusSender sender) : IBatchEventPublisher
{
    public Task PublishAsync(HubEvent hubEvent, CancellationToken cancellationToken)
        => sender.SendMessageAsync(ToMessage(hubEvent), cancellationToken);

    /// <summary>
    /// As few <see cref="ServiceBusMessageBatch"/> sends as the size limit allows: a message that does
    /// not fit closes the batch, which is sent, and a new one starts with it. A message too large for
    /// an empty batch is refused (events are capped well below the limit, so this is a bug).
    /// </summary>
    public async Task PublishAllAsync(IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        var batch = await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var hubEvent in events)
            {
                var message = ToMessage(hubEvent);
                if (batch.TryAddMessage(message))
                {
                    continue;
                }

                if (batch.Count == 0)
                {
                    throw new InvalidOperationException($"Event {hubEvent.Id} ({hubEvent.Type}) is too large for a Service Bus message.");
                }

                await sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
                batch.Dispose();
                batch = await sender.CreateMessageBatchAsync(cancellationToken).ConfigureAwait(false);
                if (!batch.TryAddMessage(message))
                {
                    throw new InvalidOperationException($"Event {hubEvent.Id} ({hubEvent.Type}) is too large for a Service Bus message.");
                }
            }

            if (batch.Count > 0)
            {
                await sender.SendMessagesAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            batch.Dispose();
        }
    }

    public static ServiceBusMessage ToMessage(HubEvent hubEvent)
    {
        var message = new ServiceBusMessage(CloudEventCodec.Encode(hubEvent))
        {
            MessageId = hubEvent.Id,
            Subject = hubEvent.Type,
            ContentType = CloudEventCodec.ContentType,
        };
        message.ApplicationProperties["type"] = hubEvent.Type;
        if (hubEvent.SellerId is not null)
        {
            message.ApplicationProperties["sellerId"] = hubEvent.SellerId;
        }

        if (hubEvent.Hub is not null)
        {
            message.ApplicationProperties["hub"] = hubEvent.Hub;
        }

        return message;
    }
}
