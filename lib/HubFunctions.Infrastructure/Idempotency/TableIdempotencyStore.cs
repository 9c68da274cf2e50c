using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Infrastructure.Idempotency;

/// <summary>The outcome of a request as it is replayed: status, content type, a few headers, body.</summary>
public sealed record StoredResponse(int Status, string? ContentType, string? Location, byte[] Body);

public abstract record IdempotencyBegin
{
    private IdempotencyBegin()
    {
    }

    /// <summary>First time this message is seen: run it, then complete or abandon the lease.</summary>
    public sealed record Started(IdempotencyLease Lease) : IdempotencyBegin;

    /// <summary>Seen and finished before: answer with the stored outcome.</summary>
    public sealed record Replay(StoredResponse Response) : IdempotencyBegin;

    /// <summary>Seen and still running elsewhere.</summary>
    public sealed record InProgress : IdempotencyBegin;

    /// <summary>Same webhook-id, different request: a client bug, never a retry.</summary>
    public sealed record Mismatch : IdempotencyBegin;
}

/// <param name="Attempt">
/// A random token of this attempt, written into the entry: it tells this attempt's own writes,
/// re-sent by the SDK after a lost or slow answer, from another attempt's (see <see cref="TableIdempotencyStore"/>).
/// </param>
public sealed record IdempotencyLease(string PartitionKey, string RowKey, ETag ETag, string Attempt);

/// <summary>
/// webhook-id idempotency on Table Storage (API.md). Keys are bucketed by UTC day
/// (<c>{yyyyMMdd}|{clientId}</c>, row = webhook-id); a lookup reads today's and yesterday's bucket,
/// so a message is recognised for at least 24 hours, and whole expired days are purged by a range
/// query on the partition key. An outcome too large for a table entry is kept gzip-compressed in
/// Blob Storage (<see cref="StorageNames.IdempotencyBodiesContainer"/>), one blob per entry named from its keys under its day,
/// and the entry references it with the blob's SHA-256: a replay is the first body or an error,
/// never another body.
/// <para>
/// The SDK re-sends a write whose answer did not arrive in time (network timeout, dropped
/// connection), and the re-sent write meets the first one's effect: an insert gets 409, a
/// conditional update 412. Each attempt therefore writes a random token (<c>Attempt</c>) into the
/// entry; a 409 or 412 whose entry carries this attempt's token is this attempt's own write, not
/// another request's, and counts as done.
/// </para>
/// </summary>
public sealed class TableIdempotencyStore(HubStorage storage, TimeProvider clock, ILogger<TableIdempotencyStore> logger)
{
    /// <summary>
    /// A pending entry older than this belongs to a request that died; it may be taken over. Longer
    /// than any request can run (the Functions host stops HTTP requests at 230 s).
    /// </summary>
    public static readonly TimeSpan PendingTakeover = TimeSpan.FromMinutes(5);

    /// <summary>Responses up to this size (gzip-compressed) are kept in the entry itself: 15 properties of 60,000 bytes; larger ones in a blob.</summary>
    public const int MaxStoredBytes = ChunkSize * MaxChunks;

    private const int ChunkSize = 60_000;
    private const int MaxChunks = 15;
    private const string Pending = "pending";
    private const string Done = "done";
    private const string AttemptProperty = "Attempt";

