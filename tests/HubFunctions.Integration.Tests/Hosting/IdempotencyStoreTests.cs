using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>
/// The webhook-id store against Azurite, with a fake clock: the window across UTC days, stale entries, the purge. Each test
/// has its own idempotency table, so its purge deletes only its own entries.
/// </summary>
public sealed class IdempotencyStoreTests
{
    private static (ServiceProvider Provider, TableIdempotencyStore Store) Store(FakeTimeProvider clock)
    {
        var provider = TestServices.Build(clock, TestStorage.IsolatedNames(), services => services.AddSingleton<TableIdempotencyStore>());
        return (provider, provider.GetRequiredService<TableIdempotencyStore>());
    }

    /// <summary>A store whose storage clients lose the answers of armed writes on its idempotency table.</summary>
    private static (ServiceProvider Provider, TableIdempotencyStore Store, LoseWriteAnswers Fault) StoreWithLostAnswers(FakeTimeProvider clock)
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseWriteAnswers(names.IdempotencyTable);
        var provider = TestServices.Build(clock, names, services => services
            .AddSingleton<StorageClientPolicy>(fault)
            .AddSingleton<TableIdempotencyStore>());
        return (provider, provider.GetRequiredService<TableIdempotencyStore>(), fault);
    }

    /// <summary>Counts this process's requests to one table, by HTTP method.</summary>
    private sealed class CountCalls(string table) : StorageClientPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _calls = new();

        public IReadOnlyDictionary<string, int> Calls => new Dictionary<string, int>(_calls);

        public void Reset() => _calls.Clear();

        public override void Process(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var path = message.Request.Uri.Path;
            if (path.EndsWith("/" + table, StringComparison.Ordinal) || path.Contains("/" + table + "(", StringComparison.Ordinal))
            {
                _calls.AddOrUpdate(message.Request.Method.Method, 1, (_, n) => n + 1);
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    private static StoredResponse Ok => new(201, "application/json", null, "{\"n\":1}"u8.ToArray());

    [Fact]
    public async Task A_finished_message_is_recognised_the_next_day_and_forgotten_after_the_purge()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 3, 10, 23, 50, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
        await store.CompleteAsync(started.Lease, Ok, CancellationToken.None);

        clock.Advance(TimeSpan.FromHours(20)); // next UTC day
        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
        Assert.Equal(201, replay.Response.Status);
        Assert.Equal("{\"n\":1}", System.Text.Encoding.UTF8.GetString(replay.Response.Body));

        clock.Advance(TimeSpan.FromDays(1)); // two days on: outside the window, and purged
        Assert.True((await store.PurgeAsync(CancellationToken.None)).Deleted >= 1);
        Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
    }

    [Fact]
    public async Task A_message_recognised_the_next_day_leaves_no_second_entry()
    {
        // (Before the keys stopped depending on the day, this test checked that today's bucket held nothing: the entry
        // inserted there beside yesterday's was deleted again. Now one entry is all there is.)
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 3, 10, 23, 50, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_y", "f", CancellationToken.None));
        await store.CompleteAsync(started.Lease, Ok, CancellationToken.None);

        clock.Advance(TimeSpan.FromMinutes(20)); // next UTC day
        Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_y", "f", CancellationToken.None));
        Assert.IsType<IdempotencyBegin.Mismatch>(await store.BeginAsync(client, "msg_y", "other", CancellationToken.None));

        var table = TestStorage.Tables().GetTableClient(provider.GetRequiredService<HubStorage>().Names.IdempotencyTable);
        var entry = Assert.Single(await table.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == "msg_y").ToListAsync());
        Assert.Equal(TableIdempotencyStore.KeysOf(client, "msg_y").PartitionKey, entry.PartitionKey);
        Assert.Equal("done", entry.GetString("State"));
        Assert.Equal(new DateTimeOffset(2020, 3, 10, 23, 50, 0, TimeSpan.Zero), entry.GetDateTimeOffset("StartedAt"));
    }

    [Fact]
    public async Task A_request_that_died_is_taken_over_after_the_takeover_time_also_across_midnight()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 3, 10, 23, 59, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_dead", "f", CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(2)); // past midnight, still inside the takeover time
        Assert.IsType<IdempotencyBegin.InProgress>(await store.BeginAsync(client, "msg_dead", "f", CancellationToken.None));

        clock.Advance(TableIdempotencyStore.PendingTakeover);
        var taken = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_dead", "f", CancellationToken.None));
        await store.CompleteAsync(taken.Lease, Ok, CancellationToken.None);
        Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_dead", "f", CancellationToken.None));
        Assert.IsType<IdempotencyBegin.Mismatch>(await store.BeginAsync(client, "msg_dead", "other", CancellationToken.None));
    }

    [Fact]
    public async Task A_large_outcome_is_kept_in_a_blob_replayed_byte_for_byte_and_purged_with_its_day()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 5, 20, 12, 0, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");

        // Random bytes do not compress: larger than the entry can hold.
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(TableIdempotencyStore.MaxStoredBytes + 100_000);
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_big", "f", CancellationToken.None));
        await store.CompleteAsync(started.Lease, new StoredResponse(200, "application/octet-stream", "/x", body), CancellationToken.None);

        // A retry of the same completion overwrites its own blob.
        await store.CompleteAsync(started.Lease with { ETag = Azure.ETag.All }, new StoredResponse(200, "application/octet-stream", "/x", body), CancellationToken.None);

        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_big", "f", CancellationToken.None));
        Assert.Equal(200, replay.Response.Status);
        Assert.Equal("application/octet-stream", replay.Response.ContentType);
        Assert.Equal("/x", replay.Response.Location);
        Assert.True(body.AsSpan().SequenceEqual(replay.Response.Body), "the replayed body differs from the first");

        var blob = new BlobContainerClient(TestStorage.ConnectionString, provider.GetRequiredService<HubFunctions.Infrastructure.Storage.HubStorage>().Names.IdempotencyBodiesContainer)
            .GetBlobClient(TableIdempotencyStore.BodyBlobName(started.Lease.PartitionKey, started.Lease.RowKey));
        Assert.True((await blob.ExistsAsync()).Value);

        clock.Advance(TimeSpan.FromDays(2));
        Assert.True((await store.PurgeAsync(CancellationToken.None)).Deleted >= 1);
        Assert.False((await blob.ExistsAsync()).Value);
        Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_big", "f", CancellationToken.None));
    }

    [Fact]
    public async Task A_large_outcome_whose_blob_was_changed_is_never_replayed()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 6, 20, 12, 0, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(TableIdempotencyStore.MaxStoredBytes + 1);
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_big", "f", CancellationToken.None));
        await store.CompleteAsync(started.Lease, new StoredResponse(200, "application/octet-stream", null, body), CancellationToken.None);

        var blob = new BlobContainerClient(TestStorage.ConnectionString, provider.GetRequiredService<HubFunctions.Infrastructure.Storage.HubStorage>().Names.IdempotencyBodiesContainer)
            .GetBlobClient(TableIdempotencyStore.BodyBlobName(started.Lease.PartitionKey, started.Lease.RowKey));
        await blob.UploadAsync(new BinaryData(new byte[] { 0x1f, 0x8b }), overwrite: true);

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.BeginAsync(client, "msg_big", "f", CancellationToken.None));
    }

    [Fact]
    public async Task An_insert_resent_by_the_sdk_after_its_answer_was_lost_is_this_attempts_own_start_not_in_progress()
    {
        // Under load the first try's answer comes too late; the SDK re-sends the insert and gets 409
        // from its own row. That is this attempt's start; a genuinely concurrent attempt is not.
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 7, 1, 12, 0, 0, TimeSpan.Zero));
        var (provider, store, fault) = StoreWithLostAnswers(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");

        fault.Arm(RequestMethod.Post);
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_slow", "f", CancellationToken.None));
        Assert.Equal(1, fault.Lost);

        Assert.IsType<IdempotencyBegin.InProgress>(await store.BeginAsync(client, "msg_slow", "f", CancellationToken.None));

        // The completion's answer is lost too: the re-sent merge gets 412 from its own write.
        fault.Arm(RequestMethod.Patch);
        await store.CompleteAsync(started.Lease, Ok, CancellationToken.None);
        Assert.Equal(2, fault.Lost);

        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_slow", "f", CancellationToken.None));
        Assert.Equal(201, replay.Response.Status);
    }

    [Fact]
    public async Task A_takeover_resent_by_the_sdk_after_its_answer_was_lost_is_this_attempts_own_and_the_dead_attempt_cannot_complete()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 7, 2, 12, 0, 0, TimeSpan.Zero));
        var (provider, store, fault) = StoreWithLostAnswers(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        var dead = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_takeover", "f", CancellationToken.None));

        clock.Advance(TableIdempotencyStore.PendingTakeover);
        fault.Arm(RequestMethod.Put);
        var taken = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_takeover", "f", CancellationToken.None));
        Assert.Equal(1, fault.Lost);

        Assert.IsType<IdempotencyBegin.InProgress>(await store.BeginAsync(client, "msg_takeover", "f", CancellationToken.None));

        // The attempt that was taken over meets a genuine conflict, not its own write.
        var conflict = await Assert.ThrowsAsync<RequestFailedException>(() => store.CompleteAsync(dead.Lease, Ok, CancellationToken.None));
        Assert.Equal(412, conflict.Status);

        await store.CompleteAsync(taken.Lease, Ok, CancellationToken.None);
        Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_takeover", "f", CancellationToken.None));

        // Nor can it complete after the taker did.
        conflict = await Assert.ThrowsAsync<RequestFailedException>(() => store.CompleteAsync(dead.Lease, Ok, CancellationToken.None));
        Assert.Equal(412, conflict.Status);
    }

    [Fact]
    public async Task A_message_first_seen_yesterday_is_replayed_by_one_insert_and_one_read_and_a_new_message_begins_with_one_insert()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 3, 10, 22, 0, 0, TimeSpan.Zero));
        var names = TestStorage.IsolatedNames();
        var calls = new CountCalls(names.IdempotencyTable);
        using var provider = TestServices.Build(clock, names, services => services.AddSingleton<StorageClientPolicy>(calls).AddSingleton<TableIdempotencyStore>());
        var store = provider.GetRequiredService<TableIdempotencyStore>();
        var client = TestStorage.Unique("c");
        await provider.GetRequiredService<HubStorage>().TableAsync(names.IdempotencyTable, CancellationToken.None);

        calls.Reset();
        var started = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
        Assert.Equal(new Dictionary<string, int> { ["POST"] = 1 }, calls.Calls);
        await store.CompleteAsync(started.Lease, Ok, CancellationToken.None);

        clock.Advance(TimeSpan.FromHours(20)); // 18:00 the next UTC day
        calls.Reset();
        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
        Assert.Equal(201, replay.Response.Status);
        Assert.Equal("{\"n\":1}", System.Text.Encoding.UTF8.GetString(replay.Response.Body));
        Assert.Equal(new Dictionary<string, int> { ["POST"] = 1, ["GET"] = 1 }, calls.Calls);
        Assert.IsType<IdempotencyBegin.Mismatch>(await store.BeginAsync(client, "msg_1", "other", CancellationToken.None));
    }

    [Fact]
    public async Task An_entry_started_before_yesterday_counts_as_absent_before_the_purge_also_with_another_body()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 9, 10, 23, 0, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var client = TestStorage.Unique("c");
        var first = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_exp", "f", CancellationToken.None));
        await store.CompleteAsync(first.Lease, Ok, CancellationToken.None);

        clock.Advance(new TimeSpan(24, 59, 0)); // 2020-09-11 23:59: still recognised
        Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_exp", "f", CancellationToken.None));
        Assert.IsType<IdempotencyBegin.Mismatch>(await store.BeginAsync(client, "msg_exp", "other", CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(2)); // 2020-09-12 00:01: the entry started before yesterday
        var again = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_exp", "other", CancellationToken.None));
        await store.CompleteAsync(again.Lease, new StoredResponse(422, "application/problem+json", null, "{}"u8.ToArray()), CancellationToken.None);
        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_exp", "other", CancellationToken.None));
        Assert.Equal(422, replay.Response.Status);
        Assert.IsType<IdempotencyBegin.Mismatch>(await store.BeginAsync(client, "msg_exp", "f", CancellationToken.None));
    }

    [Fact]
    public async Task The_purge_deletes_every_expired_entry_of_partitions_holding_several_batches_and_keeps_the_recent_ones()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 3, 3, 30, 0, TimeSpan.Zero));
        var names = TestStorage.IsolatedNames();
        var batches = new CountCalls("$batch"); // every transaction's path ends in /$batch
        using var provider = TestServices.Build(clock, names, services => services.AddSingleton<StorageClientPolicy>(batches).AddSingleton<TableIdempotencyStore>());
        var store = provider.GetRequiredService<TableIdempotencyStore>();
        var table = await provider.GetRequiredService<HubStorage>().TableAsync(names.IdempotencyTable, CancellationToken.None);
        var client = TestStorage.Unique("c");
        var expired = new DateTimeOffset(2020, 8, 1, 12, 0, 0, TimeSpan.Zero); // before 2020-08-02 00:00: outside the window
        var recent = new DateTimeOffset(2020, 8, 2, 12, 0, 0, TimeSpan.Zero);
        (string Partition, int Expired, int Recent)[] layout = [($"{client}|0", 250, 20), ($"{client}|1", 230, 0), ($"{client}|2", 30, 5)];
        foreach (var (partition, old, young) in layout)
        {
            var rows = Enumerable.Range(0, old).Select(i => new Azure.Data.Tables.TableEntity(partition, $"old_{i:D3}") { ["State"] = "done", ["StartedAt"] = expired })
                .Concat(Enumerable.Range(0, young).Select(i => new Azure.Data.Tables.TableEntity(partition, $"new_{i:D3}") { ["State"] = "done", ["StartedAt"] = recent }));
            foreach (var chunk in rows.Chunk(100))
            {
                await table.SubmitTransactionAsync(chunk.Select(e => new Azure.Data.Tables.TableTransactionAction(Azure.Data.Tables.TableTransactionActionType.Add, e)));
            }
        }

        batches.Reset();
        Assert.Equal(510, (await store.PurgeAsync(CancellationToken.None)).Deleted);

        var left = (await table.QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync()).Select(e => (e.PartitionKey, e.RowKey)).ToHashSet();
        var expected = layout.SelectMany(l => Enumerable.Range(0, l.Recent).Select(i => (l.Partition, $"new_{i:D3}"))).ToHashSet();
        Assert.Equal(expected, left);
        // 250 + 230 + 30 expired rows: 3 + 3 + 1 batches of at most 100 deletes of one partition each.
        Assert.Equal(7, batches.Calls["POST"]);
    }

    [Fact]
    public async Task An_entry_started_before_yesterday_is_purged_with_its_blob_and_one_since_is_not_old_layout_entries_and_blobs_too()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 1, 10, 0, 0, TimeSpan.Zero));
        var (provider, store) = Store(clock);
        using var _ = provider;
        var names = provider.GetRequiredService<HubStorage>().Names;
        var client = TestStorage.Unique("c");
        var large = new StoredResponse(200, "application/octet-stream", null, System.Security.Cryptography.RandomNumberGenerator.GetBytes(TableIdempotencyStore.MaxStoredBytes + 1));
        var old = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_old", "f", CancellationToken.None));
        await store.CompleteAsync(old.Lease, large, CancellationToken.None);

        clock.Advance(TimeSpan.FromHours(23)); // 2020-08-02 09:00
        var kept = Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_new", "f", CancellationToken.None));
        await store.CompleteAsync(kept.Lease, large, CancellationToken.None);

        // Entries and blobs of the day-bucket layout, as a developer's Azurite may hold them.
        var table = TestStorage.Tables().GetTableClient(names.IdempotencyTable);
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("20200801|" + client, "legacy_old") { ["State"] = "done", ["StartedAt"] = new DateTimeOffset(2020, 8, 1, 12, 0, 0, TimeSpan.Zero) });
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("20200802|" + client, "legacy_new") { ["State"] = "done", ["StartedAt"] = new DateTimeOffset(2020, 8, 2, 1, 0, 0, TimeSpan.Zero) });
        var bodies = new BlobContainerClient(TestStorage.ConnectionString, names.IdempotencyBodiesContainer);
        await bodies.UploadBlobAsync("20200801/legacyold", new BinaryData("x"u8.ToArray()));
        await bodies.UploadBlobAsync("20200802/legacynew", new BinaryData("x"u8.ToArray()));

        clock.Advance(new TimeSpan(18, 30, 0)); // 2020-08-03 03:30, the purge's time: entries since 2020-08-02 00:00 stay
        Assert.Equal(2, (await store.PurgeAsync(CancellationToken.None)).Deleted);

        var left = (await table.QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync()).Select(e => e.RowKey).Order(StringComparer.Ordinal);
        Assert.Equal(["legacy_new", "msg_new"], left);
        var blobs = new List<string>();
        await foreach (var blob in bodies.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(new[] { "20200802/legacynew", TableIdempotencyStore.BodyBlobName(kept.Lease.PartitionKey, kept.Lease.RowKey) }.Order(StringComparer.Ordinal), blobs.Order(StringComparer.Ordinal));
        var replay = Assert.IsType<IdempotencyBegin.Replay>(await store.BeginAsync(client, "msg_new", "f", CancellationToken.None));
        Assert.True(large.Body.AsSpan().SequenceEqual(replay.Response.Body));
        Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_old", "f", CancellationToken.None));
    }

    /// <summary>A store whose configured clients are <paramref name="clients"/> (<c>Hub:Clients</c>), with purge settings.</summary>
    private static (ServiceProvider Provider, TableIdempotencyStore Store, Azure.Data.Tables.TableClient Table) PurgeStore(
        FakeTimeProvider clock, IEnumerable<string> clients, Action<IdempotencyPurgeOptions> purge, params StorageClientPolicy[] policies)
    {
        var names = TestStorage.IsolatedNames();
        var provider = TestServices.Build(clock, names, services =>
        {
            foreach (var policy in policies)
            {
                services.AddSingleton(policy);
            }

            services.Configure<HubClientsOptions>(o =>
            {
                foreach (var client in clients)
                {
                    o.Clients[client] = new HubFunctions.Infrastructure.Security.ClientOptions { Role = "platform", Secret = "whsec_" + Convert.ToBase64String(new byte[32]) };
                }
            });
            services.Configure(purge);
            services.AddSingleton<TableIdempotencyStore>();
        });
        var table = provider.GetRequiredService<HubStorage>().TableAsync(names.IdempotencyTable, CancellationToken.None).GetAwaiter().GetResult();
        return (provider, provider.GetRequiredService<TableIdempotencyStore>(), table);
    }

    private static readonly DateTimeOffset PurgeExpired = new(2020, 8, 1, 12, 0, 0, TimeSpan.Zero); // before 2020-08-02 00:00
    private static readonly DateTimeOffset PurgeRecent = new(2020, 8, 2, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Writes <paramref name="expired"/> entries started before the window and <paramref name="recent"/> inside it.</summary>
    private static async Task SeedAsync(Azure.Data.Tables.TableClient table, string partition, int expired, int recent)
    {
        var rows = Enumerable.Range(0, expired).Select(i => new Azure.Data.Tables.TableEntity(partition, $"old_{i:D3}") { ["State"] = "done", ["StartedAt"] = PurgeExpired })
            .Concat(Enumerable.Range(0, recent).Select(i => new Azure.Data.Tables.TableEntity(partition, $"new_{i:D3}") { ["State"] = "done", ["StartedAt"] = PurgeRecent }));
        foreach (var chunk in rows.Chunk(100))
        {
            await table.SubmitTransactionAsync(chunk.Select(e => new Azure.Data.Tables.TableTransactionAction(Azure.Data.Tables.TableTransactionActionType.Add, e)));
        }
    }

    private static async Task<HashSet<(string, string)>> RowsAsync(Azure.Data.Tables.TableClient table)
        => (await table.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["PartitionKey", "RowKey"]).ToListAsync()).Select(e => (e.PartitionKey, e.RowKey)).ToHashSet();

    /// <summary>
    /// Watches every <c>$batch</c>: the partition its first operation names, how many of one partition (and of all) were in
    /// flight at once, and a hook run as each is sent. Holds each batch a little, so batches that may overlap do.
    /// </summary>
    private sealed class WatchBatches(TimeSpan hold, Action? onBatch = null) : StorageClientPolicy
    {
        private readonly object _gate = new();
        private readonly Dictionary<string, int> _inFlight = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _maxInFlight = new(StringComparer.Ordinal);
        private int _all;

        public int MaxInFlightOfAll { get; private set; }

        public int Batches { get; private set; }

        public IReadOnlyDictionary<string, int> MaxInFlightPerPartition
        {
            get
            {
                lock (_gate)
                {
                    return new Dictionary<string, int>(_maxInFlight, StringComparer.Ordinal);
                }
            }
        }

        /// <summary>Forgets the batches seen so far (the test's own seeding).</summary>
        public void Reset()
        {
            lock (_gate)
            {
                _maxInFlight.Clear();
                Batches = 0;
                MaxInFlightOfAll = 0;
            }
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (!message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal) || message.Request.Content is null)
            {
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                return;
            }

            using var body = new MemoryStream();
            await message.Request.Content.WriteToAsync(body, CancellationToken.None).ConfigureAwait(false);
            var match = System.Text.RegularExpressions.Regex.Match(System.Text.Encoding.UTF8.GetString(body.ToArray()), "PartitionKey='([^']*)'");
            var partition = Uri.UnescapeDataString(match.Groups[1].Value);
            lock (_gate)
            {
                Batches++;
                _inFlight[partition] = _inFlight.GetValueOrDefault(partition) + 1;
                _maxInFlight[partition] = Math.Max(_maxInFlight.GetValueOrDefault(partition), _inFlight[partition]);
                MaxInFlightOfAll = Math.Max(MaxInFlightOfAll, ++_all);
            }

            try
            {
                onBatch?.Invoke();
                await Task.Delay(hold).ConfigureAwait(false);
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _inFlight[partition]--;
                    _all--;
                }
            }
        }
    }

    [Fact]
    public async Task The_purge_deletes_the_expired_entries_of_every_partition_of_the_configured_clients_and_of_a_client_no_longer_configured()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 3, 3, 30, 0, TimeSpan.Zero));
        var (a, b, removed) = (TestStorage.Unique("ca"), TestStorage.Unique("cb"), TestStorage.Unique("gone"));
        var batches = new CountCalls("$batch");
        var (provider, store, table) = PurgeStore(clock, [a, b], o => o.PurgeParallelism = 4, batches);
        using var _ = provider;
        (string Partition, int Expired, int Recent)[] layout =
        [
            ($"{a}|0", 150, 3), ($"{a}|7", 40, 0), ($"{a}|f", 0, 4),
            ($"{b}|3", 201, 2), ($"{b}|c", 1, 1),
            ($"{removed}|5", 120, 2), // a client removed from Hub:Clients: only the whole-table pass sees it
            ("20200801|" + a, 3, 0), // the day-bucket layout
        ];
        foreach (var (partition, old, young) in layout)
        {
            await SeedAsync(table, partition, old, young);
        }

        batches.Reset();
        var result = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(150 + 40 + 201 + 1 + 120 + 3, result.Deleted);
        Assert.True(result.Finished);
        Assert.Equal((32, 32, true), (result.KnownPartitions, result.KnownPartitionsDone, result.WholeTablePassDone));
        var expected = layout.SelectMany(l => Enumerable.Range(0, l.Recent).Select(i => (l.Partition, $"new_{i:D3}"))).ToHashSet();
        Assert.Equal(expected, await RowsAsync(table));

        // One batch per 100 entries of a partition: 2 + 1 + 3 + 1 + 2 + 1; none deleted twice by the whole-table pass.
        Assert.Equal(10, batches.Calls["POST"]);
    }

    [Fact]
    public async Task A_purge_whose_budget_is_spent_starts_no_more_batches_reports_what_is_left_and_the_next_run_finishes()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 3, 3, 30, 0, TimeSpan.Zero));
        var client = TestStorage.Unique("c");
        var advances = 0; // armed after the seeding

        // The first batch takes the whole budget (on the app's clock); later ones take no time.
        var watch = new WatchBatches(TimeSpan.Zero, () =>
        {
            if (Interlocked.Decrement(ref advances) == 0)
            {
                clock.Advance(TimeSpan.FromMinutes(1));
            }
        });
        var (provider, store, table) = PurgeStore(clock, [client], o => (o.PurgeBudget, o.PurgeParallelism) = (TimeSpan.FromMinutes(1), 1), watch);
        using var _ = provider;
        await SeedAsync(table, $"{client}|1", 250, 2);
        await SeedAsync(table, $"{client}|2", 150, 0);
        await SeedAsync(table, "20200801|" + client, 5, 0);
        watch.Reset();
        advances = 1;

        var first = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(100, first.Deleted);
        Assert.False(first.Finished);
        Assert.True(first.BlobsDone);
        Assert.Equal(16, first.KnownPartitions);
        Assert.Equal(1, first.KnownPartitionsDone); // partition 0 (empty); 1 stopped after its first batch, 2..f not started
        Assert.Equal(15, first.PartitionsLeft);
        Assert.False(first.WholeTablePassDone); // not started: a known partition was unfinished
        Assert.Equal(1, watch.Batches);
        Assert.Equal(250 + 150 + 5 - 100 + 2, (await RowsAsync(table)).Count);

        var second = await store.PurgeAsync(CancellationToken.None);

        Assert.True(second.Finished);
        Assert.Equal(150 + 150 + 5, second.Deleted);
        Assert.Equal([($"{client}|1", "new_000"), ($"{client}|1", "new_001")], (await RowsAsync(table)).Order());
    }

    [Fact]
    public async Task The_purge_works_on_several_partitions_at_once_but_never_has_two_batches_of_one_partition_in_flight()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 3, 3, 30, 0, TimeSpan.Zero));
        var (a, b) = (TestStorage.Unique("ca"), TestStorage.Unique("cb"));
        var watch = new WatchBatches(TimeSpan.FromMilliseconds(40));
        var (provider, store, table) = PurgeStore(clock, [a, b], o => o.PurgeParallelism = 4, watch);
        using var _ = provider;
        string[] partitions = [$"{a}|0", $"{a}|4", $"{a}|9", $"{b}|1", $"{b}|2", $"{b}|e"];
        foreach (var partition in partitions)
        {
            await SeedAsync(table, partition, 300, 1);
        }

        watch.Reset();
        var result = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(6 * 300, result.Deleted);
        Assert.True(result.Finished);
        Assert.Equal(18, watch.Batches);
        Assert.Equal(partitions.ToDictionary(p => p, _ => 1), watch.MaxInFlightPerPartition);
        Assert.True(watch.MaxInFlightOfAll > 1, "the partitions were purged one after the other");
        Assert.True(watch.MaxInFlightOfAll <= 4, $"{watch.MaxInFlightOfAll} batches in flight with a parallelism of 4");
    }

    /// <summary>Runs <paramref name="action"/> as each request <paramref name="match"/> accepts is sent.</summary>
    private sealed class OnRequest(Func<HttpMessage, bool> match, Action action) : StorageClientPolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            if (match(message))
            {
                action();
            }

            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task A_budget_spent_on_the_outcome_blobs_leaves_the_entries_to_the_next_run_blobs_first()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2020, 8, 3, 3, 30, 0, TimeSpan.Zero));
        var client = TestStorage.Unique("c");
        var advances = 0; // armed after the seeding
        var blobDeletes = new OnRequest(m => m.Request.Method == RequestMethod.Delete && !m.Request.Uri.Path.Contains('(') /* a blob, not an entity */,
            () =>
            {
                if (Interlocked.Decrement(ref advances) == 0)
                {
                    clock.Advance(TimeSpan.FromMinutes(1));
                }
            });
        var (provider, store, table) = PurgeStore(clock, [client], o => o.PurgeBudget = TimeSpan.FromMinutes(1), blobDeletes);
        using var _ = provider;
        await SeedAsync(table, $"{client}|3", 120, 1);
        var bodies = new BlobContainerClient(TestStorage.ConnectionString, provider.GetRequiredService<HubStorage>().Names.IdempotencyBodiesContainer);
        await bodies.CreateIfNotExistsAsync();
        foreach (var name in new[] { "20200801/a", "20200801/b", "20200801/c", "20200802/kept" })
        {
            await bodies.UploadBlobAsync(name, new BinaryData("x"u8.ToArray()));
        }

        advances = 1;
        var first = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal((1, false, 0, 0, false), (first.BlobsDeleted, first.BlobsDone, first.Deleted, first.KnownPartitionsDone, first.Finished));
        Assert.Equal(16, first.PartitionsLeft);
        Assert.Equal(121, (await RowsAsync(table)).Count);

        var second = await store.PurgeAsync(CancellationToken.None);

        Assert.True(second.Finished);
        Assert.Equal((2, 120), (second.BlobsDeleted, second.Deleted));
        var blobs = new List<string>();
        await foreach (var blob in bodies.GetBlobsAsync())
        {
            blobs.Add(blob.Name);
        }

        Assert.Equal(["20200802/kept"], blobs);
        Assert.Equal([($"{client}|3", "new_000")], await RowsAsync(table));
    }
}
