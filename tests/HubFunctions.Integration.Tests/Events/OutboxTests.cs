using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// The transactional outbox against Azurite: kill points, the sweeper, lost responses, 1,000
/// concurrent commits. Each test runs on its own tables and queues (its own <see cref="StorageNames"/>
/// and state table), so a sweep sees only that test's intents.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class OutboxTests
{
    private readonly StorageNames _names = TestStorage.IsolatedNames();
    private readonly string _stateTable = TestStorage.Unique("things");

    /// <summary>Stops the relay at a kill point as if the process died there.</summary>
    private sealed class KillPoint(bool beforePublish, bool afterPublish) : IOutboxRelayHooks
    {
        public Task BeforePublishAsync(HubEvent hubEvent) => beforePublish ? throw new ProcessKilled() : Task.CompletedTask;

        public Task AfterPublishAsync(HubEvent hubEvent) => afterPublish ? throw new ProcessKilled() : Task.CompletedTask;
    }

    /// <summary>The app's own registrations (storage, events) with a fake clock and chosen hooks: one "process".</summary>
    private ServiceProvider Process(FakeTimeProvider clock, IOutboxRelayHooks? hooks = null, IEventPublisher? publisher = null, StorageClientPolicy? fault = null)
        => TestServices.Build(clock, _names, services =>
        {
            if (fault is not null)
            {
                services.AddSingleton<StorageClientPolicy>(fault);
            }

            if (hooks is not null)
            {
                services.AddSingleton(hooks);
            }

            if (publisher is not null)
            {
                services.AddSingleton(publisher);
            }

            services.AddHubEvents();
        });

    private async Task<(HubEvent Event, OutboxPointer Pointer)> CommitAsync(IServiceProvider process, string subjectPrefix, string thing)
    {
        var storage = process.GetRequiredService<HubStorage>();
        var table = await storage.TableAsync(_stateTable);
        var clock = process.GetRequiredService<TimeProvider>();
        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{subjectPrefix}/{thing}", new { thing }, clock, new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");
        await process.GetRequiredService<TableOutbox>().CommitAsync(table, subjectPrefix,
            [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(subjectPrefix, thing) { ["State"] = "frozen" })],
            [e], CancellationToken.None);
        return (e, new OutboxPointer(_stateTable, subjectPrefix, e.Id, TableOutbox.IntentPartitionFor(clock.GetUtcNow())));
    }

    private async Task<bool> RowExists(string partition, string rowKey)
        => (await TestStorage.Tables().GetTableClient(_stateTable).GetEntityIfExistsAsync<TableEntity>(partition, rowKey)).HasValue;

    private async Task<bool> IntentExists(OutboxPointer p)
        => (await TestStorage.Tables().GetTableClient(_names.OutboxIntentsTable).GetEntityIfExistsAsync<TableEntity>(p.IntentPartition, p.EventId)).HasValue;

    private Task<List<HubEvent>> PublishedAsync(string subjectPrefix, int expected, TimeSpan timeout, TimeSpan settle)
        => EventSink.TakeAsync(_names, subjectPrefix, expected, timeout, settle);

    [Fact]
    public async Task The_state_change_and_its_outbox_row_commit_together_or_not_at_all()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var prefix = TestStorage.Unique("atomic");
        var (e, pointer) = await CommitAsync(process, prefix, "a");
        Assert.True(await RowExists(prefix, "a"));
        Assert.True(await RowExists(prefix, pointer.RowKey));
        Assert.True(await IntentExists(pointer));

        // A change that fails (insert of an existing row) takes its event down with it.
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var doomed = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/b", new { }, clock, new OperationIdSource());
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => process.GetRequiredService<TableOutbox>().CommitAsync(table, prefix,
            [new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(prefix, "a"))], [doomed], CancellationToken.None));
        Assert.False(await RowExists(prefix, TableOutbox.RowPrefix + doomed.Id));

        // Its intent stays (a failure does not prove nothing was committed) until the sweeper, seeing
        // no outbox row for longer than the orphan age, drops it without publishing anything.
        var doomedPointer = pointer with { EventId = doomed.Id };
        Assert.True(await IntentExists(doomedPointer));
        clock.Advance(OutboxRelay.OrphanAge + TimeSpan.FromMinutes(1));
        var relay = process.GetRequiredService<OutboxRelay>();
        Assert.Equal(RelayOutcome.Missing, await relay.RelayAsync(doomedPointer, CancellationToken.None));
        Assert.False(await IntentExists(doomedPointer));
        var published = await PublishedAsync($"{prefix}/b", 1, TimeSpan.FromSeconds(1), TimeSpan.Zero);
        Assert.Empty(published);
        _ = e;
    }

    [Fact]
    public async Task Killed_after_the_state_change_and_before_publishing_the_event_is_published_exactly_once_after_restart()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("kill-before");
        OutboxPointer pointer;
        HubEvent e;
        using (var dying = Process(clock, new KillPoint(beforePublish: true, afterPublish: false)))
        {
            (e, pointer) = await CommitAsync(dying, prefix, "thing");
            await Assert.ThrowsAsync<ProcessKilled>(() => dying.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        Assert.Empty(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero));
        Assert.True(await RowExists(prefix, pointer.RowKey));

        // Restart: a new process; the dead one's lease runs out; the sweeper finds the intent.
        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        using (var restarted = Process(clock))
        {
            var relay = restarted.GetRequiredService<OutboxRelay>();
            Assert.Equal(1, await relay.SweepAsync(CancellationToken.None));
            Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
            Assert.Equal(RelayOutcome.Missing, await relay.RelayAsync(pointer, CancellationToken.None));
        }

        var published = await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var only = Assert.Single(published);
        Assert.Equal(e.Id, only.Id);
        Assert.False(await RowExists(prefix, pointer.RowKey));
        Assert.False(await IntentExists(pointer));
        Assert.True(await RowExists(prefix, "thing"));
    }

    [Fact]
    public async Task Killed_after_publishing_and_before_marking_done_the_event_is_published_again_with_the_same_id()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("kill-after");
        OutboxPointer pointer;
        HubEvent e;
        using (var dying = Process(clock, new KillPoint(beforePublish: false, afterPublish: true)))
        {
            (e, pointer) = await CommitAsync(dying, prefix, "thing");
            await Assert.ThrowsAsync<ProcessKilled>(() => dying.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        Assert.True(await RowExists(prefix, pointer.RowKey));
        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        using (var restarted = Process(clock))
        {
            Assert.Equal(RelayOutcome.Published, await restarted.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        var published = await PublishedAsync(prefix, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.Equal(2, published.Count);
        Assert.All(published, p => Assert.Equal(e.Id, p.Id));
        Assert.False(await RowExists(prefix, pointer.RowKey));
    }

    [Fact]
    public async Task Killed_after_publishing_to_service_bus_the_resend_carries_the_same_message_id()
    {
        var sender = new RecordingSender();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("kill-sb");
        OutboxPointer pointer;
        HubEvent e;
        using (var dying = Process(clock, new KillPoint(beforePublish: false, afterPublish: true), new ServiceBusEventPublisher(sender)))
        {
            (e, pointer) = await CommitAsync(dying, prefix, "thing");
            await Assert.ThrowsAsync<ProcessKilled>(() => dying.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        using (var restarted = Process(clock, publisher: new ServiceBusEventPublisher(sender)))
        {
            Assert.Equal(RelayOutcome.Published, await restarted.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        }

        Assert.Equal(2, sender.Sent.Count);
        Assert.All(sender.Sent, m => Assert.Equal(e.Id, m.MessageId));
        Assert.All(sender.Sent, m => Assert.Equal(EventTypes.SellerFrozen, m.Subject));
    }

    [Fact]
    public async Task A_row_leased_by_a_live_relay_is_not_published_twice()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("lease");
        using var dying = Process(clock, new KillPoint(beforePublish: true, afterPublish: false));
        var (_, pointer) = await CommitAsync(dying, prefix, "thing");
        await Assert.ThrowsAsync<ProcessKilled>(() => dying.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        using var other = Process(clock);
        Assert.Equal(RelayOutcome.Leased, await other.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(RelayOutcome.Published, await other.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task No_event_is_lost_or_duplicated_when_1000_state_changes_commit_concurrently()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["RelayOutbox", "SweepOutbox"], names: _names);
        _ = factory.Server;
        var outbox = factory.Services.GetRequiredService<TableOutbox>();
        var table = await factory.Services.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var prefix = TestStorage.Unique("thousand");

        var expected = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var partition = $"{prefix}-{i % 25}";
            var e = HubEvent.Create(EventTypes.AppointmentCancelled, $"{prefix}/{i}", new { i }, clock, new OperationIdSource(), hub: "hangzhou");
            await outbox.CommitAsync(table, partition,
                [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, $"thing-{i}") { ["Status"] = "cancelled" })],
                [e], ct);
            expected.Add(e.Id);
        });

        var published = await PublishedAsync(prefix, 1000, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(3));

        Assert.Equal(1000, expected.Count);
        Assert.Equal(1000, published.Count);
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
        var leftovers = TestStorage.Tables().GetTableClient(_stateTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(prefix) >= 0 && e.PartitionKey.CompareTo(prefix + "~") < 0 && e.RowKey.CompareTo("outbox|") >= 0 && e.RowKey.CompareTo("outbox}") < 0);
        Assert.Empty(await leftovers.ToListAsync());
    }

    [Fact]
    public async Task One_relay_run_publishes_every_marked_commit_once_and_leaves_no_outbox_row_or_intent()
    {
        // 60 one-event commits in 60 partitions and one commit of three events: the committer marks
        // the intents and wakes the relay; one run claims, publishes and deletes them in batches.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var prefix = TestStorage.Unique("batch");
        var outbox = process.GetRequiredService<TableOutbox>();
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var expected = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForAsync(0, 60, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var (e, _) = await CommitAsync(process, $"{prefix}-{i}", "thing");
            expected.Add(e.Id);
        });
        var three = Enumerable.Range(0, 3).Select(i => HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}-x/{i}", new { i }, clock, new OperationIdSource())).ToList();
        await outbox.CommitAsync(table, $"{prefix}-x", [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity($"{prefix}-x", "thing"))], three, CancellationToken.None);
        three.ForEach(e => expected.Add(e.Id));

        var wakeUps = await TestStorage.Queue(_names.OutboxRelayQueue).ReceiveMessagesAsync(32);
        Assert.NotEmpty(wakeUps.Value);
        Assert.All(wakeUps.Value, m => Assert.Equal(OutboxWakeUp.Message, m.Body.ToString()));

        var relay = process.GetRequiredService<OutboxRelay>();
        Assert.Equal(63, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));

        var published = await PublishedAsync(prefix, 63, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
        var leftovers = TestStorage.Tables().GetTableClient(_stateTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(prefix) >= 0 && e.PartitionKey.CompareTo(prefix + "~") < 0 && e.RowKey.CompareTo("outbox|") >= 0 && e.RowKey.CompareTo("outbox}") < 0);
        Assert.Empty(await leftovers.ToListAsync());
        Assert.Empty(await TestStorage.Tables().GetTableClient(_names.OutboxIntentsTable).QueryAsync<TableEntity>().ToListAsync());
    }

    [Fact]
    public async Task Commits_made_while_a_held_wake_up_is_pending_share_it_and_one_relay_pass_publishes_them_all()
    {
        // The first commit of a quiet spell wakes the relay at once; commits within the wake-up
        // spacing of it share one wake-up held invisible for the spacing (a minute here, so the
        // count does not depend on how fast this machine commits).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = TestServices.Build(clock, _names, services =>
        {
            services.AddHubEvents();
            services.Configure<EventsOptions>(o => o.WakeUpSpacing = TimeSpan.FromMinutes(1));
        });
        var prefix = TestStorage.Unique("spaced");
        var expected = new System.Collections.Concurrent.ConcurrentBag<string>([(await CommitAsync(process, $"{prefix}-first", "thing")).Event.Id]);
        await Parallel.ForAsync(0, 20, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) => expected.Add((await CommitAsync(process, $"{prefix}-{i}", "thing")).Event.Id));

        var queue = TestStorage.Queue(_names.OutboxRelayQueue);
        Assert.Equal(2, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        var visible = Assert.Single((await queue.ReceiveMessagesAsync(32)).Value);
        Assert.Equal(OutboxWakeUp.Message, visible.Body.ToString());

        Assert.Equal(21, await process.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        var published = await PublishedAsync(prefix, 21, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1));
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task Every_commit_of_a_trickle_across_many_wake_up_spacings_is_relayed_by_wake_ups_alone()
    {
        // No sweeper in this host: an event whose commit no wake-up covered would never arrive.
        // Commits come in a trickle and in bursts over several spacings (1 s, the default), so many
        // of them are covered only by a held wake-up sent before them.
        using var factory = new DevHostFactory(listeners: true, functions: ["RelayOutbox"], names: _names);
        _ = factory.Server;
        var outbox = factory.Services.GetRequiredService<TableOutbox>();
        var table = await factory.Services.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var prefix = TestStorage.Unique("trickle");
        var expected = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task CommitOneAsync(int i, CancellationToken ct)
        {
            var e = HubEvent.Create(EventTypes.AppointmentCancelled, $"{prefix}/{i}", new { i }, clock, new OperationIdSource(), hub: "hangzhou");
            await outbox.CommitAsync(table, $"{prefix}-{i}",
                [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity($"{prefix}-{i}", "thing") { ["Status"] = "cancelled" })], [e], ct);
            expected.Add(e.Id);
        }

        for (var i = 0; i < 30; i++)
        {
            await CommitOneAsync(i, CancellationToken.None);
            await Task.Delay(100);
        }

        await Parallel.ForAsync(30, 130, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) => await CommitOneAsync(i, ct));

        var published = await PublishedAsync(prefix, 130, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(2));
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
    }

    /// <summary>Refuses every single-entity delete on one table, as storage that went away would (not retried by the SDK).</summary>
    private sealed class RefuseDeletes(string table) : StorageClientPolicy
    {
        public volatile bool Armed = true;

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (Armed && message.Request.Method == Azure.Core.RequestMethod.Delete && message.Request.Uri.Path.Contains("/" + table + "(", StringComparison.Ordinal))
            {
                throw new Azure.RequestFailedException(503, "Injected fault: the outbox row delete was refused.");
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task A_pass_whose_cleanup_failed_after_delivering_sends_its_events_again_with_the_same_ids_once_the_lease_runs_out()
    {
        // The relay publishes first and deletes outbox rows behind it. If the deletes fail (storage
        // gone, process killed during cleanup), the events are already delivered; their intents stay
        // claimed, and once the lease runs out the next pass sends them again with the same ids.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("cleanup");
        var fault = new RefuseDeletes(_stateTable);
        var sent = new List<(HubEvent Event, OutboxPointer Pointer)>();
        using (var failing = Process(clock, fault: fault))
        {
            for (var i = 0; i < 5; i++)
            {
                sent.Add(await CommitAsync(failing, $"{prefix}-{i}", "thing"));
            }

            await Assert.ThrowsAsync<Azure.RequestFailedException>(() => failing.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
            var delivered = await PublishedAsync(prefix, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
            Assert.Equal(sent.Select(s => s.Event.Id).Order(), delivered.Select(d => d.Id).Order());
        }

        foreach (var (_, pointer) in sent)
        {
            Assert.True(await RowExists(pointer.PartitionKey, pointer.RowKey));
            Assert.True(await IntentExists(pointer));
        }

        using (var restarted = Process(clock))
        {
            var relay = restarted.GetRequiredService<OutboxRelay>();
            Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
            clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
            Assert.Equal(5, await relay.SweepAsync(CancellationToken.None));
        }

        var again = await PublishedAsync(prefix, 5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.Equal(sent.Select(s => s.Event.Id).Order(), again.Select(d => d.Id).Order());
        foreach (var (_, pointer) in sent)
        {
            Assert.False(await RowExists(pointer.PartitionKey, pointer.RowKey));
            Assert.False(await IntentExists(pointer));
        }
    }

    [Fact]
    public async Task A_commit_whose_response_was_lost_is_recognised_as_stored_and_its_event_published_once()
    {
        // The SDK sends the batch, storage commits it, the answer is lost; the SDK sends it again and
        // the second try meets the first try's rows (409). Before the outbox owned this question,
        // the caller got TableTransactionFailedException for a change that was stored.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fault = new LoseResponses(_stateTable);
        using var process = Process(clock, fault: fault);
        var prefix = TestStorage.Unique("lost");
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/thing", new { prefix }, clock, new OperationIdSource());

        fault.Arm(batches: 1);
        var outcome = await process.GetRequiredService<TableOutbox>().CommitAsync(table, prefix,
            [new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(prefix, "thing") { ["State"] = "frozen" })], [e], CancellationToken.None);

        Assert.Equal(1, fault.LostBatches);
        Assert.Equal(CommitOutcome.AlreadyCommitted, outcome);
        Assert.True(await RowExists(prefix, "thing"));
        var pointer = new OutboxPointer(_stateTable, prefix, e.Id, TableOutbox.IntentPartitionFor(clock.GetUtcNow()));
        Assert.Equal(RelayOutcome.Published, await process.GetRequiredService<OutboxRelay>().RelayAsync(pointer, CancellationToken.None));
        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(e.Id, published.Id);
    }

    [Fact]
    public async Task A_commit_whose_every_answer_was_lost_is_found_stored_and_does_not_fail()
    {
        // Every try's answer is lost (the first committed, the retries met it): the SDK gives up, and
        // the outbox reads back what it wrote instead of reporting a failure for a stored change.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var fault = new LoseResponses(_stateTable);
        using var process = Process(clock, fault: fault);
        var prefix = TestStorage.Unique("alllost");
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var existing = await table.AddEntityAsync(new TableEntity(prefix, "thing") { ["State"] = "active" });

        fault.Arm(batches: 100);
        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/thing", new { prefix }, clock, new OperationIdSource());
        var outcome = await process.GetRequiredService<TableOutbox>().CommitAsync(table, prefix,
            [new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(prefix, "thing") { ["State"] = "frozen" }, existing.Headers.ETag!.Value)],
            [e], CancellationToken.None);
        fault.Disarm();

        Assert.True(fault.LostBatches >= 2, $"the SDK retried ({fault.LostBatches} answers lost)");
        Assert.Equal(CommitOutcome.AlreadyCommitted, outcome);
        var stored = await table.GetEntityAsync<TableEntity>(prefix, "thing");
        Assert.Equal("frozen", stored.Value.GetString("State"));
        Assert.True(await RowExists(prefix, TableOutbox.RowPrefix + e.Id));
    }

    [Fact]
    public async Task A_genuine_conflict_is_a_concurrency_conflict_and_writes_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock);
        var prefix = TestStorage.Unique("conflict");
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var first = await table.AddEntityAsync(new TableEntity(prefix, "thing") { ["State"] = "active" });
        await table.UpdateEntityAsync(new TableEntity(prefix, "thing") { ["State"] = "changed" }, first.Headers.ETag!.Value);

        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/thing", new { prefix }, clock, new OperationIdSource());
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => process.GetRequiredService<TableOutbox>().CommitAsync(table, prefix,
            [new TableTransactionAction(TableTransactionActionType.UpdateMerge, new TableEntity(prefix, "thing") { ["State"] = "frozen" }, first.Headers.ETag!.Value)],
            [e], CancellationToken.None));

        Assert.Equal("changed", (await table.GetEntityAsync<TableEntity>(prefix, "thing")).Value.GetString("State"));
        Assert.False(await RowExists(prefix, TableOutbox.RowPrefix + e.Id));
    }
}
