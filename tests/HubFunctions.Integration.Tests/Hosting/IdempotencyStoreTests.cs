using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>
/// The webhook-id store against Azurite, with a fake clock: day buckets and stale entries. Each test
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
        Assert.True(await store.PurgeAsync(CancellationToken.None) >= 1);
        Assert.IsType<IdempotencyBegin.Started>(await store.BeginAsync(client, "msg_1", "f", CancellationToken.None));
    }

    [Fact]
    public async Task A_message_recognised_from_yesterday_leaves_no_entry_in_todays_bucket()
    {
        // Yesterday's bucket is read while today's entry is inserted; when yesterday's decides, today's insert is undone.
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
        Assert.False((await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("20200311|" + client, "msg_y")).HasValue);
        Assert.True((await table.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>("20200310|" + client, "msg_y")).HasValue);
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
        Assert.True(await store.PurgeAsync(CancellationToken.None) >= 1);
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
}
