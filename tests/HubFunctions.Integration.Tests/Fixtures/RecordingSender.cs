using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// A ServiceBusSender double through the SDK's own extension point (its protected constructor and
/// virtual send): it records what would have gone to the topic.
/// </summary>
public sealed class RecordingSender : ServiceBusSender
{
    public ConcurrentQueue<ServiceBusMessage> Sent { get; } = new();

    public override string EntityPath => "hub-events";

    public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
    {
        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
