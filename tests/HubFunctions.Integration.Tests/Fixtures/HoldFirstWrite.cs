using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Holds the first table write (<see cref="TableWrites.IsTransaction"/>: a <c>$batch</c>, or a single entity's plain write,
/// which is how the write path sends a one-action transaction since session s11) until released; counts every one. Armed
/// from the start unless told otherwise (<see cref="Arm"/>: writes a test makes to set up are neither held nor counted).
/// </summary>
public sealed class HoldFirstWrite(bool armed = true) : StorageClientPolicy
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _writes;
    private volatile bool _armed = armed;

    /// <summary>Table writes (transactions) since armed, the held one included.</summary>
    public int Writes => Volatile.Read(ref _writes);

    public Task Entered => _entered.Task;

    public void Arm() => _armed = true;

    public void Release() => _released.TrySetResult();

    public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
    {
        if (_armed && TableWrites.IsTransaction(message.Request) && Interlocked.Increment(ref _writes) == 1)
        {
            _entered.TrySetResult();
            await _released.Task.ConfigureAwait(false);
        }

        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }
}
