using HubFunctions.Infrastructure.Events;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Events;

/// <summary>Relays committed outbox rows to the event publisher (Service Bus, or the local queue).</summary>
public sealed class OutboxFunctions(OutboxRelay relay)
{
    /// <summary>
    /// Right after commits: a wake-up on <c>outbox-relay</c> (one for many commits) relays every
    /// committed event in batches; a pointer to one event (sent before wake-ups existed) relays it.
    /// </summary>
    [Function("RelayOutbox")]
    public Task Relay([QueueTrigger("%Hub:Storage:OutboxRelayQueue%")] string message, CancellationToken cancellationToken)
        => relay.HandleMessageAsync(message, cancellationToken);

    /// <summary>Every 30 seconds: whatever the prompt relay left behind.</summary>
    [Function("SweepOutbox")]
    public Task Sweep([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
        => relay.SweepAsync(cancellationToken);
}
