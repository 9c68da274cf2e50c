using Azure;
using Azure.Data.Tables;

namespace HubFunctions.Infrastructure.Storage;

/// <summary>
/// Entity group transactions shared by callers writing into the same partition at the same time
/// (group commit). A caller hands its actions (one partition); while no transaction of that table and
/// partition is running they go at once, alone (a quiet process writes as before); while one is
/// running they wait, and the next transaction takes every submission waiting then, in arrival order,
/// as long as they fit <see cref="MaxActions"/> actions and <see cref="MaxBatchBytes"/>; a submission is
/// never split. A submission that writes a row which a waiting or running transaction writes too (Azure
/// refuses a row twice in one batch; and writers of one row, such as a counter under its ETag, must race,
/// not queue, or every loser would fail in turn behind the winner) is not queued: it goes alone at once. One transaction per
/// table and partition runs at a time, never on a caller's token (one caller giving up must not fail the
/// others; a caller that stops waiting may still have its actions written): the caller that finds the
/// partition quiet writes its own transaction itself, and a thread-pool task writes what waits behind it.
/// <para>
/// A combined transaction is atomic, so when the service refuses it (<see cref="TableTransactionFailedException"/>:
/// nothing was written) each of its submissions is sent again alone, and only the one whose action was
/// refused gets the refusal, exactly as if it had been alone. Any other failure (no answer, storage
/// unreachable) fails every submission of that transaction with it, as each would have failed alone.
/// </para>
/// </summary>
public sealed class TableGroupCommit
{
    /// <summary>An entity group transaction holds at most 100 actions.</summary>
    public const int MaxActions = 100;

    /// <summary>The payload of one transaction: Azure takes at most 4 MiB per batch request.</summary>
    public const int MaxBatchBytes = 2_000_000;

    private readonly object _gate = new();
    private readonly Dictionary<(string Table, string Partition), Lane> _lanes = [];

