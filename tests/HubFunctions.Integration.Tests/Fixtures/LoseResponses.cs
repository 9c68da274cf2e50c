using Azure.Core;
using Azure.Core.Pipeline;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Fault injection in the Azure SDK pipeline: lets a request reach storage (so it takes effect),
/// then throws away the answer as a dropped connection would. The SDK sees an
/// <see cref="IOException"/> and retries, exactly as when a response is lost on the network.
/// Only entity group transactions (<c>$batch</c>) on <see cref="Table"/> are touched, and only while
/// armed; with <see cref="AlsoReads"/> every later request on that table loses its answer too
/// (storage gone away right after the commit).
/// </summary>
public sealed class LoseResponses(string table) : StorageClientPolicy
{
    private int _batchesToLose;
    private int _lostBatches;
    private volatile bool _readsLost;

    public string Table { get; } = table;

    /// <summary>After a lost batch, also lose the answer of every request on the table until <see cref="Disarm"/>.</summary>
    public bool AlsoReads { get; init; }

    /// <summary>How many batch answers were thrown away.</summary>
    public int LostBatches => _lostBatches;

    /// <summary>Loses the answers of the next <paramref name="batches"/> batches on the table.</summary>
    public void Arm(int batches) => Interlocked.Exchange(ref _batchesToLose, batches);

    public void Disarm()
    {
        Interlocked.Exchange(ref _batchesToLose, 0);
        _readsLost = false;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var batch = IsBatchOnTable(message);
        var read = !batch && message.Request.Uri.Path.Contains("/" + Table, StringComparison.Ordinal);
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        if ((batch && Interlocked.Decrement(ref _batchesToLose) >= 0) || (read && _readsLost))
        {
            if (batch)
            {
                Interlocked.Increment(ref _lostBatches);
                _readsLost = AlsoReads;
            }

            throw new IOException("Injected fault: the response was lost after storage took the request.");
        }
    }

    private bool IsBatchOnTable(HttpMessage message) => TableWrites.IsBatchOn(message.Request, Table, message.CancellationToken);
}
