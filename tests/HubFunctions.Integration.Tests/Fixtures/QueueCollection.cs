namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Tests that run queue listeners or timers, or wait for events, run one at a time. They no longer
/// share tables or queues (each has its own storage names); they are kept apart because they measure
/// waits (poison after five attempts, timers on a fake clock, 1,000 relayed events) on a 2-core
/// machine with one single-threaded Azurite, where running them together only makes every wait
/// longer.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QueueCollection
{
    public const string Name = "queues and timers";
}
