using System.Collections.Concurrent;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Counts this host's point reads (<c>GET {table}(PartitionKey='…',RowKey='…')</c>) per table and partition.</summary>
public sealed class PointReadCounter : StorageClientPolicy
{
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, int> _queries = new(StringComparer.Ordinal);

    public int Of(string table, string partition) => _reads.GetValueOrDefault($"{table}({partition})");

    /// <summary>Queries (GET <c>/{table}()</c>) of <paramref name="table"/>.</summary>
    public int QueriesOf(string table) => _queries.GetValueOrDefault(table);

    public void Reset()
    {
        _reads.Clear();
        _queries.Clear();
    }

    public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
    {
        var path = Uri.UnescapeDataString(message.Request.Uri.Path);
        var open = path.IndexOf("(PartitionKey='", StringComparison.Ordinal);
        if (message.Request.Method == Azure.Core.RequestMethod.Get && open > 0)
        {
            var table = path[(path.LastIndexOf('/', open) + 1)..open];
            var start = open + "(PartitionKey='".Length;
            var partition = path[start..path.IndexOf('\'', start)];
            _reads.AddOrUpdate($"{table}({partition})", 1, (_, n) => n + 1);
        }
        else if (message.Request.Method == Azure.Core.RequestMethod.Get && path.EndsWith("()", StringComparison.Ordinal))
        {
            _queries.AddOrUpdate(path[(path.LastIndexOf('/') + 1)..^2], 1, (_, n) => n + 1);
        }

        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }
}