    /// <summary>How many submissions wait for a transaction now.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _lanes.Values.Sum(lane => lane.Waiting.Count);
            }
        }
    }

    /// <summary>
    /// Submits <paramref name="actions"/> (at most <see cref="MaxActions"/>, all in one partition of <paramref name="table"/>),
    /// possibly in one transaction with other callers' actions; the answers to this caller's actions, in order. A caller that
    /// finds no transaction of the partition running writes its own at once, on its own flow (no thread hop when quiet).
    /// </summary>
    /// <exception cref="TableTransactionFailedException">The service refused this caller's actions (nothing of them was written).</exception>
    public async Task<IReadOnlyList<Response>> SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            return [];
        }

        var partition = actions[0].Entity.PartitionKey;
        if (actions.Count > MaxActions || actions.Any(a => a.Entity.PartitionKey != partition))
        {
            throw new ArgumentException($"One submission holds at most {MaxActions} actions, all in one partition.", nameof(actions));
        }

        var submission = new Submission(actions, EstimateBytes(actions));
        var key = (table.Name, partition);
        bool start, alone = false;
        lock (_gate)
        {
            if (!_lanes.TryGetValue(key, out var lane))
            {
                _lanes[key] = lane = new Lane();
            }

            if (submission.Actions.Any(a => lane.Rows.Contains(a.Entity.RowKey)))
            {
                // A row that a waiting or running transaction writes too: the writers of one row race (ETags decide), they
                // are not queued behind each other, so this one goes alone now, as without group commit.
                alone = true;
                start = false;
            }
            else
            {
                lane.Waiting.Add(submission);
                lane.Rows.UnionWith(submission.Actions.Select(a => a.Entity.RowKey));
                start = !lane.Writing;
                lane.Writing = true;
            }
        }

        if (alone)
        {
            return await SendAsync(table, actions, cancellationToken).ConfigureAwait(false);
        }

        if (start)
        {
            await WriteAsync(table, key, submission).ConfigureAwait(false);
        }

        return await submission.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// About the bytes <paramref name="actions"/> take in a batch request (UTF-8 at worst 3 bytes a character, binary in
    /// base64, a fixed allowance per entity and per other property): enough to keep a combined transaction under Azure's 4 MiB.
    /// </summary>
    private static int EstimateBytes(IReadOnlyList<TableTransactionAction> actions)
    {
        long bytes = 0;
        foreach (var action in actions)
        {
            bytes += 300 + (3 * (action.Entity.PartitionKey.Length + action.Entity.RowKey.Length));
            if (action.Entity is TableEntity entity)
            {
                foreach (var (name, value) in entity)
                {
                    bytes += name.Length + value switch
                    {
                        string text => 3L * text.Length,
                        byte[] binary => (4L * binary.Length / 3) + 4,
                        BinaryData data => (4L * data.ToMemory().Length / 3) + 4,
                        _ => 40,
                    };
                }
            }
        }

        return (int)Math.Min(bytes, int.MaxValue);
    }

    /// <summary>
    /// The submissions that go in the next transaction, in arrival order: the first, then each later one whose actions fit.
    /// No two of them write the same row: a submission that would is never queued (<see cref="SubmitAsync"/>). Removes them
    /// from <paramref name="waiting"/>.
    /// </summary>
    private static List<Submission> TakeBatch(List<Submission> waiting)
    {
        var batch = new List<Submission>();
        int actions = 0, bytes = 0;
        for (var i = 0; i < waiting.Count; i++)
        {
            var s = waiting[i];
            if (batch.Count > 0 && (actions + s.Actions.Count > MaxActions || bytes + s.Bytes > MaxBatchBytes))
            {
                continue;
            }

            batch.Add(s);
            actions += s.Actions.Count;
            bytes += s.Bytes;
            waiting.RemoveAt(i--);
        }

        return batch;
    }

    /// <summary>
    /// Writes the lane's waiting submissions, one transaction after the other. Run by the caller that started the lane
    /// (<paramref name="own"/>) until its own submission is answered, then, if others wait, by a thread-pool task
    /// (<paramref name="own"/> null) until none waits.
    /// </summary>
    private async Task WriteAsync(TableClient table, (string Table, string Partition) key, Submission? own)
    {
        while (true)
        {
            List<Submission> batch;
            lock (_gate)
            {
                var lane = _lanes[key];
                if (lane.Waiting.Count == 0)
                {
                    _lanes.Remove(key);
                    return;
                }

                if (own is not null && own.Done.Task.IsCompleted)
                {
                    // The caller's own write is answered: the submissions that came meanwhile go on a thread-pool task.
                    _ = Task.Run(() => WriteAsync(table, key, null), CancellationToken.None);
                    return;
                }

                batch = TakeBatch(lane.Waiting);
            }

            await WriteBatchAsync(table, batch).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var written in batch)
                {
                    _lanes[key].Rows.ExceptWith(written.Actions.Select(a => a.Entity.RowKey));
                }
            }
        }
    }

    private static async Task WriteBatchAsync(TableClient table, List<Submission> batch)
    {
        try
        {
            var answers = await SendAsync(table, [.. batch.SelectMany(s => s.Actions)], CancellationToken.None).ConfigureAwait(false);
            var offset = 0;
            foreach (var s in batch)
            {
                s.Done.TrySetResult([.. answers.Skip(offset).Take(s.Actions.Count)]);
                offset += s.Actions.Count;
            }
        }
        catch (TableTransactionFailedException) when (batch.Count > 1)
        {
            // Refused as a whole, nothing written: each submission again alone, so the refusal is only its owner's.
            await Task.WhenAll(batch.Select(s => WriteAloneAsync(table, s))).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            foreach (var s in batch)
            {
                s.Done.TrySetException(e);
            }
        }
    }

    private static async Task WriteAloneAsync(TableClient table, Submission submission)
    {
        try
        {
            submission.Done.TrySetResult(await SendAsync(table, submission.Actions, CancellationToken.None).ConfigureAwait(false));
        }
        catch (Exception e)
        {
            submission.Done.TrySetException(e);
        }
    }

    /// <summary>
    /// One entity group transaction of <paramref name="actions"/>; when it is a single insert, upsert, or update under an ETag of a
    /// <see cref="TableEntity"/>, the plain entity operation it stands for instead (issue 11 (d), session s11): the same condition
    /// and effect (one entity is atomic either way), the same answer (status, ETag), without the multipart request and response,
    /// which in Azurite cost about half as much again as the operation (insert 0.56 ms, one-insert <c>$batch</c> 0.82 ms, measured
    /// on this machine). A refusal (4xx) is thrown as the <see cref="TableTransactionFailedException"/> a transaction would give
    /// (status and error code; no failed index: there is one action). A delete stays a transaction: a batch refuses a missing
    /// row, a plain delete does not. Most commits of the orders are single inserts into a partition of their own (an order row,
    /// an index row, an instruction's outcome).
    /// </summary>
    private static async Task<IReadOnlyList<Response>> SendAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        if (actions is [{ Entity: TableEntity entity } only] && Plain(table, only, entity, cancellationToken) is { } plain)
        {
            try
            {
                return [await plain.ConfigureAwait(false)];
            }
            catch (RequestFailedException e) when (e.Status is >= 400 and < 500 && e is not TableTransactionFailedException)
            {
                throw new TableTransactionFailedException(e);
            }
        }

        return [.. (await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false)).Value];
    }

    private static Task<Response>? Plain(TableClient table, TableTransactionAction action, TableEntity entity, CancellationToken cancellationToken) => action.ActionType switch
    {
        TableTransactionActionType.Add => table.AddEntityAsync(entity, cancellationToken),
        TableTransactionActionType.UpsertMerge => table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken),
        TableTransactionActionType.UpsertReplace => table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken),
        TableTransactionActionType.UpdateMerge when action.ETag != default => table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Merge, cancellationToken),
        TableTransactionActionType.UpdateReplace when action.ETag != default => table.UpdateEntityAsync(entity, action.ETag, TableUpdateMode.Replace, cancellationToken),
        _ => null,
    };

    /// <summary>The submissions of one table and partition waiting for a transaction, and whether its writer runs.</summary>
    private sealed class Lane
    {
        public List<Submission> Waiting { get; } = [];

        /// <summary>The row keys of the waiting submissions and of the transaction running.</summary>
        public HashSet<string> Rows { get; } = new(StringComparer.Ordinal);

        public bool Writing { get; set; }
    }

    /// <summary>One caller's actions, waiting for their transaction.</summary>
    private sealed class Submission(IReadOnlyList<TableTransactionAction> actions, int bytes)
    {
        public IReadOnlyList<TableTransactionAction> Actions { get; } = actions;

        public int Bytes { get; } = bytes;

        public TaskCompletionSource<IReadOnlyList<Response>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
