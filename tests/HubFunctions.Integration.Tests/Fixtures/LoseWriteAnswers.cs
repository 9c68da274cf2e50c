using Azure.Core;
using Azure.Core.Pipeline;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// Fault injection in the Azure SDK pipeline for single-entity writes (not <c>$batch</c>) on
/// <see cref="Table"/>: lets the write reach storage (so it takes effect), then throws away the
/// answer as a dropped connection or a network timeout would. The SDK sees an
/// <see cref="IOException"/> and re-sends the same write, which then meets its own effect
/// (insert: 409, conditional update: 412). Only while armed, and only for the armed HTTP method
/// (<c>POST</c> insert, <c>PUT</c> replace, <c>PATCH</c> merge).
/// </summary>
public sealed class LoseWriteAnswers(string table) : StorageClientPolicy
{
    private readonly Dictionary<RequestMethod, int> _toLose = [];
    private readonly Lock _gate = new();
    private int _lost;

    public string Table { get; } = table;

    /// <summary>How many answers were thrown away.</summary>
    public int Lost => Volatile.Read(ref _lost);

    /// <summary>Loses the answers of the next <paramref name="count"/> writes with <paramref name="method"/> on the table.</summary>
    public void Arm(RequestMethod method, int count = 1)
    {
        lock (_gate)
        {
            _toLose[method] = count;
        }
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        if (Take(message.Request))
        {
            Interlocked.Increment(ref _lost);
            throw new IOException("Injected fault: the answer was lost after storage took the write.");
        }
    }

    private bool Take(Request request)
    {
        var path = request.Uri.Path;
        if (path.EndsWith("$batch", StringComparison.Ordinal)
            || !(path.EndsWith("/" + Table, StringComparison.Ordinal) || path.Contains("/" + Table + "(", StringComparison.Ordinal)))
        {
            return false;
        }

        lock (_gate)
        {
            if (!_toLose.TryGetValue(request.Method, out var left) || left <= 0)
            {
                return false;
            }

            _toLose[request.Method] = left - 1;
            return true;
        }
    }
}
