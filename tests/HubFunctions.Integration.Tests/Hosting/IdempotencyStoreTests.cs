using HubFunctions.Infrastructure.Idempotency;
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
}
