using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Holds the first <c>$batch</c> request until released; counts every <c>$batch</c>.</summary>
public sealed class HoldFirstBatch : StorageClientPolicy
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _batches;

    public int Batches => Volatile.Read(ref _batches);

    public Task Entered => _entered.Task;

    public void Release() => _released.TrySetResult();

    public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
    {
        if (message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) && Interlocked.Increment(ref _batches) == 1)
        {
            _entered.TrySetResult();
            await _released.Task.ConfigureAwait(false);
        }

        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }
}
