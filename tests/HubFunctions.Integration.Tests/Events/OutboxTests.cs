using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>The transactional outbox against Azurite: kill points, the sweeper, 1,000 concurrent commits.</summary>
[Collection(QueueCollection.Name)]
public sealed class OutboxTests
{
    private const string StateTable = "testthings";

    /// <summary>Stops the relay at a kill point as if the process died there.</summary>
    private sealed class KillPoint(bool beforePublish, bool afterPublish) : IOutboxRelayHooks
    {
        public Task BeforePublishAsync(HubEvent hubEvent) => beforePublish ? throw new ProcessKilled() : Task.CompletedTask;

        public Task AfterPublishAsync(HubEvent hubEvent) => afterPublish ? throw new ProcessKilled() : Task.CompletedTask;
    }

    private sealed class ProcessKilled : Exception;

    /// <summary>The app's own registrations (storage, events) with a fake clock and chosen hooks: one "process".</summary>
    private static ServiceProvider Process(FakeTimeProvider clock, IOutboxRelayHooks? hooks = null, IEventPublisher? publisher = null)
        => TestServices.Build(clock, services =>
        {
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

    private static async Task<(HubEvent Event, OutboxPointer Pointer)> CommitAsync(IServiceProvider process, string subjectPrefix, string thing)
    {
        var storage = process.GetRequiredService<HubStorage>();
        var table = await storage.TableAsync(StateTable);
        var clock = process.GetRequiredService<TimeProvider>();
        var e = HubEvent.Create(EventTypes.SellerFrozen, $"{subjectPrefix}/{thing}", new { thing }, clock, new HubFunctions.Infrastructure.Common.OperationIdSource(), sellerId: "demo-seller", hub: "hangzhou");
        await process.GetRequiredService<TableOutbox>().CommitAsync(table, subjectPrefix,
            [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(subjectPrefix, thing) { ["State"] = "frozen" })],
            [e], CancellationToken.None);
        return (e, new OutboxPointer(StateTable, subjectPrefix, e.Id, TableOutbox.IntentPartitionFor(clock.GetUtcNow())));
    }

    private static async Task<bool> RowExists(string partition, string rowKey)
        => (await TestStorage.Tables().GetTableClient(StateTable).GetEntityIfExistsAsync<TableEntity>(partition, rowKey)).HasValue;

    private static async Task<bool> IntentExists(OutboxPointer p)
        => (await TestStorage.Tables().GetTableClient(TableOutbox.IntentTable).GetEntityIfExistsAsync<TableEntity>(p.IntentPartition, p.EventId)).HasValue;

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
        var table = await process.GetRequiredService<HubStorage>().TableAsync(StateTable);
        var doomed = HubEvent.Create(EventTypes.SellerFrozen, $"{prefix}/b", new { }, clock, new HubFunctions.Infrastructure.Common.OperationIdSource());
        await Assert.ThrowsAsync<TableTransactionFailedException>(() => process.GetRequiredService<TableOutbox>().CommitAsync(table, prefix,
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
        var published = await EventSink.TakeAsync($"{prefix}/b", 1, TimeSpan.FromSeconds(1), TimeSpan.Zero);
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

        Assert.Empty(await EventSink.TakeAsync(prefix, 1, TimeSpan.FromSeconds(1), TimeSpan.Zero));
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

        var published = await EventSink.TakeAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
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

        var published = await EventSink.TakeAsync(prefix, 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
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
        Assert.Single(await EventSink.TakeAsync(prefix, 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task No_event_is_lost_or_duplicated_when_1000_state_changes_commit_concurrently()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["RelayOutbox", "SweepOutbox"]);
        _ = factory.Server;
        var outbox = factory.Services.GetRequiredService<TableOutbox>();
        var table = await factory.Services.GetRequiredService<HubStorage>().TableAsync(StateTable);
        var clock = factory.Services.GetRequiredService<TimeProvider>();
        var prefix = TestStorage.Unique("thousand");

        var expected = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 1000), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (i, ct) =>
        {
            var partition = $"{prefix}-{i % 25}";
            var e = HubEvent.Create(EventTypes.AppointmentCancelled, $"{prefix}/{i}", new { i }, clock, new HubFunctions.Infrastructure.Common.OperationIdSource(), hub: "hangzhou");
            await outbox.CommitAsync(table, partition,
                [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, $"thing-{i}") { ["Status"] = "cancelled" })],
                [e], ct);
            expected.Add(e.Id);
        });

        var published = await EventSink.TakeAsync(prefix, 1000, TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(3));

        Assert.Equal(1000, expected.Count);
        Assert.Equal(1000, published.Count);
        Assert.Equal(expected.Order(), published.Select(p => p.Id).Order());
        var leftovers = TestStorage.Tables().GetTableClient(StateTable)
            .QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo(prefix) >= 0 && e.PartitionKey.CompareTo(prefix + "~") < 0 && e.RowKey.CompareTo("outbox|") >= 0 && e.RowKey.CompareTo("outbox}") < 0);
        Assert.Empty(await leftovers.ToListAsync());
    }
}
