using HubFunctions.Infrastructure.Events;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Events;

/// <summary>Relays committed outbox rows to the event publisher (Service Bus, or the local queue).</summary>
public sealed class OutboxFunctions(OutboxRelay relay, ILogger<OutboxFunctions> logger)
{
    /// <summary>Right after a commit: one message per event on <c>outbox-relay</c>.</summary>
    [Function("RelayOutbox")]
    public async Task Relay([QueueTrigger("%Hub:Storage:OutboxRelayQueue%")] string message, CancellationToken cancellationToken)
    {
        var pointer = OutboxRelay.ParsePointer(message);
        var outcome = await relay.RelayAsync(pointer, cancellationToken);
        logger.LogDebug("Relay of {EventId}: {Outcome}", pointer.EventId, outcome);
    }

    /// <summary>Every 30 seconds: whatever the prompt relay left behind.</summary>
    [Function("SweepOutbox")]
    public Task Sweep([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
        => relay.SweepAsync(cancellationToken);
}
