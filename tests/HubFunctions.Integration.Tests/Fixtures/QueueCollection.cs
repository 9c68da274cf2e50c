namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Tests that run queue listeners or timers, or read the shared hub-events queue, run one at a time:
/// they share queue names and must not take each other's messages.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QueueCollection
{
    public const string Name = "queues and timers";
}
