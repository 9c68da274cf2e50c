using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Infrastructure.Events;

/// <summary>Where an outbox row is: the state table and partition, and the event id.</summary>
public sealed record OutboxPointer(string Table, string PartitionKey, string EventId, string IntentPartition)
{
    public string RowKey => TableOutbox.RowPrefix + EventId;
}

/// <summary>How a commit ended, when it did not throw.</summary>
public enum CommitOutcome
{
    /// <summary>This call's transaction stored the change.</summary>
    Committed,

    /// <summary>
    /// The change was already stored by an earlier attempt of the same commit: a retry whose first
    /// try landed although its response was lost, or a retry of the same operation (the same signed
    /// message, the same queue message) after an attempt whose outcome could not be known. The data
    /// is as that attempt wrote it; read it back if the answer depends on it.
    /// </summary>
    AlreadyCommitted,
}

/// <summary>
/// How a commit ended (<see cref="CommitOutcome"/>) and, when this call's transaction stored it, the new ETag of each
/// change, by its index in the changes: what a caller needs to write the same rows again later without reading them first.
/// Empty when the commit was <see cref="CommitOutcome.AlreadyCommitted"/> (an earlier attempt stored it: its ETags are not
/// known, and the rows may have changed since); an entry is null for a delete or when the response carried no ETag.
/// </summary>
public sealed record CommitResult(CommitOutcome Outcome, IReadOnlyList<ETag?> ETags);

/// <summary>
/// The one write path for state changes (ARCHITECTURE.md, "State"): a conditional entity group
/// transaction in one partition, with one outbox row per event in the same transaction, so one never
/// exists without the other. Before that transaction an intent row goes into the intents table,
/// keyed by UTC minute and carrying the event: the relay finds pending events by a query on that small
/// table, never by scanning state tables (the intents of commits made at the same time share one
/// transaction: <see cref="TableGroupCommit"/>). After the commit the intents are handed to this process's
/// relay in memory (<see cref="OutboxHandOff"/>; marked committed in the table only when the hand-off
/// is full) and the relay is woken (<see cref="OutboxWakeUp"/>: one queue message for many commits),
/// so the event is relayed at once, in a batch with others (<see cref="OutboxRelay"/>).
/// <para>
/// It also owns the question "did my commit land?". A storage call can fail after it took effect:
/// the response is lost, the SDK sends the batch again, and the second try meets the rows of the
/// first (409 <c>EntityAlreadyExists</c>, or 412 on an ETag the first try changed). Every entity the
/// commit writes carries a commit stamp derived from the current <see cref="HubOperation"/> (or random
/// outside one); when the transaction fails, or every try fails without an answer, the entities are
/// read back, and if any carries this commit's stamp the change is stored: the call returns
/// <see cref="CommitOutcome.AlreadyCommitted"/> instead of failing. A genuine conflict becomes a
/// <see cref="ConcurrencyConflictException"/>. Because ids and stamps derive from the operation, a
/// sender's retry of a message whose first attempt ended in doubt finds that attempt's change.
/// </para>
/// </summary>
public sealed class TableOutbox(HubStorage storage, IIdSource ids, TimeProvider clock, OutboxWakeUp wakeUp, OutboxHandOff handOff, TableGroupCommit groupCommit, ILogger<TableOutbox> logger)
{
    public const string RowPrefix = "outbox|";

    /// <summary>The property that carries the commit stamp on every entity a commit writes.</summary>
    public const string CommitProperty = "HubCommit";

    /// <summary>
    /// On an intent: its commit is known to be stored. Set by the relay's claim of an intent handed
    /// off in process (<see cref="OutboxHandOff"/>), or by the committer right after the commit when
    /// the hand-off is full.
    /// </summary>
    public const string CommittedProperty = "Committed";

    /// <summary>
    /// On an intent of a witnessed commit (<see cref="CommitWithETagsAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, TableTransactionAction?, CancellationToken)"/>):
    /// the row key of the witness row in the intent's state partition, which stands in for the event's outbox row.
    /// </summary>
    public const string WitnessProperty = "Witness";

