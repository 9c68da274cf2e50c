using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// Witnessed commits (<see cref="TableOutbox.WitnessProperty"/>) against Azurite: an insert-only row of the commit stands in for
/// its events' outbox rows; the relay proves such an event by the witness row's commit stamp and deletes only its intent.
/// Each test runs on its own tables and queues, so a sweep sees only that test's intents.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class OutboxWitnessTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);
    private readonly StorageNames _names = TestStorage.IsolatedNames();
    private readonly string _stateTable = TestStorage.Unique("things");

    /// <summary>Counts the delete calls this process sends to the named tables (single deletes, and <c>$batch</c> requests holding deletes).</summary>
    private sealed class CountDeletes(params string[] tables) : StorageClientPolicy
    {
        private int _deletes;

        public int Deletes => Volatile.Read(ref _deletes);

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            var path = message.Request.Uri.Path;
            if (message.Request.Method == RequestMethod.Delete && tables.Any(t => path.Contains("/" + t + "(", StringComparison.Ordinal)))
            {
                Interlocked.Increment(ref _deletes);
            }
            else if (path.EndsWith("/$batch", StringComparison.Ordinal) && message.Request.Content is not null)
            {
                using var body = new MemoryStream();
                message.Request.Content.WriteTo(body, message.CancellationToken);
                var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
                if (text.Contains("DELETE ", StringComparison.Ordinal) && tables.Any(t => text.Contains("/" + t + "(", StringComparison.Ordinal)))
                {
                    Interlocked.Increment(ref _deletes);
                }
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    private ServiceProvider Process(FakeTimeProvider clock, StorageClientPolicy? policy = null, IOutboxRelayHooks? hooks = null)
        => TestServices.Build(clock, _names, services =>
        {
            if (policy is not null)
            {
                services.AddSingleton(policy);
            }

            if (hooks is not null)
            {
                services.AddSingleton(hooks);
            }

            services.AddHubEvents();
        });

    private static HubEvent Event(IServiceProvider process, string subject)
        => HubEvent.Create(EventTypes.SellerFrozen, subject, new { subject }, process.GetRequiredService<TimeProvider>(), new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");

    /// <summary>Inserts row <paramref name="rowKey"/> of <paramref name="partition"/> with <paramref name="events"/>, the insert as their witness.</summary>
    private async Task<CommitOutcome> CommitWitnessedAsync(IServiceProvider process, string partition, string rowKey, params HubEvent[] events)
    {
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        TableTransactionAction insert = new(TableTransactionActionType.Add, new TableEntity(partition, rowKey) { ["State"] = "placed" });
        return await process.GetRequiredService<TableOutbox>().CommitAsync(table, partition, [insert], events, insert, CancellationToken.None);
    }

    private OutboxPointer Pointer(TimeProvider clock, string partition, HubEvent e) => new(_stateTable, partition, e.Id, TableOutbox.IntentPartitionFor(clock.GetUtcNow()));

    private async Task<TableEntity?> IntentAsync(OutboxPointer p)
    {
        var found = await TestStorage.Tables().GetTableClient(_names.OutboxIntentsTable).GetEntityIfExistsAsync<TableEntity>(p.IntentPartition, p.EventId);
        return found.HasValue ? found.Value : null;
    }

    private async Task<List<TableEntity>> RowsAsync(string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in TestStorage.Tables().GetTableClient(_stateTable).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    private static async Task<int> OutboxRowsAsync(string table, string partition)
    {
        var count = 0;
        await foreach (var _ in TestStorage.Tables().GetTableClient(table).QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {TableOutbox.RowPrefix} and RowKey lt {"outbox}"}"), select: ["RowKey"]))
        {
            count++;
        }

        return count;
    }

    private Task<List<HubEvent>> PublishedAsync(string subjectPrefix, int expected, TimeSpan timeout, TimeSpan settle)
        => EventSink.TakeAsync(_names, subjectPrefix, expected, timeout, settle);

    [Fact]
    public async Task A_witnessed_commit_writes_no_outbox_row_is_published_once_and_its_relay_deletes_only_the_intents()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var deletes = new CountDeletes(_stateTable);
        using var process = Process(clock, deletes);
        var prefix = TestStorage.Unique("witnessed");
        var (a, b) = (Event(process, $"{prefix}/a"), Event(process, $"{prefix}/b"));
        Assert.Equal(CommitOutcome.Committed, await CommitWitnessedAsync(process, prefix, "order", a, b));

        // The partition holds the witness row only; each intent names it and the stamp it carries.
        var row = Assert.Single(await RowsAsync(prefix));
        Assert.Equal("order", row.RowKey);
        foreach (var e in new[] { a, b })
        {
            var intent = (await IntentAsync(Pointer(clock, prefix, e)))!;
            Assert.Equal("order", intent.GetString(TableOutbox.WitnessProperty));
            Assert.Equal(row.GetString(TableOutbox.CommitProperty), intent.GetString(TableOutbox.WitnessStampProperty));
        }

        var relay = process.GetRequiredService<OutboxRelay>();
        Assert.Equal(2, await relay.RelayCommittedAsync(CancellationToken.None));
        var published = await PublishedAsync(prefix, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.Equal(new[] { a.Id, b.Id }.Order(), published.Select(p => p.Id).Order());
        Assert.Null(await IntentAsync(Pointer(clock, prefix, a)));
        Assert.Null(await IntentAsync(Pointer(clock, prefix, b)));
        Assert.Equal(0, deletes.Deletes);
        Assert.Equal("order", Assert.Single(await RowsAsync(prefix)).RowKey);

        // Nothing is left for a later pass or the sweeper.
        clock.Advance(OutboxRelay.Lease + OutboxRelay.SweepMinAge);
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_committer_that_dies_after_a_witnessed_commit_leaves_an_intent_the_sweeper_proves_by_the_witness_and_publishes_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("witness-dead");
        HubEvent e;
        OutboxPointer pointer;
        using (var dying = Process(clock))
        {
            // Committed and handed off; the process dies before any relay pass took the hand-off.
            e = Event(dying, $"{prefix}/thing");
            Assert.Equal(CommitOutcome.Committed, await CommitWitnessedAsync(dying, prefix, "order", e));
            Assert.Equal(1, dying.GetRequiredService<OutboxHandOff>().Count);

            // Where the intent is: the minute of the commit (taken now, before the clock moves on, as the outbox itself does).
            pointer = Pointer(clock, prefix, e);
            Assert.NotNull(await IntentAsync(pointer));
        }

        var deletes = new CountDeletes(_stateTable);
        using (var killed = Process(clock, hooks: new KilledBeforePublish()))
        {
            // A relay that dies after claiming it through the slow path: the lease holds the event back until it runs out.
            clock.Advance(OutboxRelay.SweepMinAge + TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<ProcessKilled>(() => killed.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        using var survivor = Process(clock, deletes);
        var relay = survivor.GetRequiredService<OutboxRelay>();
        Assert.Equal(0, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await relay.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));

        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)));
        Assert.Equal(e.Id, published.Id);
        Assert.Null(await IntentAsync(pointer));
        Assert.Equal(0, deletes.Deletes);
    }

    [Fact]
    public async Task A_witnessed_commit_whose_transaction_failed_is_never_published_and_its_intent_is_dropped_after_the_orphan_age()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var outbox = process.GetRequiredService<TableOutbox>();
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var prefix = TestStorage.Unique("witness-failed");

        // (1) The witness row was inserted by another commit (with its own stamp): this commit's insert conflicts.
        var taken = $"{prefix}-taken";
        Assert.Equal(CommitOutcome.Committed, await outbox.CommitAsync(table, taken, [new(TableTransactionActionType.Add, new TableEntity(taken, "order") { ["State"] = "other" })], [], CancellationToken.None));
        var lost = Event(process, $"{prefix}/taken");
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => CommitWitnessedAsync(process, taken, "order", lost));

        // (2) The witness is never inserted: another change of the same transaction fails (a stale ETag), so none is stored.
        var never = $"{prefix}-never";
        var other = await table.AddEntityAsync(new TableEntity(never, "other") { ["State"] = "active" });
        await table.UpdateEntityAsync(new TableEntity(never, "other") { ["State"] = "changed" }, other.Headers.ETag!.Value);
        var doomed = Event(process, $"{prefix}/never");
        TableTransactionAction insert = new(TableTransactionActionType.Add, new TableEntity(never, "order") { ["State"] = "placed" });
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => outbox.CommitAsync(table, never,
            [insert, new(TableTransactionActionType.UpdateMerge, new TableEntity(never, "other") { ["State"] = "frozen" }, other.Headers.ETag!.Value)], [doomed], insert, CancellationToken.None));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>(never, "order")).HasValue);

        // Both intents stay (a failure does not prove nothing was stored) and are seen as not committed: no publish, and
        // dropped once older than the orphan age.
        var pointers = new[] { Pointer(clock, taken, lost), Pointer(clock, never, doomed) };
        Assert.All(await Task.WhenAll(pointers.Select(IntentAsync)), Assert.NotNull);
        var relay = process.GetRequiredService<OutboxRelay>();
        clock.Advance(OutboxRelay.SweepMinAge + TimeSpan.FromSeconds(1));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
        Assert.All(await Task.WhenAll(pointers.Select(IntentAsync)), Assert.NotNull);
        clock.Advance(OutboxRelay.OrphanAge);
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
        Assert.All(await Task.WhenAll(pointers.Select(IntentAsync)), Assert.Null);
        Assert.Empty(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero));
    }

    [Fact]
    public async Task A_witness_that_is_not_an_Add_of_the_commit_is_refused_and_nothing_is_written()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var outbox = process.GetRequiredService<TableOutbox>();
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var prefix = TestStorage.Unique("witness-refused");
        var e = Event(process, $"{prefix}/thing");
        TableTransactionAction upsert = new(TableTransactionActionType.UpsertReplace, new TableEntity(prefix, "order") { ["State"] = "placed" });
        TableTransactionAction merge = new(TableTransactionActionType.UpdateMerge, new TableEntity(prefix, "order") { ["State"] = "placed" }, Azure.ETag.All);
        TableTransactionAction insert = new(TableTransactionActionType.Add, new TableEntity(prefix, "order") { ["State"] = "placed" });
        TableTransactionAction sameInsertElsewhere = new(TableTransactionActionType.Add, new TableEntity(prefix, "order") { ["State"] = "placed" });

        await Assert.ThrowsAsync<ArgumentException>(() => outbox.CommitAsync(table, prefix, [upsert], [e], upsert, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.CommitAsync(table, prefix, [merge], [e], merge, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.CommitAsync(table, prefix, [insert], [e], sameInsertElsewhere, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => outbox.CommitWithETagsAsync(table, prefix, [upsert], [e], upsert, CancellationToken.None));

        Assert.Empty(await RowsAsync(prefix));
        Assert.Null(await IntentAsync(Pointer(clock, prefix, e)));
    }

    [Fact]
    public async Task An_already_committed_retry_of_a_witnessed_commit_after_its_event_was_relayed_publishes_it_again_with_the_same_id()
    {
        // The guarantee that changes with a witness: an outbox row is gone once relayed, a witness row stays. A retry of the same
        // operation finds its commit stored (AlreadyCommitted) and queues a pointer; with an outbox row the relay found nothing
        // (Missing), with a witness it proves the commit again and publishes the event again, under the same id.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var relay = process.GetRequiredService<OutboxRelay>();
        var outbox = process.GetRequiredService<TableOutbox>();
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var prefix = TestStorage.Unique("witness-retry");
        var key = $"test/{prefix}";

        HubEvent first, firstPlain;
        using (HubOperation.Begin(key))
        {
            first = Event(process, $"{prefix}/witnessed");
            firstPlain = Event(process, $"{prefix}-plain/thing");
            Assert.Equal(CommitOutcome.Committed, await CommitWitnessedAsync(process, prefix, "order", first));
            Assert.Equal(CommitOutcome.Committed, await outbox.CommitAsync(table, $"{prefix}-plain",
                [new(TableTransactionActionType.Add, new TableEntity($"{prefix}-plain", "order") { ["State"] = "placed" })], [firstPlain], CancellationToken.None));
        }

        Assert.Equal(2, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(2, (await PublishedAsync(prefix, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1))).Count);

        using (HubOperation.Begin(key))
        {
            var again = Event(process, $"{prefix}/witnessed");
            var againPlain = Event(process, $"{prefix}-plain/thing");
            Assert.Equal((first.Id, firstPlain.Id), (again.Id, againPlain.Id));
            Assert.Equal(CommitOutcome.AlreadyCommitted, await CommitWitnessedAsync(process, prefix, "order", again));
            Assert.Equal(CommitOutcome.AlreadyCommitted, await outbox.CommitAsync(table, $"{prefix}-plain",
                [new(TableTransactionActionType.Add, new TableEntity($"{prefix}-plain", "order") { ["State"] = "placed" })], [againPlain], CancellationToken.None));
        }

        Assert.Equal(RelayOutcome.Missing, await relay.RelayAsync(Pointer(clock, $"{prefix}-plain", firstPlain), CancellationToken.None));
        Assert.Equal(RelayOutcome.Published, await relay.RelayAsync(Pointer(clock, prefix, first), CancellationToken.None));
        var republished = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(first.Id, republished.Id);
    }

    [Fact]
    public async Task A_retry_of_the_same_operation_that_builds_one_more_event_cannot_have_it_proven_by_the_witness()
    {
        // A retry stamps as its first attempt did, but may build other events (an intake retried after its deadline adds a
        // conversion): the witness lists the events its commit stored, and only those are ever published.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var relay = process.GetRequiredService<OutboxRelay>();
        var prefix = TestStorage.Unique("witness-more");
        var key = $"test/{prefix}";
        HubEvent received;
        using (HubOperation.Begin(key))
        {
            received = Event(process, $"{prefix}/received");
            Assert.Equal(CommitOutcome.Committed, await CommitWitnessedAsync(process, prefix, "order", received));
        }

        Assert.Equal(1, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(received.Id, Assert.Single(await PublishedAsync($"{prefix}/received", 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1))).Id);

        HubEvent extra;
        OutboxPointer extraPointer;
        using (HubOperation.Begin(key))
        {
            var again = Event(process, $"{prefix}/received");
            extra = Event(process, $"{prefix}/converted");
            Assert.Equal(received.Id, again.Id);
            Assert.Equal(CommitOutcome.AlreadyCommitted, await CommitWitnessedAsync(process, prefix, "order", again, extra));
            extraPointer = Pointer(clock, prefix, extra);
        }

        Assert.NotNull(await IntentAsync(extraPointer));
        Assert.Equal(RelayOutcome.Missing, await relay.RelayAsync(extraPointer, CancellationToken.None));
        clock.Advance(OutboxRelay.SweepMinAge + TimeSpan.FromSeconds(1));
        await relay.SweepAsync(CancellationToken.None);
        clock.Advance(OutboxRelay.OrphanAge);
        await relay.SweepAsync(CancellationToken.None);
        Assert.Null(await IntentAsync(extraPointer));
        Assert.Empty(await PublishedAsync($"{prefix}/converted", 1, TimeSpan.FromSeconds(2), TimeSpan.Zero));
    }

    [Fact]
    public async Task A_retry_that_rewrites_a_pending_events_intent_cannot_change_what_is_published()
    {
        // A retry of the same operation builds the same event id with other content (an instruction's time) and upserts the
        // intent before its insert meets the first attempt's row: the relay publishes the event as the commit stored it.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("witness-rewrite");
        var key = $"test/{prefix}";
        HubEvent first;
        OutboxPointer pointer;
        using (var dying = Process(clock))
        {
            using (HubOperation.Begin(key))
            {
                first = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/thing", new { at = "first" }, clock, new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");
                Assert.Equal(CommitOutcome.Committed, await CommitWitnessedAsync(dying, prefix, "order", first));
                pointer = Pointer(clock, prefix, first);
            }
        }

        using var process = Process(clock);
        using (HubOperation.Begin(key))
        {
            var retried = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/thing", new { at = "retry" }, clock, new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");
            Assert.Equal(first.Id, retried.Id);
            Assert.Equal(CommitOutcome.AlreadyCommitted, await CommitWitnessedAsync(process, prefix, "order", retried));
        }

        Assert.Contains("retry", (await IntentAsync(pointer))!.GetString("Event"), StringComparison.Ordinal);
        Assert.Equal(RelayOutcome.Published, await process.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(first.Id, published.Id);
        Assert.Equal("first", published.Data.GetProperty("at").GetString());
    }

    [Fact]
    public async Task Orders_commit_their_events_witnessed_by_the_order_and_outcome_rows_so_no_outbox_row_is_written_or_deleted()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var names = TestStorage.IsolatedNames();
        var deletes = new CountDeletes(names.OrdersTable, names.OrderOutcomesTable);
        using var factory = new DevHostFactory(clock: clock, names: names, services: s => s.AddSingleton<StorageClientPolicy>(deletes));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-WIT-INS", Created));
        await SubmittedAsync(platform, Body("ORD-WIT-CONV", Created));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-WIT-INS", "INS-WIT"), HttpStatusCode.Created);
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(30));
        await RunSweepAsync(factory);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-WIT-CONV"));

        // Intake, instruction and conversion are committed with their events pending, and no outbox row beside any of them.
        foreach (var id in new[] { "ORD-WIT-INS", "ORD-WIT-CONV" })
        {
            Assert.Equal(0, await OutboxRowsAsync(names.OrdersTable, id));
            Assert.Equal(0, await OutboxRowsAsync(names.OrderOutcomesTable, await OutcomePartitionAsync(names, id)));
        }

        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(names, "ORD-WIT-INS"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(names, "ORD-WIT-CONV"));

        // The relay publishes the four events and deletes nothing in the orders and outcomes tables.
        await factory.Services.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None);
        clock.Advance(OutboxRelay.SweepMinAge);
        await factory.Services.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None);
        var published = await factory.TakeEventsAsync("orders/ORD-WIT-", 4, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
        Assert.Equal(
            new[] { OrderEvents.ConvertedToNonHub, OrderEvents.Instructed, OrderEvents.Received, OrderEvents.Received }.Order(StringComparer.Ordinal),
            published.Select(e => e.Type).Order(StringComparer.Ordinal));
        Assert.Equal(4, published.Select(e => e.Id).Distinct().Count());
        Assert.Equal(0, deletes.Deletes);
        Assert.Empty(await EventTypesAsync(names, "ORD-WIT-INS"));
    }
}