    public async Task<IdempotencyBegin> BeginAsync(string clientId, string messageId, string fingerprint, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var today = PartitionFor(now, clientId);
        var attempt = NewAttempt();
        var entity = new TableEntity(today, messageId)
        {
            ["State"] = Pending,
            [AttemptProperty] = attempt,
            ["Fingerprint"] = fingerprint,
            ["StartedAt"] = now,
        };

        // Yesterday's bucket is read while today's entry is inserted: the two calls are independent, so a signed request
        // waits for one round trip less. Yesterday's entry, when there is one (a retry across midnight), decides as
        // before, and the entry this attempt just inserted today is deleted again (under its own ETag).
        var earlierRead = table.GetEntityIfExistsAsync<TableEntity>(PartitionFor(now.AddDays(-1), clientId), messageId, cancellationToken: cancellationToken);
        var insert = InsertAsync(table, entity, cancellationToken);
        NullableResponse<TableEntity> earlier;
        try
        {
            earlier = await earlierRead.ConfigureAwait(false);
        }
        catch
        {
            // Nothing may stay behind for a request that fails here: a retry would find it pending (409 in progress).
            await ForgetInsertAsync(table, insert, today, messageId).ConfigureAwait(false);
            throw;
        }

        if (earlier.HasValue && earlier.Value is { } previous)
        {
            await ForgetInsertAsync(table, insert, today, messageId).ConfigureAwait(false);
            return await EvaluateAsync(previous, fingerprint, now, cancellationToken).ConfigureAwait(false)
                ?? await TakeOverAsync(table, previous, now, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var added = await insert.ConfigureAwait(false);
            return new IdempotencyBegin.Started(new IdempotencyLease(today, messageId, added, attempt));
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await table.GetEntityAsync<TableEntity>(today, messageId, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (IsOwn(existing.Value, Pending, attempt))
            {
                // Our own insert, re-sent by the SDK after its answer was lost or late.
                logger.LogInformation("Idempotency entry {Partition}/{MessageId} was written by this attempt's earlier try", today, messageId);
                return new IdempotencyBegin.Started(new IdempotencyLease(today, messageId, existing.Value.ETag, attempt));
            }

            var evaluated = await EvaluateAsync(existing.Value, fingerprint, now, cancellationToken).ConfigureAwait(false);
            if (evaluated is not null)
            {
                return evaluated;
            }

            // A stale pending entry: the request that wrote it died. Take it over, if nobody else did.
            return await TakeOverAsync(table, existing.Value, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Inserts today's pending entry; its ETag (a 409 is thrown to the caller, as the insert's own).</summary>
    private static async Task<ETag> InsertAsync(TableClient table, TableEntity entity, CancellationToken cancellationToken)
    {
        var added = await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        return added.Headers.ETag ?? ETag.All;
    }

    /// <summary>
    /// Deletes the entry <paramref name="insert"/> wrote, if it wrote one (best effort: an entry left pending is taken over
    /// after <see cref="PendingTakeover"/>, and yesterday's entry is read first while it exists).
    /// </summary>
    private async Task ForgetInsertAsync(TableClient table, Task<ETag> insert, string partition, string messageId)
    {
        try
        {
            var etag = await insert.ConfigureAwait(false);
            await table.DeleteEntityAsync(partition, messageId, etag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 409 or 412)
        {
            // Not written by this attempt (409), or already gone or changed: nothing of ours to forget.
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
        {
            logger.LogWarning(e, "Could not delete idempotency entry {Partition}/{MessageId} inserted beside an earlier day's", partition, messageId);
        }
    }

    private async Task<IdempotencyBegin> TakeOverAsync(TableClient table, TableEntity stale, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var attempt = NewAttempt();
        try
        {
            stale["StartedAt"] = now;
            stale[AttemptProperty] = attempt;
            var taken = await table.UpdateEntityAsync(stale, stale.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            logger.LogWarning("Took over stale idempotency entry {Partition}/{MessageId}", stale.PartitionKey, stale.RowKey);
            return new IdempotencyBegin.Started(new IdempotencyLease(stale.PartitionKey, stale.RowKey, taken.Headers.ETag ?? ETag.All, attempt));
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // A 412 may be our own takeover, re-sent by the SDK after its answer was lost or late.
            var current = await table.GetEntityIfExistsAsync<TableEntity>(stale.PartitionKey, stale.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (current.HasValue && current.Value is { } row && IsOwn(row, Pending, attempt))
            {
                logger.LogWarning("Took over stale idempotency entry {Partition}/{MessageId}", stale.PartitionKey, stale.RowKey);
                return new IdempotencyBegin.Started(new IdempotencyLease(stale.PartitionKey, stale.RowKey, row.ETag, attempt));
            }

            return new IdempotencyBegin.InProgress();
        }
    }

    /// <summary>
    /// Stores the outcome for replay: in the entry when it fits, else in its own blob (overwritten
    /// by a retry of this call, so an entry never references another attempt's body).
    /// </summary>
    public async Task CompleteAsync(IdempotencyLease lease, StoredResponse response, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);
        var compressed = Compress(response.Body);
        var entity = new TableEntity(lease.PartitionKey, lease.RowKey)
        {
            ["State"] = Done,
            ["CompletedAt"] = clock.GetUtcNow(),
            ["Status"] = response.Status,
            ["ContentType"] = response.ContentType,
            ["Location"] = response.Location,
        };
        if (compressed.Length <= MaxStoredBytes)
        {
            for (int i = 0, offset = 0; offset < compressed.Length; i++, offset += ChunkSize)
            {
                entity["Body" + i.ToString(CultureInfo.InvariantCulture)] = compressed.AsSpan(offset, Math.Min(ChunkSize, compressed.Length - offset)).ToArray();
            }
        }
        else
        {
            var name = BodyBlobName(lease.PartitionKey, lease.RowKey);
            var container = await storage.ContainerAsync(storage.Names.IdempotencyBodiesContainer, cancellationToken).ConfigureAwait(false);
            await container.GetBlobClient(name).UploadAsync(new BinaryData(compressed), overwrite: true, cancellationToken).ConfigureAwait(false);
            entity["BodyBlob"] = name;
            entity["BodySha256"] = Convert.ToHexString(SHA256.HashData(compressed));
            logger.LogInformation("Response to {MessageId} is {Bytes} bytes compressed; kept in blob {Blob}", lease.RowKey, compressed.Length, name);
        }

        // Keep the fingerprint and the attempt token written at the start.
        try
        {
            await table.UpdateEntityAsync(entity, lease.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            // Our own completion, re-sent by the SDK after its answer was lost or late, is done;
            // anything else (the entry was taken over) is a genuine conflict.
            var current = await table.GetEntityIfExistsAsync<TableEntity>(lease.PartitionKey, lease.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!(current.HasValue && current.Value is { } row && IsOwn(row, Done, lease.Attempt)))
            {
                throw;
            }
        }
    }

    /// <summary>
    /// The blob that holds a large outcome: <c>{yyyyMMdd}/{SHA-256 of partition and row key}</c>, under
    /// the entry's day so the purge removes whole days by name order; the hash keeps any client id
    /// or webhook-id out of the blob path.
    /// </summary>
    public static string BodyBlobName(string partitionKey, string rowKey)
        => partitionKey[..8] + "/" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(partitionKey + "\n" + rowKey))).ToLowerInvariant();

    /// <summary>Forgets a message whose processing failed (5xx), so a retry runs it again.</summary>
    public async Task AbandonAsync(IdempotencyLease lease, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(lease.PartitionKey, lease.RowKey, lease.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Already gone or taken over: nothing to forget.
        }
    }

    /// <summary>
    /// Deletes every day bucket older than yesterday, and the blobs of its large outcomes (those
    /// first: a purge that stops half-way leaves entries that the next purge finds, never a blob
    /// nobody looks for). Returns how many entries went.
    /// </summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);
        var cutoff = clock.GetUtcNow().AddDays(-1).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        await PurgeBodiesAsync(cutoff, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        var batch = new List<TableTransactionAction>();
        string? batchPartition = null;
        await foreach (var e in table.QueryAsync<TableEntity>(
            filter: TableClient.CreateQueryFilter($"PartitionKey lt {cutoff}"), select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (batch.Count == 100 || (batchPartition is not null && batchPartition != e.PartitionKey))
            {
                deleted += await FlushAsync(table, batch, cancellationToken).ConfigureAwait(false);
            }

            batchPartition = e.PartitionKey;
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All));
        }

        deleted += await FlushAsync(table, batch, cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>
    /// Deletes the body blobs of days before <paramref name="cutoff"/>. Blob names start with their
    /// day and are listed in name order, so the listing stops at the first blob of a kept day: the
    /// cost grows with what is deleted. Blobs whose entry never completed (the outcome's table write
    /// failed after the upload) go too.
    /// </summary>
    private async Task PurgeBodiesAsync(string cutoff, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.IdempotencyBodiesContainer, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (string.CompareOrdinal(blob.Name, cutoff) >= 0)
            {
                break;
            }

            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
            deleted++;
        }

        if (deleted > 0)
        {
            logger.LogInformation("Idempotency purge deleted {Count} outcome blobs before {Cutoff}", deleted, cutoff);
        }
    }

    private static async Task<int> FlushAsync(TableClient table, List<TableTransactionAction> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = batch.Count;
        await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        batch.Clear();
        return count;
    }

    /// <summary>A random token per attempt; ids from <c>IIdSource</c> would repeat for a retried message, which is exactly what must be told apart.</summary>
    private static string NewAttempt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static bool IsOwn(TableEntity entity, string state, string attempt)
        => entity.GetString("State") == state && string.Equals(entity.GetString(AttemptProperty), attempt, StringComparison.Ordinal);

    private static string PartitionFor(DateTimeOffset instant, string clientId)
        => instant.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "|" + clientId;

    private async Task<IdempotencyBegin?> EvaluateAsync(TableEntity entity, string fingerprint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!string.Equals(entity.GetString("Fingerprint"), fingerprint, StringComparison.Ordinal))
        {
            return new IdempotencyBegin.Mismatch();
        }

        if (entity.GetString("State") == Done)
        {
            var compressed = entity.GetString("BodyBlob") is { } blob
                ? await ReadBodyBlobAsync(entity, blob, cancellationToken).ConfigureAwait(false)
                : ReadBodyChunks(entity);
            return new IdempotencyBegin.Replay(new StoredResponse(
                entity.GetInt32("Status") ?? 200, entity.GetString("ContentType"), entity.GetString("Location"), Decompress(compressed)));
        }

        var startedAt = entity.GetDateTimeOffset("StartedAt") ?? now;
        return now - startedAt < PendingTakeover ? new IdempotencyBegin.InProgress() : null;
    }

    private static byte[] ReadBodyChunks(TableEntity entity)
    {
        if (entity.GetBoolean("BodyTooLarge") == true)
        {
            // Written before large outcomes went to Blob Storage: the body is lost. Fail rather
            // than replay an empty body as if it were the first response.
            throw new InvalidOperationException($"The outcome of {entity.RowKey} was kept without its body; it cannot be replayed.");
        }

        using var body = new MemoryStream();
        for (var i = 0; entity.GetBinary("Body" + i.ToString(CultureInfo.InvariantCulture)) is { } chunk; i++)
        {
            body.Write(chunk);
        }

        return body.ToArray();
    }

    private async Task<byte[]> ReadBodyBlobAsync(TableEntity entity, string name, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.IdempotencyBodiesContainer, cancellationToken).ConfigureAwait(false);
        var content = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
        var compressed = content.Value.Content.ToArray();
        if (!string.Equals(Convert.ToHexString(SHA256.HashData(compressed)), entity.GetString("BodySha256"), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The outcome blob of {entity.RowKey} does not match its entry; it is not replayed.");
        }

        return compressed;
    }

    private static byte[] Compress(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }

    private static byte[] Decompress(byte[] compressed)
    {
        if (compressed.Length == 0)
        {
            return [];
        }

        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