    /// <summary>On an intent of a witnessed commit: the commit's stamp; the commit is stored iff the witness row carries it.</summary>
    public const string WitnessStampProperty = "WitnessStamp";

    /// <summary>
    /// On a witness row: the commit's events, a JSON object from event id to the event's CloudEvents JSON. A stamp proves only
    /// that <i>a</i> commit of the operation landed; a retry of the same operation stamps the same but may build other events
    /// (an intake retried after its deadline adds a conversion) or the same event with other content (an instruction's time).
    /// The relay's slow path therefore publishes an event only when the witness lists its id, and publishes the listed JSON,
    /// never the intent's.
    /// </summary>
    public const string WitnessEventsProperty = "HubEvents";

    /// <summary>At most this many characters of events on a witness row (a string property holds 32K); a commit whose events are larger gets outbox rows.</summary>
    public const int MaxWitnessEventsChars = 30_000;

    /// <summary>An entity group transaction holds at most 100 entities.</summary>
    public const int MaxTransactionEntities = 100;

    /// <summary>Table string properties hold 64 KiB (32K UTF-16 characters); events stay well under.</summary>
    public const int MaxEventBytes = 30_000;

    internal static readonly JsonSerializerOptions PointerJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Commits <paramref name="changes"/> (all in <paramref name="partitionKey"/> of
    /// <paramref name="table"/>) together with one outbox row per event, atomically.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">The data changed since it was read (an ETag
    /// mismatch, a row that exists or is gone); nothing was written and no event will be published.</exception>
    /// <exception cref="TableTransactionFailedException">The transaction was refused for another reason (a bug: e.g. an invalid property).</exception>
    public async Task<CommitOutcome> CommitAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        => (await CommitWithETagsAsync(table, partitionKey, changes, events, null, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>
    /// <see cref="CommitAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, CancellationToken)"/>
    /// with <paramref name="witness"/>: one of <paramref name="changes"/> (the same action object), an <c>Add</c>, that stands
    /// in for the events' outbox rows (none are written). See
    /// <see cref="CommitWithETagsAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, TableTransactionAction?, CancellationToken)"/>.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="witness"/> is not an <c>Add</c> of <paramref name="changes"/>.</exception>
    /// <exception cref="ConcurrencyConflictException">As without a witness.</exception>
    public async Task<CommitOutcome> CommitAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, TableTransactionAction? witness, CancellationToken cancellationToken)
        => (await CommitWithETagsAsync(table, partitionKey, changes, events, witness, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>
    /// <see cref="CommitAsync"/>, the same commit, which also gives back the new ETags of the rows it wrote
    /// (<see cref="CommitResult"/>), read from the <c>$batch</c> response's sub-responses: no extra call.
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">As <see cref="CommitAsync"/>.</exception>
    public Task<CommitResult> CommitWithETagsAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        => CommitWithETagsAsync(table, partitionKey, changes, events, null, cancellationToken);

    /// <summary>
    /// <see cref="CommitWithETagsAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, CancellationToken)"/>,
    /// optionally with a <b>witness</b>: one of <paramref name="changes"/> (the same action object), an <c>Add</c>, whose row
    /// proves the commit stored instead of one outbox row per event. The row carries the commit stamp
    /// (<see cref="CommitProperty"/>) like every row a commit writes; each intent records the witness's row key
    /// (<see cref="WitnessProperty"/>) and the stamp (<see cref="WitnessStampProperty"/>), and the relay's slow path reads the
    /// witness where it would read the outbox row: the event is committed iff the row exists with that stamp. The batch gets no
    /// outbox rows, so the relay deletes none. The caller promises the row is never updated or deleted while its events may be
    /// pending (an insert-only row: an order, an order's outcome); a row changed meanwhile (another stamp) or gone makes the
    /// event count as never committed, and it is dropped after <see cref="OutboxRelay.OrphanAge"/>. Null: outbox rows, as always.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="witness"/> is not an <c>Add</c> of <paramref name="changes"/>.</exception>
    /// <exception cref="ConcurrencyConflictException">As without a witness.</exception>
    public Task<CommitResult> CommitWithETagsAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, TableTransactionAction? witness, CancellationToken cancellationToken)
        => CommitCoreAsync(table, partitionKey, changes, events, witness, lookAtFirstRowOnly: false, cancellationToken);

    /// <summary>
    /// <see cref="CommitWithETagsAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, CancellationToken)"/>
    /// without events, for a caller whose rows tell it on their own whether an earlier try of its operation was stored: a refused
    /// commit (404, 409, 412) looks for its stamp on the <b>first</b> of <paramref name="changes"/> only (one point read; a delete:
    /// none), not on every row (one read per row). A commit that got no answer still looks at every row (rare; a stored commit
    /// missed there would fail the caller's request, not just send it to its markers). For a counter row written first under its ETag beside insert-only markers
    /// (<see cref="Orders.TableSellerMetricsStore"/>): a try the SDK sent again after it was stored meets the counter row it
    /// changed and finds the stamp there; a commit stored and then overwritten by another writer is not recognised, and the
    /// caller's markers show it (its next attempt meets them). Looking at every row made the reads of a counter row that many
    /// writers race for most of the counting's reads (issue 11 (d), session s11).
    /// </summary>
    /// <exception cref="ConcurrencyConflictException">As <see cref="CommitAsync(TableClient, string, IReadOnlyList{TableTransactionAction}, IReadOnlyList{HubEvent}, CancellationToken)"/>.</exception>
    public Task<CommitResult> CommitLookingAtFirstRowAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes, CancellationToken cancellationToken)
        => CommitCoreAsync(table, partitionKey, changes, [], null, lookAtFirstRowOnly: true, cancellationToken);

    private async Task<CommitResult> CommitCoreAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, TableTransactionAction? witness, bool lookAtFirstRowOnly, CancellationToken cancellationToken)
    {
        if (changes.Any(c => c.Entity.PartitionKey != partitionKey))
        {
            // Azurite accepts cross-partition batches; Azure does not. Guard it here.
            throw new ArgumentException("Every change of one outbox commit must be in the same partition.", nameof(changes));
        }

        if (witness is not null && (witness.ActionType != TableTransactionActionType.Add || !changes.Any(c => ReferenceEquals(c, witness))))
        {
            // Only an insert proves by its stamp that this commit stored it; an update or upsert may carry an older commit's.
            throw new ArgumentException("The witness of an outbox commit must be one of its changes, an Add.", nameof(witness));
        }

        if (changes.Count + (witness is null ? events.Count : 0) > MaxTransactionEntities)
        {
            throw new ArgumentException($"An outbox commit holds at most {MaxTransactionEntities} entities, changes and events together.");
        }

        if (changes.Count + events.Count == 0)
        {
            return new(CommitOutcome.Committed, []);
        }

        var stamp = CommitStamp(table.Name, partitionKey);
        var now = clock.GetUtcNow();
        var intentPartition = IntentPartitionFor(now);
        // Each event is encoded once: the same JSON goes into its intent and its outbox row (or onto the witness row).
        var encoded = events.Select(Json).ToList();
        var witnessEvents = witness is null ? null : JsonSerializer.Serialize(events.Select((e, i) => (e.Id, encoded[i])).ToDictionary(p => p.Id, p => p.Item2, StringComparer.Ordinal));
        if (witnessEvents is { Length: > MaxWitnessEventsChars })
        {
            // Too large to ride on the row: outbox rows, as without a witness.
            witness = null;
            witnessEvents = null;
        }

        var batch = witness is null
            ? changes.Select(c => Stamped(c, stamp)).Concat(events.Select((e, i) => new TableTransactionAction(TableTransactionActionType.Add, OutboxRow(partitionKey, e, encoded[i], now, stamp)))).ToList()
            : changes.Select(c => Stamped(c, stamp, ReferenceEquals(c, witness) ? witnessEvents : null)).ToList();

        var intentRows = new List<TableEntity>(events.Count);
        if (events.Count > 0)
        {
            // Upserts: the intents of one event are the same row however often they are written, so
            // a retried write cannot conflict with itself.
            // The intent carries the event itself, so the relay publishes without reading the row.
            intentRows.AddRange(events.Select((e, i) => new TableEntity(intentPartition, e.Id)
            {
                ["Table"] = table.Name,
                ["StatePartition"] = partitionKey,
                ["CreatedAt"] = now,
                ["Event"] = encoded[i],
            }));
            if (witness is not null)
            {
                foreach (var row in intentRows)
                {
                    row[WitnessProperty] = witness.Entity.RowKey;
                    row[WitnessStampProperty] = stamp;
                }
            }

            // Written with the intents of other commits waiting meanwhile, in one transaction (TableGroupCommit: they share the
            // minute's partition). Each row gets its ETag: the relay claims a handed-off intent under it, and if it changed
            // meanwhile (the sweeper claimed it), the claim fails and the relay leaves it.
            var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
            var written = await groupCommit.SubmitAsync(intents, [.. intentRows.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row))], cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < intentRows.Count; i++)
            {
                intentRows[i].ETag = written[i].Headers.ETag ?? default;
            }
        }

