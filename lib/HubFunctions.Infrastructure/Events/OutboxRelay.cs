using System.Text.Json;
using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace HubFunctions.Infrastructure.Events;

public enum RelayOutcome
{
    /// <summary>Sent, and the outbox row and intent removed.</summary>
    Published,

    /// <summary>Another relay holds the row's lease right now.</summary>
    Leased,

    /// <summary>No outbox row (or no witness row with the commit's stamp): already relayed, or its transaction never committed.</summary>
    Missing,
}

/// <summary>
/// Points where a fault-injection test stops the relay as if the process died. The production
/// implementation does nothing.
/// </summary>
public interface IOutboxRelayHooks
{
    Task BeforePublishAsync(HubEvent hubEvent);

    Task AfterPublishAsync(HubEvent hubEvent);
}

public sealed class NoOutboxRelayHooks : IOutboxRelayHooks
{
    public Task BeforePublishAsync(HubEvent hubEvent) => Task.CompletedTask;

    public Task AfterPublishAsync(HubEvent hubEvent) => Task.CompletedTask;
}

/// <summary>
/// Moves committed events to the publisher. Each event has an intent (in the intents table, keyed by
/// UTC minute, carrying the event) and an outbox row (in its state partition, written in the commit's
/// transaction: the truth that the commit is stored and the event still pending; a witnessed commit has none, its
/// witness row carrying the commit stamp is that truth, <see cref="TableOutbox.WitnessProperty"/>). Once its commit is
/// stored, the committer hands the intents to this process's relay in memory (<see cref="OutboxHandOff"/>;
/// only when that is full does it mark them <see cref="TableOutbox.CommittedProperty"/> in the table)
/// and wakes the relay (<see cref="OutboxWakeUp"/>). A relay run then takes the handed-off intents
/// and reads the marked ones in one query, claims them in batches of up to 100 (an ETag merge that
/// sets a lease and the mark, so two relays never publish the same event at once) and publishes
/// them in parallel (or in Service Bus batches). Cleanup runs behind
/// the publishing, off the delivery path: once every event of a commit is sent, its outbox rows are
/// deleted (one call per state partition; by default none while this run is still publishing, so
/// the delivery has the store to itself); the intents go last (batches of up to 100). The next run may start once this one has published. An intent the
/// committer could not mark goes the slow way (<see cref="RelayAsync"/>: the outbox row is read
/// first). If the process dies anywhere, the intent stays; once its lease runs out it is published
/// again, with the same event id: at most the events of the passes whose cleanup was cut short are
/// sent twice. Delivery is at least once; the id makes repeats detectable. Events are published in
/// parallel, so their order on the sink is not the commit order.
/// </summary>
public sealed class OutboxRelay(
    HubStorage storage,
    OutboxHandOff handOff,
    IEventPublisher publisher,
    ResiliencePipelineProvider<string> pipelines,
    IOutboxRelayHooks hooks,
    TimeProvider clock,
    IOptions<EventsOptions> options,
    ILogger<OutboxRelay> logger)
{
    public const string PipelineKey = "hub-events-publish";

    /// <summary>Events per Service Bus batch call at most (a full batch is split further by size).</summary>
    public const int PublishChunk = 100;

    /// <summary>How long a claimed row is reserved for the relay that claimed it: longer than a publish may take.</summary>
    public static readonly TimeSpan Lease = EventsRegistration.PublishTimeout + TimeSpan.FromSeconds(20);

    /// <summary>An unmarked intent younger than this is left alone by the sweeper (its commit may be in flight).</summary>
    public static readonly TimeSpan SweepMinAge = TimeSpan.FromSeconds(15);

    /// <summary>An intent without its outbox row older than this belongs to a transaction that never committed.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _runner = new(1, 1);
    private long _runsRequested;
    private long _ranUpTo;

    private int Parallelism => Math.Max(1, options.Value.RelayParallelism);

    private int CleanupParallelism => Math.Clamp(options.Value.RelayCleanupParallelism, 0, Parallelism);

    /// <summary>A message on the relay queue: a wake-up (<see cref="OutboxWakeUp.Message"/>) or a pointer to one event.</summary>
    public async Task HandleMessageAsync(string message, CancellationToken cancellationToken)
    {
        if (message.Trim() == OutboxWakeUp.Message)
        {
            await RelayCommittedAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var pointer = ParsePointer(message);
        var outcome = await RelayAsync(pointer, cancellationToken).ConfigureAwait(false);
        logger.LogDebug("Relay of {EventId}: {Outcome}", pointer.EventId, outcome);
    }

    /// <summary>
    /// Relays every marked, unleased intent. Runs in one process are coalesced: a call returns once a
    /// run that started after it has delivered its events and cleaned up after them, so many wake-ups
    /// handled at once cost one or two runs. The next run may start as soon as this one has
    /// delivered (its intents are leased, so the next run skips them while they are cleaned up).
    /// Returns how many events this call's run published (0 when another run covered it).
    /// </summary>
    public async Task<int> RelayCommittedAsync(CancellationToken cancellationToken)
    {
        var mine = Interlocked.Increment(ref _runsRequested);
        await _runner.WaitAsync(cancellationToken).ConfigureAwait(false);
        RelayRun run;
        try
        {
            if (Interlocked.Read(ref _ranUpTo) >= mine)
            {
                return 0;
            }

            var upTo = Interlocked.Read(ref _runsRequested);
            run = await RunAsync(sweep: false, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _ranUpTo, upTo);
        }
        finally
        {
            _runner.Release();
        }

        await run.Cleanup.ConfigureAwait(false);
        return run.Published;
    }

    /// <summary>
    /// Relays every pending event: the marked intents (as <see cref="RelayCommittedAsync"/>) and the
    /// unmarked ones at least <see cref="SweepMinAge"/> old, whose outbox row is checked first (what
    /// the prompt relay missed because the process died, the queue was away or the publisher failed).
    /// Reads only the intents table. Returns how many were published.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await _runner.WaitAsync(cancellationToken).ConfigureAwait(false);
        RelayRun run;
        try
        {
            run = await RunAsync(sweep: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runner.Release();
        }

        await run.Cleanup.ConfigureAwait(false);
        return run.Published;
    }

    /// <summary>What a relay run published, and its cleanup (outbox rows, then intents), which may still be running.</summary>
    private readonly record struct RelayRun(int Published, Task Cleanup);

    private async Task<RelayRun> RunAsync(bool sweep, CancellationToken cancellationToken)
    {
        var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        // Handed off by this process's committers: committed, unmarked, claimed under the ETag of
        // their upsert (a claim sets the mark too). Taken before the query, so a sweep does not
        // also take them as unmarked intents.
        var marked = handOff.TakeAll();
        var handedOff = marked.Count;
        var taken = marked.Select(i => (i.PartitionKey, i.RowKey)).ToHashSet();
        var unmarked = new List<OutboxPointer>();
        var filter = sweep ? null : $"{TableOutbox.CommittedProperty} eq true";
        await foreach (var intent in intents.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (taken.Contains((intent.PartitionKey, intent.RowKey)) || (intent.GetDateTimeOffset("LeaseUntil") is { } leaseUntil && leaseUntil > now))
            {
                continue;
            }

            if (intent.GetBoolean(TableOutbox.CommittedProperty) == true && intent.GetString("Event") is not null)
            {
                marked.Add(intent);
            }
            else if (sweep && intent.GetDateTimeOffset("CreatedAt") is { } created && created <= now - SweepMinAge)
            {
                unmarked.Add(new OutboxPointer(intent.GetString("Table")!, intent.GetString("StatePartition")!, intent.RowKey, intent.PartitionKey));
            }
        }

        var run = await RelayMarkedAsync(intents, marked, now, cancellationToken).ConfigureAwait(false);
        var published = run.Published;
        await Parallel.ForEachAsync(unmarked, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (pointer, ct) =>
        {
            try
            {
                if (await RelayAsync(pointer, ct).ConfigureAwait(false) == RelayOutcome.Published)
                {
                    Interlocked.Increment(ref published);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sweep could not relay event {EventId}; next sweep tries again", pointer.EventId);
            }
        }).ConfigureAwait(false);

        if (marked.Count + unmarked.Count > 0)
        {
            logger.LogInformation("Outbox relay run: {Marked} committed ({HandedOff} handed off in process) and {Unmarked} unmarked pending, {Published} published", marked.Count, handedOff, unmarked.Count, published);
        }

        return run with { Published = published };
    }

    /// <summary>The intents of one commit (one state table and partition): their outbox rows go in one delete call.</summary>
    private sealed class CommitGroup(string table, string partition, TableEntity[] intents)
    {
        private int _pending = intents.Length;

        public string Table { get; } = table;

        public string Partition { get; } = partition;

        public TableEntity[] Intents { get; } = intents;

        /// <summary>Counts one of its events as sent; true when that was the last one.</summary>
        public bool Sent() => Interlocked.Decrement(ref _pending) == 0;
    }

    /// <summary>
    /// Claims the intents (batches per intent partition), publishes their events, and cleans up
    /// behind the publishing: as soon as every event of a commit is sent, its outbox rows are
    /// deleted (one call per commit), at most <see cref="EventsOptions.RelayCleanupParallelism"/>
    /// calls in flight while publishing goes on and <see cref="EventsOptions.RelayParallelism"/> once
    /// it is done; then the intents (batches of up to 100, under the claim's ETag). Returns once every
    /// event was published (or failed); the cleanup goes on in the returned task. If publishing
    /// itself throws, the row deletes under way are awaited (their failure logged) before it goes up.
    /// </summary>
    private async Task<RelayRun> RelayMarkedAsync(TableClient intents, List<TableEntity> marked, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (marked.Count == 0)
        {
            return new RelayRun(0, Task.CompletedTask);
        }

        var claimed = await ClaimAsync(intents, marked, now + Lease, cancellationToken).ConfigureAwait(false);
        // A witnessed commit by its stamp: since session s11 one outcomes partition (an index key) holds the outcomes of many
        // orders, so a group per partition would make one failed publish hold back (and send again) the events of all of them.
        var groups = claimed.GroupBy(i => (Table: i.GetString("Table")!, Partition: i.GetString("StatePartition")!, Commit: i.GetString(TableOutbox.WitnessStampProperty) ?? ""))
            .Select(g => new CommitGroup(g.Key.Table, g.Key.Partition, [.. g])).ToList();

        var sentCommits = Channel.CreateUnbounded<CommitGroup>();
        var gate = new SemaphoreSlim(CleanupParallelism, int.MaxValue);
        var rowsDeleted = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        var deletingRows = Parallel.ForEachAsync(sentCommits.Reader.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (commit, ct) =>
            {
                // A witnessed event has no outbox row (TableOutbox.WitnessProperty): only its intent goes.
                var outboxRows = commit.Intents.Where(i => !Witnessed(i)).Select(i => new TableEntity(commit.Partition, TableOutbox.RowPrefix + i.RowKey) { ETag = ETag.All }).ToList();
                if (outboxRows.Count > 0)
                {
                    await gate.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        await DeleteAllAsync(storage.TableService.GetTableClient(commit.Table), outboxRows, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }

                foreach (var intent in commit.Intents)
                {
                    rowsDeleted.Add(intent);
                }
            });

        void PublishingDone()
        {
            sentCommits.Writer.TryComplete();
            if (Parallelism > CleanupParallelism)
            {
                gate.Release(Parallelism - CleanupParallelism);
            }
        }

        int sent;
        try
        {
            sent = await PublishAsync(groups, commit => sentCommits.Writer.TryWrite(commit), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception publishing)
        {
            // Publishing itself failed (cancelled: single events' failures are logged and left to
            // their lease). The row deletes already under way finish or stop before the failure
            // goes up, and their own failure is logged: nothing of this pass runs after it returned.
            PublishingDone();
            try
            {
                await deletingRows.ConfigureAwait(false);
            }
            catch (Exception cleanup) when (cleanup is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(cleanup, "Outbox row cleanup of a failed relay pass failed too ({Failure}); its events are sent again when their lease runs out", publishing.GetType().Name);
            }
            catch (OperationCanceledException)
            {
                // Cancelled with the pass.
            }

            throw;
        }

        PublishingDone();
        return new RelayRun(sent, DeleteIntentsAsync(intents, deletingRows, rowsDeleted, cancellationToken));
    }

    /// <summary>
    /// Once the outbox rows are deleted, the intents, under the ETag of our claim: if our lease ran
    /// out and another relay took one meanwhile, that relay sends it again (same id) and deletes it.
    /// </summary>
    private async Task DeleteIntentsAsync(TableClient intents, Task deletingRows, System.Collections.Concurrent.ConcurrentBag<TableEntity> rowsDeleted, CancellationToken cancellationToken)
    {
        await deletingRows.ConfigureAwait(false);
        await Parallel.ForEachAsync(rowsDeleted.GroupBy(i => i.PartitionKey).SelectMany(g => g.Chunk(TableOutbox.MaxTransactionEntities)),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (chunk, ct) => await DeleteAllAsync(intents, [.. chunk], ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>
    /// ETag merges setting the lease and the committed mark (an intent handed off in process is
    /// marked by its claim), up to 100 per call; a batch that meets a change is done one by one.
    /// </summary>
    private async Task<List<TableEntity>> ClaimAsync(TableClient intents, List<TableEntity> marked, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        var claimed = new System.Collections.Concurrent.ConcurrentBag<TableEntity>();
        await Parallel.ForEachAsync(marked.GroupBy(i => i.PartitionKey).SelectMany(g => g.Chunk(TableOutbox.MaxTransactionEntities)),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (chunk, ct) =>
            {
                try
                {
                    var responses = await intents.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
                        new TableEntity(i.PartitionKey, i.RowKey) { ["LeaseUntil"] = leaseUntil, [TableOutbox.CommittedProperty] = true }, i.ETag)), ct).ConfigureAwait(false);
                    for (var n = 0; n < chunk.Length; n++)
                    {
                        chunk[n].ETag = responses.Value[n].Headers.ETag ?? ETag.All;
                        claimed.Add(chunk[n]);
                    }
                }
                catch (TableTransactionFailedException e) when (e.Status is 404 or 412 or 409)
                {
                    foreach (var intent in chunk)
                    {
                        try
                        {
                            var response = await intents.UpdateEntityAsync(new TableEntity(intent.PartitionKey, intent.RowKey) { ["LeaseUntil"] = leaseUntil, [TableOutbox.CommittedProperty] = true }, intent.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
                            intent.ETag = response.Headers.ETag ?? ETag.All;
                            claimed.Add(intent);
                        }
                        catch (RequestFailedException one) when (one.Status is 404 or 412)
                        {
                            // Another relay claimed or finished it.
                        }
                    }
                }
            }).ConfigureAwait(false);
        return [.. claimed];
    }

    /// <summary>
    /// Publishes the claimed events (in parallel, or in Service Bus batches); hands each commit whose
    /// events were all sent to <paramref name="commitSent"/>. Returns how many events were sent.
    /// </summary>
    private async Task<int> PublishAsync(List<CommitGroup> groups, Action<CommitGroup> commitSent, CancellationToken cancellationToken)
    {
        var pipeline = pipelines.GetPipeline(PipelineKey);
        var events = groups.SelectMany(g => g.Intents.Select(intent => (Group: g, Intent: intent))).ToList();
        var sent = 0;
        if (publisher is IBatchEventPublisher batches)
        {
            await Parallel.ForEachAsync(events.Chunk(PublishChunk), new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism / 8), CancellationToken = cancellationToken }, async (chunk, ct) =>
            {
                var decoded = chunk.Select(e => Decode(e.Intent)).ToList();
                try
                {
                    foreach (var e in decoded)
                    {
                        await hooks.BeforePublishAsync(e).ConfigureAwait(false);
                    }

                    await pipeline.ExecuteAsync(static async (state, c) => await state.batches.PublishAllAsync(state.decoded, c).ConfigureAwait(false), (batches, decoded), ct).ConfigureAwait(false);
                    foreach (var e in decoded)
                    {
                        await hooks.AfterPublishAsync(e).ConfigureAwait(false);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    logger.LogWarning(e, "Could not publish {Count} events; they are sent again when their lease runs out", decoded.Count);
                    return;
                }

                Interlocked.Add(ref sent, chunk.Length);
                foreach (var (group, _) in chunk.Where(e => e.Group.Sent()))
                {
                    commitSent(group);
                }
            }).ConfigureAwait(false);
            return sent;
        }

        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var e = Decode(item.Intent);
            try
            {
                await hooks.BeforePublishAsync(e).ConfigureAwait(false);
                await pipeline.ExecuteAsync(static async (state, c) => await state.publisher.PublishAsync(state.e, c).ConfigureAwait(false), (publisher, e), ct).ConfigureAwait(false);
                await hooks.AfterPublishAsync(e).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogWarning(failure, "Could not publish {EventType} {EventId}; it is sent again when its lease runs out", e.Type, e.Id);
                return;
            }

            Interlocked.Increment(ref sent);
            if (item.Group.Sent())
            {
                commitSent(item.Group);
            }
        }).ConfigureAwait(false);
        return sent;
    }

    /// <summary>An intent whose commit named a witness row instead of writing an outbox row (<see cref="TableOutbox.WitnessProperty"/>).</summary>
    private static bool Witnessed(TableEntity intent) => intent.GetString(TableOutbox.WitnessProperty) is not null;

    /// <summary>
    /// Whether the commit of an unmarked intent is stored: its outbox row exists (then its event, for an intent written
    /// before intents carried events), or, for a witnessed intent, its witness row exists carrying the intent's commit stamp
    /// and lists the event (<see cref="TableOutbox.WitnessEventsProperty"/>; then the event as the commit stored it, which the
    /// caller publishes instead of the intent's: a retry of the same operation may have rewritten the intent).
    /// </summary>
    private static async Task<(bool Stored, string? Event)> CommittedAsync(TableClient table, OutboxPointer pointer, TableEntity intent, CancellationToken cancellationToken)
    {
        if (intent.GetString(TableOutbox.WitnessProperty) is { } witness)
        {
            var stamped = await table.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, witness, [TableOutbox.CommitProperty, TableOutbox.WitnessEventsProperty], cancellationToken).ConfigureAwait(false);
            if (!stamped.HasValue || stamped.Value is not { } w || w.GetString(TableOutbox.CommitProperty) != intent.GetString(TableOutbox.WitnessStampProperty)
                || w.GetString(TableOutbox.WitnessEventsProperty) is not { } listed
                || JsonSerializer.Deserialize<Dictionary<string, string>>(listed) is not { } committed
                || !committed.TryGetValue(pointer.EventId, out var stored))
            {
                return (false, null);
            }

            return (true, stored);
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, pointer.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } r ? (true, r.GetString("Event")) : (false, null);
    }

    private static HubEvent Decode(TableEntity holder) => CloudEventCodec.Decode(System.Text.Encoding.UTF8.GetBytes(holder.GetString("Event")!));

    /// <summary>Deletes rows of one partition under their ETags: one call for one row, a batch for more, one by one if the batch meets a change.</summary>
    private async Task DeleteAllAsync(TableClient table, IReadOnlyList<TableEntity> rows, CancellationToken cancellationToken)
    {
        if (rows.Count > TableOutbox.MaxTransactionEntities)
        {
            // The outbox rows of several commits of one partition (a transaction holds at most 100).
            foreach (var chunk in rows.Chunk(TableOutbox.MaxTransactionEntities))
            {
                await DeleteAllAsync(table, chunk, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (rows.Count > 1)
        {
            try
            {
                await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, r.ETag)), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
            {
                // Some row is gone or changed: do them one by one.
            }
        }

        foreach (var row in rows)
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, row.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                if (e.Status == 412)
                {
                    logger.LogWarning("Outbox entry {Table}/{RowKey} changed while it was being published; it may be sent again", table.Name, row.RowKey);
                }
            }
        }
    }

    /// <summary>
    /// Relays one event (a pointer on the relay queue, or an intent the committer could not mark): reads
    /// its intent; an unmarked one (or one written before intents carried events) is relayed only if its
    /// outbox row exists (a witnessed one: if its witness row carries its commit stamp). Claims the intent with a lease,
    /// publishes, deletes the outbox row (a witnessed one has none), then the intent.
    /// </summary>
    public async Task<RelayOutcome> RelayAsync(OutboxPointer pointer, CancellationToken cancellationToken)
    {
        var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
        var found = await intents.GetEntityIfExistsAsync<TableEntity>(pointer.IntentPartition, pointer.EventId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (!found.HasValue || found.Value is not { } intent)
        {
            // Intents are deleted only after their event was published.
            return RelayOutcome.Missing;
        }

        if (intent.GetDateTimeOffset("LeaseUntil") is { } leaseUntil && leaseUntil > now)
        {
            return RelayOutcome.Leased;
        }

        // The table is named by a queue message: never create it. A state table the app committed
        // to exists; one that does not is treated as a missing row (nothing is created or sent).
        var table = storage.TableService.GetTableClient(pointer.Table);
        if (intent.GetBoolean(TableOutbox.CommittedProperty) != true || intent.GetString("Event") is null)
        {
            var (stored, storedEvent) = await CommittedAsync(table, pointer, intent, cancellationToken).ConfigureAwait(false);
            if (!stored)
            {
                if (intent.GetDateTimeOffset("CreatedAt") is { } created && now - created > OrphanAge)
                {
                    await DeleteAllAsync(intents, [intent], cancellationToken).ConfigureAwait(false);
                }

                return RelayOutcome.Missing;
            }

            if (Witnessed(intent))
            {
                intent["Event"] = storedEvent;
            }
            else
            {
                intent["Event"] ??= storedEvent;
            }
        }

        try
        {
            var claim = await intents.UpdateEntityAsync(new TableEntity(intent.PartitionKey, intent.RowKey) { ["LeaseUntil"] = now + Lease }, intent.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            intent.ETag = claim.Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return RelayOutcome.Leased;
        }

        var hubEvent = Decode(intent);
        await hooks.BeforePublishAsync(hubEvent).ConfigureAwait(false);
        await pipelines.GetPipeline(PipelineKey).ExecuteAsync(
            static async (state, ct) => await state.publisher.PublishAsync(state.hubEvent, ct).ConfigureAwait(false),
            (publisher, hubEvent), cancellationToken).ConfigureAwait(false);
        await hooks.AfterPublishAsync(hubEvent).ConfigureAwait(false);

        if (!Witnessed(intent))
        {
            await DeleteAllAsync(table, [new TableEntity(pointer.PartitionKey, pointer.RowKey) { ETag = ETag.All }], cancellationToken).ConfigureAwait(false);
        }

        await DeleteAllAsync(intents, [intent], cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Published {EventType} {EventId}", hubEvent.Type, hubEvent.Id);
        return RelayOutcome.Published;
    }

    /// <summary>
    /// Reads a pointer from a queue message. A pointer without all its parts, or naming something
    /// that cannot be a table (Azure's rule: 3-63 letters and digits, starting with a letter, not
    /// <c>tables</c>), is refused with <see cref="JsonException"/>, so the message goes to poison.
    /// </summary>
    public static OutboxPointer ParsePointer(string json)
    {
        var pointer = JsonSerializer.Deserialize<OutboxPointer>(json, TableOutbox.PointerJson) ?? throw new JsonException("Empty outbox pointer.");
        if (string.IsNullOrEmpty(pointer.Table) || string.IsNullOrEmpty(pointer.PartitionKey) || string.IsNullOrEmpty(pointer.EventId) || string.IsNullOrEmpty(pointer.IntentPartition))
        {
            throw new JsonException("Incomplete outbox pointer.");
        }

        if (pointer.Table.Length is < 3 or > 63 || !char.IsAsciiLetter(pointer.Table[0]) || !pointer.Table.All(char.IsAsciiLetterOrDigit)
            || pointer.Table.Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new JsonException("The outbox pointer does not name a valid table.");
        }

        return pointer;
    }
}
