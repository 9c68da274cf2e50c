using Azure;
using Azure.Data.Tables;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// Writes the outbox intents of many commits in one entity group transaction (group commit). Every
/// <see cref="TableOutbox.CommitAsync"/> with events upserts its intents before its own transaction;
/// intents are keyed by UTC minute (<see cref="TableOutbox.IntentPartitionFor"/>), so the commits of a
/// busy minute all write into one partition of the intents table. A commit hands its rows here; while
/// no write is running they go at once, alone; while one is running, they wait and go with every row
/// queued meanwhile in the next transaction (up to <see cref="TableOutbox.MaxTransactionEntities"/>
/// rows and <see cref="MaxBatchBytes"/> of events, one partition, no row twice). So a quiet process
/// writes as before and a busy one writes one transaction per round trip instead of one per commit.
/// <para>
/// The rows are upserts of distinct event ids: a transaction fails only as a whole, for reasons that
/// are not any one commit's (storage unreachable, throttled), so every commit in it fails as it would
/// have alone (nothing of it is committed; its intents, if they landed, are orphans that the relay's
/// sweeper drops after <see cref="OutboxRelay.OrphanAge"/>). A commit whose caller gives up waiting
/// (cancellation) may still have its intents written: the same orphans.
/// </para>
/// </summary>
public sealed class OutboxIntentWriter(HubStorage storage)
{
    /// <summary>The events' bytes in one transaction: Azure takes at most 4 MiB per batch request (100 intents of the largest event are 3 MB).</summary>
    public const int MaxBatchBytes = 2_000_000;

    private readonly object _gate = new();
    private readonly List<Pending> _waiting = [];
    private bool _writing;

    /// <summary>How many commits wait for a write of their intents now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>
    /// Upserts <paramref name="rows"/> (intents of one commit, one partition) and sets each row's
    /// <see cref="TableEntity.ETag"/> to the one the write gave it.
    /// </summary>
    public async Task WriteAsync(IReadOnlyList<TableEntity> rows, int bytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        var pending = new Pending(rows, bytes);
        bool start;
        lock (_gate)
        {
            _waiting.Add(pending);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            // The first commit to find no write running writes until nothing waits; the others only wait for their rows.
            _ = Task.Run(WriteWaitingAsync, CancellationToken.None);
        }

        var etags = await pending.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].ETag = etags[i];
        }
    }

    /// <summary>
    /// The commits that go in the next transaction, in arrival order: the first, then each later one in the same partition
    /// whose rows fit (<see cref="TableOutbox.MaxTransactionEntities"/>, <see cref="MaxBatchBytes"/>) and repeat no row key
    /// already taken. A commit is never split. Removes them from <paramref name="waiting"/>.
    /// </summary>
    internal static List<Pending> TakeBatch(List<Pending> waiting)
    {
        var batch = new List<Pending>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        int rows = 0, bytes = 0;
        for (var i = 0; i < waiting.Count; i++)
        {
            var p = waiting[i];
            var fits = batch.Count == 0
                || (p.Rows[0].PartitionKey == batch[0].Rows[0].PartitionKey
                    && rows + p.Rows.Count <= TableOutbox.MaxTransactionEntities
                    && bytes + p.Bytes <= MaxBatchBytes
                    && !p.Rows.Any(r => keys.Contains(r.RowKey)));
            if (!fits)
            {
                continue;
            }

            batch.Add(p);
            rows += p.Rows.Count;
            bytes += p.Bytes;
            keys.UnionWith(p.Rows.Select(r => r.RowKey));
            waiting.RemoveAt(i--);
        }

        return batch;
    }

    private async Task WriteWaitingAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = TakeBatch(_waiting);
            }

            try
            {
                var table = await storage.TableAsync(storage.Names.OutboxIntentsTable, CancellationToken.None).ConfigureAwait(false);
                var written = await table.SubmitTransactionAsync(
                    batch.SelectMany(p => p.Rows).Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)), CancellationToken.None).ConfigureAwait(false);
                var offset = 0;
                foreach (var p in batch)
                {
                    p.Done.TrySetResult([.. written.Value.Skip(offset).Take(p.Rows.Count).Select(r => r.Headers.ETag ?? default)]);
                    offset += p.Rows.Count;
                }
            }
            catch (Exception e)
            {
                foreach (var p in batch)
                {
                    p.Done.TrySetException(e);
                }
            }
        }
    }

    /// <summary>One commit's intents, waiting for their write.</summary>
    internal sealed class Pending(IReadOnlyList<TableEntity> rows, int bytes)
    {
        public IReadOnlyList<TableEntity> Rows { get; } = rows;

        public int Bytes { get; } = bytes;

        public TaskCompletionSource<IReadOnlyList<ETag>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
