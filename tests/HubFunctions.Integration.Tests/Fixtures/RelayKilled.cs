using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Thrown by a relay hook to stop the relay where a test wants it, as if its process died there.</summary>
public sealed class ProcessKilled : Exception;

/// <summary>Stops the relay before it publishes, as if the process died there.</summary>
public sealed class KilledBeforePublish : IOutboxRelayHooks
{
    public Task BeforePublishAsync(HubEvent hubEvent) => throw new ProcessKilled();

    public Task AfterPublishAsync(HubEvent hubEvent) => Task.CompletedTask;
}
