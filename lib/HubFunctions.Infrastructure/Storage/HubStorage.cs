using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Storage;

/// <summary>
/// The storage account's tables, queues and containers, each created once on first use, and the
/// names the app uses for them (<see cref="StorageNames"/>). All queue clients use base64 message
/// encoding, as the Functions queue trigger expects.
/// </summary>
public sealed class HubStorage(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, IOptions<StorageNames> names)
{
    /// <summary>The names of this app's tables, queues and containers.</summary>
    public StorageNames Names { get; } = names.Value;

    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<BlobContainerClient>>> _containers = new(StringComparer.Ordinal);

    public TableServiceClient TableService => tables;
    public QueueServiceClient QueueService => queues;
    public BlobServiceClient BlobService => blobs;

    public Task<TableClient> TableAsync(string name, CancellationToken cancellationToken = default)
        => Once(_tables, name, async () =>
        {
            var client = tables.GetTableClient(name);
            await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            return client;
        });

    /// <summary>
    /// Deletes table <paramref name="name"/> (gone already is fine) and forgets that it was created, so
    /// a later <see cref="TableAsync"/> creates it again. For tables the app drops whole once their rows
    /// are done with (the renewal index's day tables), never for the tables of <see cref="Names"/>.
    /// </summary>
    public async Task DropTableAsync(string name, CancellationToken cancellationToken = default)
    {
        _tables.TryRemove(name, out _);
        try
        {
            await tables.GetTableClient(name).DeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // Dropped already (an overlapping run).
        }
    }

    public Task<QueueClient> QueueAsync(string name, CancellationToken cancellationToken = default)
        => Once(_queues, name, async () =>
        {
            var client = queues.GetQueueClient(name);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        });

    public Task<BlobContainerClient> ContainerAsync(string name, CancellationToken cancellationToken = default)
        => Once(_containers, name, async () =>
        {
            var client = blobs.GetBlobContainerClient(name);
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return client;
        });

    /// <summary>The value <paramref name="create"/> made for <paramref name="name"/>, made once; a failed creation is tried again by the next call.</summary>
    internal static async Task<T> Once<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string name, Func<Task<T>> create)
    {
        var lazy = cache.GetOrAdd(name, _ => new Lazy<Task<T>>(create));
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            // A failed creation (storage down) is not cached: the next call tries again.
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(name, lazy));
            throw;
        }
    }

    /// <summary>
    /// Really talks to each storage service (API: GET /api/health). Throws when any cannot answer.
    /// </summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken).MoveNextAsync().AsTask(),
            queues.GetPropertiesAsync(cancellationToken),
            blobs.GetPropertiesAsync(cancellationToken)).ConfigureAwait(false);
    }
}
