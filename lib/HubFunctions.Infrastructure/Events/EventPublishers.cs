using Azure.Messaging.ServiceBus;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Events;

/// <summary>Local sink: each event as a CloudEvents JSON message on the Azurite queue <c>hub-events</c> (<see cref="StorageNames.EventsQueue"/>).</summary>
public sealed class QueueEventPublisher(HubStorage storage) : IEventPublisher
{
    public async Task PublishAsync(HubEvent hubEvent, CancellationToken cancellationToken)
    {
        var queue = await storage.QueueAsync(storage.Names.EventsQueue, cancellationToken).ConfigureAwait(false);
        await queue.SendMessageAsync(BinaryData.FromBytes(CloudEventCodec.Encode(hubEvent)), timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Azure: each event as a Service Bus message on the configured topic. <c>MessageId</c> is the event
/// id (the topic's duplicate detection drops re-sends), <c>Subject</c> the event type, and
/// <c>type</c>, <c>sellerId</c>, <c>hub</c> application properties let subscriptions filter.
/// </summary>
public sealed class ServiceBusEventPublisher(ServiceBusSender sender) : IEventPublisher
{
    public Task PublishAsync(HubEvent hubEvent, CancellationToken cancellationToken)
        => sender.SendMessageAsync(ToMessage(hubEvent), cancellationToken);

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
