using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
/// webhook-id idempotency on Table Storage (API.md). An entry's keys depend only on the message:
/// partition <c>{clientId}|{bucket}</c>, where the bucket is one hex digit of the SHA-256 of the
/// webhook-id (16 partitions per client), row = webhook-id. So one insert finds a message whatever
/// day it was first seen: a new message costs one call to begin, a repeat one more (the read after
/// the insert's 409). An entry is recognised until the end of the UTC day after the one it started on
/// (<see cref="RecognisedSince"/>); an older one counts as absent (a new message under that id replaces it) and the hourly purge deletes it by a
/// query on its <c>StartedAt</c> (see <see cref="PurgeAsync"/>). An outcome too large for a table entry is kept gzip-compressed in
/// Blob Storage (<see cref="StorageNames.IdempotencyBodiesContainer"/>), one blob per entry named from
/// its keys, with the time it was written in its metadata, and the entry references it with the
/// blob's SHA-256: a replay is the first body or an error, never another body.
/// <para>
/// The SDK re-sends a write whose answer did not arrive in time (network timeout, dropped
/// connection), and the re-sent write meets the first one's effect: an insert gets 409, a
/// conditional update 412. Each attempt therefore writes a random token (<c>Attempt</c>) into the
/// entry; a 409 or 412 whose entry carries this attempt's token is this attempt's own write, not
/// another request's, and counts as done.
/// </para>
/// </summary>
public sealed class TableIdempotencyStore(
    HubStorage storage, TimeProvider clock, IOptions<HubClientsOptions> clients, IOptions<IdempotencyPurgeOptions> purgeOptions, ILogger<TableIdempotencyStore> logger)
{
    /// <summary>
    /// A pending entry older than this belongs to a request that died; it may be taken over. Longer
    /// than any request can run (the Functions host stops HTTP requests at 230 s).
    /// </summary>
    public static readonly TimeSpan PendingTakeover = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The oldest start of an entry still recognised at <paramref name="now"/>: 00:00 UTC of the day before. So a message
    /// is recognised until the end of the UTC day after the one it started on, 24 to 48 hours (API.md: at least 24), the
    /// same messages the day buckets recognised (today's and yesterday's). Older entries count as absent and are purged.
    /// </summary>
    public static DateTimeOffset RecognisedSince(DateTimeOffset now) => new(now.UtcDateTime.Date.AddDays(-1), TimeSpan.Zero);

    /// <summary>Responses up to this size (gzip-compressed) are kept in the entry itself: 15 properties of 60,000 bytes; larger ones in a blob.</summary>
    public const int MaxStoredBytes = ChunkSize * MaxChunks;

    private const int ChunkSize = 60_000;
    private const int MaxChunks = 15;
    private const int MaxBatch = 100;
    private const string Pending = "pending";
    private const string Done = "done";
    private const string AttemptProperty = "Attempt";
    private const string StartedAtProperty = "StartedAt";

    /// <summary>The metadata of an outcome blob that holds when it was written (the app's clock, as the entries' times).</summary>
    private const string WrittenAtMetadata = "writtenat";

    /// <summary>The table keys of a client's message: <c>{clientId}|{bucket}</c> and the webhook-id.</summary>
    public static (string PartitionKey, string RowKey) KeysOf(string clientId, string messageId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(messageId), hash);
        return (clientId + "|" + (hash[0] & 0x0F).ToString("x", CultureInfo.InvariantCulture), messageId);
    }

    public Task<IdempotencyBegin> BeginAsync(string clientId, string messageId, string fingerprint, CancellationToken cancellationToken)
        => BeginAsync(clientId, messageId, fingerprint, null, cancellationToken);

    /// <summary>
    /// As <see cref="BeginAsync(string, string, string, CancellationToken)"/>; a pending entry of the same request (same
    /// fingerprint, within the window) is first offered to <paramref name="derive"/>, which renders the first attempt's answer
    /// from the rows it wrote (a request whose answer was not recorded on purpose: Idempotency/DECISIONS.md, part 3): an answer
    /// is a <see cref="IdempotencyBegin.Replay"/>; null means no such rows, and the entry is in progress while young and taken
    /// over when stale, as without it.
    /// </summary>
    public async Task<IdempotencyBegin> BeginAsync(string clientId, string messageId, string fingerprint,
        Func<CancellationToken, Task<StoredResponse?>>? derive, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var (partition, row) = KeysOf(clientId, messageId);
        var attempt = NewAttempt();

        // One insert finds any entry of this message. An entry that is gone by the read (abandoned after a 5xx, or purged)
        // between the insert's 409 and the read: insert again.
        for (var tries = 1; ; tries++)
        {
            try
            {
                var added = await table.AddEntityAsync(PendingEntry(partition, row, attempt, fingerprint, now), cancellationToken).ConfigureAwait(false);
                return new IdempotencyBegin.Started(new IdempotencyLease(partition, row, added.Headers.ETag ?? ETag.All, attempt));
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Seen before, or this attempt's own insert re-sent by the SDK: the entry decides.
            }

            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!found.HasValue || found.Value is not { } existing)
            {
                if (tries < 3)
                {
                    continue;
                }

                return new IdempotencyBegin.InProgress();
            }

            if (IsOwn(existing, Pending, attempt))
            {
                // Our own insert, re-sent by the SDK after its answer was lost or late.
                logger.LogInformation("Idempotency entry {Partition}/{MessageId} was written by this attempt's earlier try", partition, row);
                return new IdempotencyBegin.Started(new IdempotencyLease(partition, row, existing.ETag, attempt));
            }

            if (IsExpired(existing, now))
            {
                // Started before the window: the message is new again, whatever it was (the purge has not come by yet).
                return await TakeOverAsync(table, existing, fingerprint, now, stale: false, cancellationToken).ConfigureAwait(false);
            }

            // Replay, in progress or mismatch; or a stale pending entry (the request that wrote it died): take it over, if
            // nobody else did.
            return await EvaluateAsync(existing, fingerprint, now, derive, cancellationToken).ConfigureAwait(false)
                ?? await TakeOverAsync(table, existing, fingerprint, now, stale: true, cancellationToken).ConfigureAwait(false);
        }
    }

    private void LogTakeOver(TableEntity old, bool stale)
    {
        if (stale)
        {
            logger.LogWarning("Took over stale idempotency entry {Partition}/{MessageId}", old.PartitionKey, old.RowKey);
        }
        else
        {
            logger.LogInformation("Replaced expired idempotency entry {Partition}/{MessageId}", old.PartitionKey, old.RowKey);
        }
    }

    private static TableEntity PendingEntry(string partition, string row, string attempt, string fingerprint, DateTimeOffset now) => new(partition, row)
    {
        ["State"] = Pending,
        [AttemptProperty] = attempt,
        ["Fingerprint"] = fingerprint,
        [StartedAtProperty] = now,
    };

    private static bool IsExpired(TableEntity entity, DateTimeOffset now)
        => entity.GetDateTimeOffset(StartedAtProperty) is { } startedAt && startedAt < RecognisedSince(now);

    /// <summary>
    /// Replaces <paramref name="old"/> (<paramref name="stale"/> pending, or expired) by this attempt's pending entry,
    /// under the version read.
    /// </summary>
    private async Task<IdempotencyBegin> TakeOverAsync(TableClient table, TableEntity old, string fingerprint, DateTimeOffset now, bool stale, CancellationToken cancellationToken)
    {
        var attempt = NewAttempt();
        try
        {
            var taken = await table.UpdateEntityAsync(PendingEntry(old.PartitionKey, old.RowKey, attempt, fingerprint, now), old.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            LogTakeOver(old, stale);
            return new IdempotencyBegin.Started(new IdempotencyLease(old.PartitionKey, old.RowKey, taken.Headers.ETag ?? ETag.All, attempt));
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // A 412 may be our own takeover, re-sent by the SDK after its answer was lost or late.
            var current = await table.GetEntityIfExistsAsync<TableEntity>(old.PartitionKey, old.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (current.HasValue && current.Value is { } row && IsOwn(row, Pending, attempt))
            {
                LogTakeOver(old, stale);
                return new IdempotencyBegin.Started(new IdempotencyLease(old.PartitionKey, old.RowKey, row.ETag, attempt));
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
            var upload = new BlobUploadOptions { Metadata = new Dictionary<string, string> { [WrittenAtMetadata] = clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) } };
            await container.GetBlobClient(name).UploadAsync(new BinaryData(compressed), upload, cancellationToken).ConfigureAwait(false);
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
    /// The blob that holds a large outcome: the SHA-256 of the entry's partition and row key, which keeps any client id
    /// or webhook-id out of the blob path. A retried completion, or the completion of a message taken over, overwrites it.
    /// </summary>
    public static string BodyBlobName(string partitionKey, string rowKey)
        => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(partitionKey + "\n" + rowKey))).ToLowerInvariant();

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
    /// Deletes entries that started before <see cref="RecognisedSince"/> and the outcome blobs written before then, within
    /// the run's time budget (<see cref="IdempotencyPurgeOptions.PurgeBudget"/>). The blobs go first: an entry whose blob
    /// is gone is already outside the window, so a purge that stops half-way leaves entries that count as absent and that
    /// the next run finds, never a blob nobody looks for. Then the entries: one query per partition of the clients known
    /// from configuration (<c>{clientId}|0</c> .. <c>|f</c>), <see cref="IdempotencyPurgeOptions.PurgeParallelism"/>
    /// partitions at once and one <c>$batch</c> at a time within a partition; then, when those all finished, one pass over
    /// the whole table for partitions not known from configuration (removed clients, clients stored at approval, the
    /// day-bucket layout), which passes over the known partitions' rows. Each delete is conditional on the version read,
    /// so an entry or blob taken over by a new message meanwhile stays. No batch, blob delete or further query page starts once
    /// the budget is spent: what is left is expired already, and the next run finds it.
    /// </summary>
    /// <remarks>
    /// Per known partition a query on the partition key and <c>StartedAt</c> (a range of one partition on the service);
    /// the whole-table pass filters on <c>StartedAt</c> alone (not a key: the service scans the table; in Azurite a scan
    /// of every entity). One <c>$batch</c> per 100 expired entries of a partition.
    /// </remarks>
    public async Task<IdempotencyPurgeResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var settings = purgeOptions.Value;
        var start = clock.GetUtcNow();
        var cutoff = RecognisedSince(start);
        var budget = new RunBudget(clock, start + settings.PurgeBudget);
        var blobs = await PurgeBodiesAsync(cutoff, budget, cancellationToken).ConfigureAwait(false);
        var table = await storage.TableAsync(storage.Names.IdempotencyTable, cancellationToken).ConfigureAwait(false);

        var known = KnownPartitions();
        var deleted = 0;
        var finished = 0;
        await Parallel.ForEachAsync(known, new ParallelOptions { MaxDegreeOfParallelism = settings.PurgeParallelism, CancellationToken = cancellationToken }, async (partition, ct) =>
        {
            var (count, done) = await PurgePartitionAsync(table, partition, cutoff, budget, ct).ConfigureAwait(false);
            Interlocked.Add(ref deleted, count);
            if (done)
            {
                Interlocked.Increment(ref finished);
            }
        }).ConfigureAwait(false);

        // The whole-table pass only once every known partition is done: it must not race their batches, and an
        // unfinished known partition would only be read again by it.
        var wholeTable = false;
        if (finished == known.Count)
        {
            var (count, done) = await PurgeUnknownPartitionsAsync(table, known, cutoff, budget, cancellationToken).ConfigureAwait(false);
            deleted += count;
            wholeTable = done;
        }

        var result = new IdempotencyPurgeResult(deleted, blobs.Deleted, blobs.Finished, known.Count, finished, wholeTable);
        if (result.Finished)
        {
            logger.LogInformation("Idempotency purge deleted {Count} entries and {Blobs} outcome blobs from before {Cutoff}: every partition done",
                deleted, blobs.Deleted, cutoff);
        }
        else
        {
            logger.LogWarning(
                "Idempotency purge stopped after its budget of {Budget}: deleted {Count} entries and {Blobs} outcome blobs from before {Cutoff}; blobs done: {BlobsDone}, known partitions done: {Done} of {Known} ({Left} left), whole-table pass done: {WholeTable}. The next run continues",
                settings.PurgeBudget, deleted, blobs.Deleted, cutoff, blobs.Finished, finished, known.Count, result.PartitionsLeft, wholeTable);
        }

        return result;
    }

    /// <summary>The partitions of the clients known from configuration (<c>Hub:Clients</c>): 16 per client, in key order.</summary>
    private List<string> KnownPartitions()
        => [.. clients.Value.Clients.Keys.Order(StringComparer.Ordinal)
            .SelectMany(client => Enumerable.Range(0, 16).Select(b => client + "|" + b.ToString("x", CultureInfo.InvariantCulture)))];

    /// <summary>
    /// Deletes one partition's expired entries, one batch at a time (Azure serves a partition from one server, about
    /// 2,000 entities a second). Returns how many went and whether the partition is done (false: the budget ran out before it
    /// started or finished).
    /// </summary>
    private static async Task<(int Deleted, bool Done)> PurgePartitionAsync(TableClient table, string partition, DateTimeOffset cutoff, RunBudget budget, CancellationToken cancellationToken)
    {
        if (budget.Spent)
        {
            return (0, false);
        }

        return await DeleteExpiredAsync(table, TableClient.CreateQueryFilter($"PartitionKey eq {partition} and StartedAt lt {cutoff}"), NoPartitions, budget, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// One query of the whole table on <c>StartedAt</c> for the partitions not known from configuration: clients removed
    /// from it, seller clients stored at approval (ADM-8), entries of the day-bucket layout. Rows of known partitions are
    /// passed over (their own passes handle them). Deletes sequentially, one batch per 100 entries of a partition.
    /// </summary>
    private static async Task<(int Deleted, bool Done)> PurgeUnknownPartitionsAsync(TableClient table, IReadOnlyCollection<string> known, DateTimeOffset cutoff, RunBudget budget, CancellationToken cancellationToken)
        => await DeleteExpiredAsync(table, TableClient.CreateQueryFilter($"StartedAt lt {cutoff}"), new HashSet<string>(known, StringComparer.Ordinal), budget, cancellationToken).ConfigureAwait(false);

    private static readonly IReadOnlySet<string> NoPartitions = new HashSet<string>();

    /// <summary>
    /// The rows <paramref name="filter"/> finds, except those of <paramref name="skip"/>'s partitions, deleted one batch per 100
    /// entries of a partition, one batch at a time, while <paramref name="budget"/> holds (checked before each batch and between
    /// query pages). Returns how many went and whether all did.
    /// </summary>
    private static async Task<(int Deleted, bool Done)> DeleteExpiredAsync(TableClient table, string filter, IReadOnlySet<string> skip, RunBudget budget, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var batches = new Dictionary<string, List<TableEntity>>(StringComparer.Ordinal);
        await foreach (var page in table.QueryAsync<TableEntity>(filter: filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken)
            .AsPages().ConfigureAwait(false))
        {
            foreach (var e in page.Values.Where(e => !skip.Contains(e.PartitionKey)))
            {
                if (!batches.TryGetValue(e.PartitionKey, out var batch))
                {
                    batches[e.PartitionKey] = batch = [];
                }

                batch.Add(e);
                if (batch.Count == MaxBatch)
                {
                    if (budget.Spent)
                    {
                        return (deleted, false);
                    }

                    deleted += await DeleteAsync(table, batch, cancellationToken).ConfigureAwait(false);
                }
            }

            // A page of this scan can hold no row at all (the service stops a page after 5 s): stop between pages too.
            if (page.ContinuationToken is not null && budget.Spent)
            {
                return (deleted, false);
            }
        }

        foreach (var batch in batches.Values.Where(b => b.Count > 0))
        {
            if (budget.Spent)
            {
                return (deleted, false);
            }

            deleted += await DeleteAsync(table, batch, cancellationToken).ConfigureAwait(false);
        }

        return (deleted, true);
    }

    /// <summary>The end of a purge run's time budget, on the app's clock.</summary>
    private sealed class RunBudget(TimeProvider clock, DateTimeOffset end)
    {
        public bool Spent => clock.GetUtcNow() >= end;
    }

    /// <summary>
    /// Deletes the outcome blobs written before <paramref name="cutoff"/>, by the time in their metadata (a blob of the
    /// day-bucket layout, <c>{yyyyMMdd}/...</c>, by the last instant of its day), until the budget is spent. Lists the whole
    /// container: one listing call per 5,000 blobs, which are the large outcomes of the last days only. Blobs whose entry
    /// never completed (the outcome's table write failed after the upload) go too.
    /// </summary>
    private async Task<(int Deleted, bool Finished)> PurgeBodiesAsync(DateTimeOffset cutoff, RunBudget budget, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.IdempotencyBodiesContainer, cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata }, cancellationToken).AsPages().ConfigureAwait(false))
        {
            foreach (var blob in page.Values.Where(b => WrittenAt(b) < cutoff))
            {
                if (budget.Spent)
                {
                    return (deleted, false);
                }

                try
                {
                    var conditions = new BlobRequestConditions { IfMatch = blob.Properties.ETag };
                    if ((await container.DeleteBlobIfExistsAsync(blob.Name, DeleteSnapshotsOption.None, conditions, cancellationToken).ConfigureAwait(false)).Value)
                    {
                        deleted++;
                    }
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    // Overwritten since the listing by the outcome of a message that took its entry over: it stays.
                }
            }

            if (page.ContinuationToken is not null && budget.Spent)
            {
                return (deleted, false);
            }
        }

        return (deleted, true);
    }
    private static DateTimeOffset WrittenAt(BlobItem blob)
    {
        if (blob.Metadata is { } metadata && metadata.TryGetValue(WrittenAtMetadata, out var written)
            && DateTimeOffset.TryParse(written, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at))
        {
            return at;
        }

        if (blob.Name.Length > 8 && blob.Name[8] == '/'
            && DateTime.TryParseExact(blob.Name[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var day))
        {
            return new DateTimeOffset(day, TimeSpan.Zero).AddDays(1).AddTicks(-1);
        }

        return blob.Properties.LastModified ?? DateTimeOffset.MaxValue;
    }

    /// <summary>
    /// Deletes <paramref name="batch"/> (one partition) in one transaction, each entry under the version the query read.
    /// When one of them changed or went since (taken over, abandoned), the transaction fails as a whole and the rest are
    /// deleted one by one.
    /// </summary>
    private static async Task<int> DeleteAsync(TableClient table, List<TableEntity> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return 0;
        }

        var count = 0;
        try
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, VersionOf(e))), cancellationToken).ConfigureAwait(false);
            count = batch.Count;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            foreach (var entity in batch)
            {
                try
                {
                    await table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, VersionOf(entity), cancellationToken).ConfigureAwait(false);
                    count++;
                }
                catch (RequestFailedException one) when (one.Status is 404 or 412)
                {
                    // Changed or gone since the query: not an expired entry any more, or nothing to delete.
                }
            }
        }

        batch.Clear();
        return count;
    }

    private static ETag VersionOf(TableEntity entity) => entity.ETag == default ? ETag.All : entity.ETag;

    /// <summary>A random token per attempt; ids from <c>IIdSource</c> would repeat for a retried message, which is exactly what must be told apart.</summary>
    private static string NewAttempt() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static bool IsOwn(TableEntity entity, string state, string attempt)
        => entity.GetString("State") == state && string.Equals(entity.GetString(AttemptProperty), attempt, StringComparison.Ordinal);

    private async Task<IdempotencyBegin?> EvaluateAsync(TableEntity entity, string fingerprint, DateTimeOffset now,
        Func<CancellationToken, Task<StoredResponse?>>? derive, CancellationToken cancellationToken)
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

        if (derive is not null && await derive(cancellationToken).ConfigureAwait(false) is { } derived)
        {
            return new IdempotencyBegin.Replay(derived);
        }

        var startedAt = entity.GetDateTimeOffset(StartedAtProperty) ?? now;
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