        // If the commit fails, the intents stay: the sweeper relays an event whose row exists and
        // drops the intent after OutboxRelay.OrphanAge if it never appears.
        var (outcome, etags) = await SubmitAsync(table, partitionKey, batch, stamp, lookAtFirstRowOnly, cancellationToken).ConfigureAwait(false);
        if (events.Count > 0 && outcome == CommitOutcome.Committed)
        {
            await HandOffAsync(table.Name, partitionKey, intentRows, cancellationToken).ConfigureAwait(false);
        }
        else if (events.Count > 0)
        {
            // Only a commit this call stored is marked: an AlreadyCommitted one may have been relayed
            // already (its intent deleted). Its events go the slow way, which checks the outbox row (or the witness row, which
            // stays after relaying: such an event is published again, with the same id; Events/DECISIONS.md).
            await QueueRelayAsync(table.Name, partitionKey, events, intentPartition, cancellationToken).ConfigureAwait(false);
        }

        return new(outcome, outcome == CommitOutcome.Committed ? etags.Take(changes.Count).ToList() : []);
    }

    public static string IntentPartitionFor(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>The batch, and the ETag of each of its rows when this call stored it (from the sub-responses, in batch order).</summary>
    private async Task<(CommitOutcome Outcome, IReadOnlyList<ETag?> ETags)> SubmitAsync(TableClient table, string partitionKey, List<TableTransactionAction> batch, string stamp,
        bool lookAtFirstRowOnly, CancellationToken cancellationToken)
    {
        try
        {
            // With the transactions of other commits into this partition waiting meanwhile, if any (TableGroupCommit): each
            // commit's conditions, answers and failures stay its own.
            var responses = await groupCommit.SubmitAsync(table, batch, cancellationToken).ConfigureAwait(false);
            return (CommitOutcome.Committed, [.. batch.Select((a, i) => a.ActionType != TableTransactionActionType.Delete && i < responses.Count ? responses[i].Headers.ETag : null)]);
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
        {
            if (await LandedAsync(table, partitionKey, lookAtFirstRowOnly ? batch.Take(1) : batch, stamp, cancellationToken).ConfigureAwait(false))
            {
                logger.LogInformation("Commit {Stamp} in {Table}/{Partition} was already stored ({Status}); treated as done", stamp, table.Name, partitionKey, e.Status);
                return (CommitOutcome.AlreadyCommitted, []);
            }

            throw new ConcurrencyConflictException($"The data in {table.Name}/{partitionKey} changed meanwhile ({e.Status} {e.ErrorCode}).", e);
        }
        catch (Exception e) when (e is not TableTransactionFailedException && !cancellationToken.IsCancellationRequested)
        {
            // Every try failed without an answer (timeouts, lost connections): the change may or
            // may not be stored. Look once; if that cannot tell either, the caller fails and the
            // sender's retry of the same message finds the stored change by its derived keys.
            bool landed;
            try
            {
                landed = await LandedAsync(table, partitionKey, batch, stamp, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception check) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(check, "Could not tell whether commit {Stamp} in {Table}/{Partition} was stored", stamp, table.Name, partitionKey);
                throw e is AggregateException { InnerExceptions.Count: 1 } single ? single.InnerExceptions[0] : e;
            }

            if (!landed)
            {
                throw;
            }

            logger.LogWarning(e, "Commit {Stamp} in {Table}/{Partition} failed without an answer but is stored; treated as done", stamp, table.Name, partitionKey);
            return (CommitOutcome.AlreadyCommitted, []);
        }
    }

    /// <summary>True when an entity this batch writes carries the stamp: the batch is atomic, so it was stored whole.</summary>
    private static async Task<bool> LandedAsync(TableClient table, string partitionKey, IEnumerable<TableTransactionAction> batch, string stamp, CancellationToken cancellationToken)
    {
        foreach (var action in batch.Where(a => a.ActionType != TableTransactionActionType.Delete))
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, action.Entity.RowKey, [CommitProperty], cancellationToken).ConfigureAwait(false);
            if (stored.HasValue && stored.Value!.GetString(CommitProperty) == stamp)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Hands the committed intents to this process's relay (<see cref="OutboxHandOff"/>: no write; its next pass claims and
    /// marks them in one batch), or, when they do not fit or their upsert gave no ETags, marks them committed in the table
    /// (one merge batch; a missing intent is not recreated); then wakes the relay (<see cref="OutboxWakeUp"/>: one message
    /// on the relay queue for many commits). If the mark or the wake-up fails, the intents go the sweeper's way (unmarked:
    /// it checks the outbox rows first) or to this process's next pass.
    /// </summary>
    private async Task HandOffAsync(string tableName, string partitionKey, List<TableEntity> intentRows, CancellationToken cancellationToken)
    {
        var handedOff = intentRows.TrueForAll(row => row.ETag != default) && handOff.TryHandOff(intentRows);
        try
        {
            if (!handedOff)
            {
                var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
                await intents.SubmitTransactionAsync(intentRows.Select(row => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                    new TableEntity(row.PartitionKey, row.RowKey) { [CommittedProperty] = true }, ETag.All)), cancellationToken).ConfigureAwait(false);
            }

            await wakeUp.RequestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
        {
            // The state and its events are committed; the relay's next pass or the sweeper relays them.
            logger.LogWarning(e, "Could not {Step} for {Count} outbox intents of {Table}/{Partition}; the next relay pass or the sweeper will relay them",
                handedOff ? "wake the relay" : "mark committed and wake the relay", intentRows.Count, tableName, partitionKey);
        }
    }

    /// <summary>One pointer per event: the relay reads the intent and, as it is unmarked, checks the outbox row first.</summary>
    private async Task QueueRelayAsync(string tableName, string partitionKey, IReadOnlyList<HubEvent> events, string intentPartition, CancellationToken cancellationToken)
    {
        try
        {
            var queue = await storage.QueueAsync(storage.Names.OutboxRelayQueue, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                var pointer = new OutboxPointer(tableName, partitionKey, e.Id, intentPartition);
                await queue.SendMessageAsync(JsonSerializer.Serialize(pointer, PointerJson), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
        {
            // The state and its events are committed; the sweeper relays them within a minute.
            logger.LogWarning(e, "Could not queue outbox relay for {Count} events in {Table}/{Partition}; the sweeper will relay them", events.Count, tableName, partitionKey);
        }
    }

    /// <summary>
    /// Unique to this commit: derived from the operation (so a retry of the same message stamps
    /// the same), the table, the partition and the number of commits the operation made there.
    /// </summary>
    private string CommitStamp(string tableName, string partitionKey)
    {
        if (HubOperation.Current is not { } operation)
        {
            return ids.NewGuid().ToString("N");
        }

        return StampOf(operation.Key, tableName, partitionKey, operation.Draw(CommitPurpose(tableName, partitionKey)));
    }

    /// <summary>
    /// The stamp of the <paramref name="n"/>-th commit (counted from 1) that the operation <paramref name="operationKey"/> makes in
    /// <paramref name="partitionKey"/> of <paramref name="tableName"/>: what <see cref="CommitProperty"/> carries on the rows it writes.
    /// </summary>
    public static string StampOf(string operationKey, string tableName, string partitionKey, int n)
        => Convert.ToHexStringLower(HubOperation.Derive(operationKey, CommitPurpose(tableName, partitionKey), n).AsSpan(0, 16));

    /// <summary>
    /// How many of an operation's commits in one partition <see cref="WrittenBy"/> recognises: an operation commits once in a
    /// partition, again only when its optimistic retry commits after a conflict, at most once per attempt.
    /// </summary>
    public const int RecognisedCommitsPerPartition = OptimisticRetry.MaxAttempts;

    /// <summary>
    /// True when <paramref name="row"/> (of <paramref name="tableName"/>) carries the stamp of one of the first
    /// <see cref="RecognisedCommitsPerPartition"/> commits the operation <paramref name="operationKey"/> makes in its partition:
    /// that operation wrote it. Proof for an insert-only row only; a row another commit may rewrite proves no more than its last writer.
    /// </summary>
    public static bool WrittenBy(TableEntity row, string tableName, string operationKey)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.GetString(CommitProperty) is not { Length: > 0 } stamp)
        {
            return false;
        }

        for (var n = 1; n <= RecognisedCommitsPerPartition; n++)
        {
            if (string.Equals(stamp, StampOf(operationKey, tableName, row.PartitionKey, n), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string CommitPurpose(string tableName, string partitionKey) => $"commit\n{tableName}\n{partitionKey}";

    /// <summary>A copy of the action whose entity carries the stamp and, on a witness, its events (deletes carry nothing).</summary>
    private static TableTransactionAction Stamped(TableTransactionAction action, string stamp, string? witnessEvents = null)
    {
        if (action.ActionType == TableTransactionActionType.Delete)
        {
            return action;
        }

        var entity = new TableEntity(action.Entity.PartitionKey, action.Entity.RowKey) { ETag = action.Entity.ETag };
        foreach (var (name, value) in Properties(action.Entity))
        {
            entity[name] = value;
        }

        entity[CommitProperty] = stamp;
        if (witnessEvents is not null)
        {
            entity[WitnessEventsProperty] = witnessEvents;
        }

        return new TableTransactionAction(action.ActionType, entity, action.ETag);
    }

    private static IEnumerable<KeyValuePair<string, object>> Properties(ITableEntity entity)
        => entity is TableEntity dictionary
            ? dictionary.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            : throw new ArgumentException($"Outbox commits take TableEntity changes; got {entity.GetType().Name}.");

    private static string Json(HubEvent e)
    {
        var bytes = CloudEventCodec.Encode(e);
        if (bytes.Length > MaxEventBytes)
        {
            throw new ArgumentException($"Event {e.Type} is larger than {MaxEventBytes} bytes; put large data in Blob Storage and reference it.");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static TableEntity OutboxRow(string partitionKey, HubEvent e, string json, DateTimeOffset now, string stamp)
    {
        return new TableEntity(partitionKey, RowPrefix + e.Id)
        {
            ["Event"] = json,
            ["EventType"] = e.Type,
            ["CreatedAt"] = now,
            [CommitProperty] = stamp,
        };
    }
}
