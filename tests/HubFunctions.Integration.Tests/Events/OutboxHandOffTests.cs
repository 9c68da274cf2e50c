using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// The in-process hand-off of committed intents (<see cref="OutboxHandOff"/>) against Azurite: no
/// "Committed" mark write per commit, a committer that dies after its commit, a hand-off that comes
/// after the sweeper took its intent, two processes on one storage, a full hand-off. Each test runs
/// on its own tables and queues, so a sweep sees only that test's intents.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class OutboxHandOffTests
{
    private readonly StorageNames _names = TestStorage.IsolatedNames();
    private readonly string _stateTable = TestStorage.Unique("things");

    /// <summary>Counts the table transactions this process sends (<see cref="TableWrites.IsTransaction"/>: a <c>$batch</c>, or one entity's plain write).</summary>
    private sealed class CountBatches : StorageClientPolicy
    {
        private int _batches;

        public int Batches => Volatile.Read(ref _batches);

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (TableWrites.IsTransaction(message.Request))
            {
                Interlocked.Increment(ref _batches);
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    private ServiceProvider Process(FakeTimeProvider clock, StorageClientPolicy? policy = null, IOutboxRelayHooks? hooks = null, int? handOffCapacity = null)
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
            if (handOffCapacity is { } capacity)
            {
                services.Configure<EventsOptions>(o => o.HandOffCapacity = capacity);
            }
        });

    private async Task<(HubEvent Event, OutboxPointer Pointer)> CommitAsync(IServiceProvider process, string partition, string thing)
    {
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        var clock = process.GetRequiredService<TimeProvider>();
        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{partition}/{thing}", new { thing }, clock, new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");
        Assert.Equal(CommitOutcome.Committed, await process.GetRequiredService<TableOutbox>().CommitAsync(table, partition,
            [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, thing) { ["State"] = "frozen" })],
            [e], CancellationToken.None));
        return (e, new OutboxPointer(_stateTable, partition, e.Id, TableOutbox.IntentPartitionFor(clock.GetUtcNow())));
    }

    private async Task<HubEvent> CommitAsync(IServiceProvider process, string partition, HubEvent e)
    {
        var table = await process.GetRequiredService<HubStorage>().TableAsync(_stateTable);
        Assert.Equal(CommitOutcome.Committed, await process.GetRequiredService<TableOutbox>().CommitAsync(table, partition,
            [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, "thing") { ["State"] = "frozen" })],
            [e], CancellationToken.None));
        return e;
    }

    private static HubEvent Event(IServiceProvider process, string subject)
        => HubEvent.Create(EventTypes.SellerFrozen, subject, new { subject }, process.GetRequiredService<TimeProvider>(), new OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");

    /// <summary>Commits one event in each of <paramref name="count"/> partitions while the first commit's intents write is held; returns all events.</summary>
    private async Task<List<HubEvent>> CommitWhileHeldAsync(IServiceProvider process, HoldFirstWrite hold, string prefix, int count, Func<int, HubEvent, HubEvent>? reuse = null, int? queued = null)
    {
        var first = Task.Run(() => CommitAsync(process, $"{prefix}-first", Event(process, $"{prefix}-first/thing")));
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var firstOfWaiting = Event(process, $"{prefix}-0/thing");
        var waiting = Enumerable.Range(0, count).Select(i =>
        {
            var e = i == 0 ? firstOfWaiting : Event(process, $"{prefix}-{i}/thing");
            return Task.Run(() => CommitAsync(process, $"{prefix}-{i}", reuse?.Invoke(i, firstOfWaiting) ?? e));
        }).ToList();
        var writer = process.GetRequiredService<TableGroupCommit>();
        while (writer.Waiting < (queued ?? count))
        {
            await Task.Delay(10);
        }

        hold.Release();
        return [await first, .. await Task.WhenAll(waiting)];
    }

    [Fact]
    public async Task Commits_made_while_an_intents_write_runs_share_the_next_ones_of_at_most_100_rows_and_each_is_claimed_under_its_own_etag()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hold = new HoldFirstWrite();
        using var process = Process(clock, hold);
        var prefix = TestStorage.Unique("grouped");
        var events = await CommitWhileHeldAsync(process, hold, prefix, 150);

        // The first commit's intents alone, then the 150 waiting commits' intents in two transactions (100 + 50), then 151
        // state transactions: 154, against 302 with one intents transaction per commit.
        Assert.Equal(1 + 2 + 151, hold.Writes);

        // The hand-off claims each intent under the ETag its grouped write gave it: a wrong one would fail the claim and the
        // relay would leave the intent.
        Assert.Equal(151, await process.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        var published = await PublishedAsync(prefix, 151, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal(events.Select(e => e.Id).Order(), published.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task Two_waiting_commits_with_the_same_event_do_not_share_an_intents_transaction()
    {
        // The same event in two commits (as a retried operation makes it): its intent row must not appear twice in one
        // transaction, which Azure refuses. The second commit's intents do not wait behind the first's: they go alone.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hold = new HoldFirstWrite();
        using var process = Process(clock, hold);
        await CommitWhileHeldAsync(process, hold, TestStorage.Unique("same-event"), 2, (i, first) => first, queued: 1);
        Assert.Equal(1 + 2 + 3, hold.Writes);
    }

    private async Task<TableEntity?> IntentAsync(OutboxPointer p)
    {
        var found = await TestStorage.Tables().GetTableClient(_names.OutboxIntentsTable).GetEntityIfExistsAsync<TableEntity>(p.IntentPartition, p.EventId);
        return found.HasValue ? found.Value : null;
    }

    private async Task<bool> RowExists(OutboxPointer p)
        => (await TestStorage.Tables().GetTableClient(_stateTable).GetEntityIfExistsAsync<TableEntity>(p.PartitionKey, p.RowKey)).HasValue;

    private Task<List<HubEvent>> PublishedAsync(string subjectPrefix, int expected, TimeSpan timeout, TimeSpan settle)
        => EventSink.TakeAsync(_names, subjectPrefix, expected, timeout, settle);

    [Fact]
    public async Task Events_committed_are_handed_to_the_relay_in_process_and_published_without_a_mark_write()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new CountBatches();
        using var process = Process(clock, counter);
        var prefix = TestStorage.Unique("handoff");
        await CommitAsync(process, TestStorage.Unique("warm"), "thing");
        Assert.Equal(1, await process.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));

        // Two transactions per commit with events: the intents' upsert and the state's own. No third
        // one marking the intents committed; the intent stays as written until the relay claims it.
        var before = counter.Batches;
        var (e, pointer) = await CommitAsync(process, prefix, "thing");
        Assert.Equal(2, counter.Batches - before);
        var intent = await IntentAsync(pointer);
        Assert.NotNull(intent);
        Assert.Null(intent.GetBoolean(TableOutbox.CommittedProperty));
        Assert.Null(intent.GetDateTimeOffset("LeaseUntil"));
        Assert.Equal(1, process.GetRequiredService<OutboxHandOff>().Count);

        Assert.Equal(1, await process.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(e.Id, published.Id);
        Assert.Null(await IntentAsync(pointer));
        Assert.False(await RowExists(pointer));
        Assert.Equal(0, process.GetRequiredService<OutboxHandOff>().Count);
    }

    [Fact]
    public async Task A_committer_that_dies_after_its_commit_leaves_an_unmarked_intent_the_sweeper_publishes_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("handoff-dead");
        HubEvent e;
        OutboxPointer pointer;
        using (var dying = Process(clock))
        {
            // Committed and handed off; the process dies before any relay pass took the hand-off.
            (e, pointer) = await CommitAsync(dying, prefix, "thing");
            Assert.Equal(1, dying.GetRequiredService<OutboxHandOff>().Count);
        }

        Assert.True(await RowExists(pointer));
        Assert.Null((await IntentAsync(pointer))!.GetBoolean(TableOutbox.CommittedProperty));

        using var survivor = Process(clock);
        var relay = survivor.GetRequiredService<OutboxRelay>();
        Assert.Equal(0, await relay.RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));
        clock.Advance(OutboxRelay.SweepMinAge + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await relay.SweepAsync(CancellationToken.None));
        Assert.Equal(0, await relay.SweepAsync(CancellationToken.None));

        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2)));
        Assert.Equal(e.Id, published.Id);
        Assert.Null(await IntentAsync(pointer));
        Assert.False(await RowExists(pointer));
    }

    [Fact]
    public async Task A_hand_off_relayed_after_another_relay_took_its_intent_is_not_published_twice()
    {
        // A slow process: its hand-off waits longer than the sweep age, and another process's sweeper
        // takes the intents first (and dies before publishing, holding their lease). The slow pass's
        // claim carries the upsert's ETag and fails, so it publishes nothing; once the lease ran out,
        // the sweeper publishes each event once.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("handoff-late");
        using var slow = Process(clock);
        var (a, _) = await CommitAsync(slow, $"{prefix}-a", "thing");
        var (b, _) = await CommitAsync(slow, $"{prefix}-b", "thing");
        clock.Advance(OutboxRelay.SweepMinAge + TimeSpan.FromSeconds(1));

        using (var dying = Process(clock, hooks: new KilledBeforePublish()))
        {
            Assert.Equal(0, await dying.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None));
        }

        Assert.Equal(0, await slow.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, slow.GetRequiredService<OutboxHandOff>().Count);
        Assert.Empty(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero));

        clock.Advance(OutboxRelay.Lease + TimeSpan.FromSeconds(1));
        using var other = Process(clock);
        Assert.Equal(2, await other.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None));

        var published = await PublishedAsync(prefix, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        Assert.Equal(new[] { a.Id, b.Id }.Order(), published.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task No_event_is_published_twice_in_the_normal_path_and_each_process_relays_its_own_hand_off()
    {
        // Two processes on one storage commit concurrently; each relay pass takes only its own
        // process's hand-off. Later passes and sweeps (after every lease and sweep age) find nothing.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var prefix = TestStorage.Unique("handoff-two");
        using var first = Process(clock);
        using var second = Process(clock);
        var expected = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForAsync(0, 40, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            expected.Add((await CommitAsync(i % 2 == 0 ? first : second, $"{prefix}-{i}", "thing")).Event.Id));

        Assert.Equal(20, await second.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(20, first.GetRequiredService<OutboxHandOff>().Count);
        Assert.Equal(20, await first.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        Assert.Equal(0, await first.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        clock.Advance(OutboxRelay.Lease + OutboxRelay.SweepMinAge);
        Assert.Equal(0, await second.GetRequiredService<OutboxRelay>().SweepAsync(CancellationToken.None));

        var published = await PublishedAsync(prefix, 40, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task A_commit_that_does_not_fit_the_hand_off_marks_its_intents_committed_and_is_relayed_as_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var process = Process(clock, handOffCapacity: 0);
        var prefix = TestStorage.Unique("handoff-full");
        var (e, pointer) = await CommitAsync(process, prefix, "thing");
        Assert.Equal(0, process.GetRequiredService<OutboxHandOff>().Count);
        Assert.True((await IntentAsync(pointer))!.GetBoolean(TableOutbox.CommittedProperty));

        // Another process's pass finds the marked intent by its query.
        using var other = Process(clock);
        Assert.Equal(1, await other.GetRequiredService<OutboxRelay>().RelayCommittedAsync(CancellationToken.None));
        var published = Assert.Single(await PublishedAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
        Assert.Equal(e.Id, published.Id);
    }
}
