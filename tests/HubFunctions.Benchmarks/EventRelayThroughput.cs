using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>The figures of one run of benchmark (c).</summary>
/// <param name="RelayedPerSecond">Events per second from the start of relaying until the last one was on <c>hub-events</c>.</param>
/// <param name="DrainedPerSecond">Events per second until the relay had also deleted every outbox row and intent (and the relay queue was empty).</param>
/// <param name="Left">Intents (pending events) left in the outbox at the end: 0 when every event was cleaned up.</param>
public sealed record EventRelayResult(int Events, int Concurrency, double CommitsPerSecond, double RelayedPerSecond, double DrainedPerSecond, double RawPerSecond, int Delivered, int RawSent, int Left, IReadOnlyList<string> Breakdown)
{
    public double Ratio => RelayedPerSecond / RawPerSecond;

    public double DrainedRatio => DrainedPerSecond / RawPerSecond;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"events: {Events} events (one per commit, each in its own partition) at concurrency {Concurrency}: relayed outbox to hub-events {RelayedPerSecond:F0}/s ({Delivered} delivered), raw queue sends {RawPerSecond:F0}/s ({RawSent} sent), ratio {Ratio:F2}; with cleanup done {DrainedPerSecond:F0}/s (ratio {DrainedRatio:F2}, {Left} intents left); commits {CommitsPerSecond:F0}/s");
}

/// <summary>
/// Benchmark (c) of issue 11: events delivered per second from committed outbox rows to messages on
/// the <c>hub-events</c> queue, against raw sends of the same messages at the same concurrency, in the
/// same run, on the Azurite named by <c>HUB_TEST_STORAGE</c>. The events are committed first through
/// <see cref="TableOutbox"/> (one event per commit, each commit in its own partition: the shape of the
/// cutoff sweep's conversions), with their relay messages; then the clock starts and the relay runs
/// as the Functions host runs <c>RelayOutbox</c> (messages received 32 at a time, handled in
/// parallel, each deleted when done; the relay's own parallelism set to the concurrency) until every
/// event is on <c>hub-events</c>.
/// Every storage round trip is timed by <see cref="RoundTripTimer"/>.
/// </summary>
public static class EventRelayThroughput
{
    private const int Rounds = 2;

    public static async Task<EventRelayResult> RunAsync(string connectionString, int events, int concurrency)
    {
        var names = Isolated();
        var timer = new RoundTripTimer(names);
        var delivery = new DeliveryClock();
        await using var provider = Services(connectionString, names, timer, delivery, concurrency);
        var storage = provider.GetRequiredService<HubStorage>();
        var outbox = provider.GetRequiredService<TableOutbox>();
        var relay = provider.GetRequiredService<OutboxRelay>();
        var state = await storage.TableAsync("relaybench" + names.OutboxIntentsTable[^10..]);
        var sink = await storage.QueueAsync(names.EventsQueue);
        var rawQueue = await storage.QueueAsync(names.EventsQueue + "-raw");
        await storage.QueueAsync(names.OutboxRelayQueue);
        await storage.TableAsync(names.OutboxIntentsTable);

        // Warm-up (JIT, connections) on a few events, then clear what they left.
        await CommitAsync(outbox, state, "warm", 32, concurrency);
        await Task.Delay(WakeUpsVisible(provider));
        await DrainAsync(storage, relay, delivery, 32, concurrency);
        await sink.ClearMessagesAsync();

        // Rounds alternate the two ways, so a busy moment of this shared machine weighs on both.
        double commitSeconds = 0, relaySeconds = 0, drainSeconds = 0, rawSeconds = 0;
        var commitTrips = new List<string>();
        var relayTrips = new List<string>();
        var rawTrips = new List<string>();
        var perRound = events / Rounds;
        for (var round = 0; round < Rounds; round++)
        {
            timer.Reset();
            var watch = Stopwatch.StartNew();
            var made = await CommitAsync(outbox, state, $"bench{round}", perRound, concurrency);
            commitSeconds += watch.Elapsed.TotalSeconds;
            commitTrips = [.. timer.Report(perRound)];

            // The relay clock starts once the wake-ups of these commits are visible: the last one
            // may be held invisible for the wake-up spacing (OutboxWakeUp).
            await Task.Delay(WakeUpsVisible(provider));
            timer.Reset();
            var cpu = Cpu();
            var (delivered, drained) = await DrainAsync(storage, relay, delivery, perRound, concurrency);
            cpu = Cpu() - cpu;
            relaySeconds += delivered.TotalSeconds;
            drainSeconds += drained.TotalSeconds;
            relayTrips = [.. timer.Report(perRound)];
            relayTrips.Add(string.Create(CultureInfo.InvariantCulture, $"  all delivered after {delivered.TotalSeconds:F2} s, cleaned up after {drained.TotalSeconds:F2} s; this process's CPU {cpu.TotalMilliseconds / perRound:F2} ms/event"));

            // The same messages, sent straight to a queue at the same concurrency.
            var bodies = made.Select(e => BinaryData.FromBytes(CloudEventCodec.Encode(e))).ToArray();
            timer.Reset();
            cpu = Cpu();
            watch.Restart();
            await Parallel.ForAsync(0, bodies.Length, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
                async (i, ct) => await rawQueue.SendMessageAsync(bodies[i], timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: ct));
            rawSeconds += watch.Elapsed.TotalSeconds;
            rawTrips = [.. timer.Report(perRound)];
            rawTrips.Add(string.Create(CultureInfo.InvariantCulture, $"  all sent after {watch.Elapsed.TotalSeconds:F2} s; this process's CPU {(Cpu() - cpu).TotalMilliseconds / perRound:F2} ms/event"));
        }

        events = perRound * Rounds;
        int onSink = (await sink.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        int rawSent = (await rawQueue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        var left = 0;
        await foreach (var _ in (await storage.TableAsync(names.OutboxIntentsTable)).QueryAsync<TableEntity>(select: ["RowKey"]))
        {
            left++;
        }

        foreach (var queue in new[] { sink, rawQueue, await storage.QueueAsync(names.OutboxRelayQueue) })
        {
            await queue.DeleteIfExistsAsync();
        }

        await state.DeleteAsync();
        await (await storage.TableAsync(names.OutboxIntentsTable)).DeleteAsync();
        var breakdown = new List<string> { "commit side (per event, last round):" };
        breakdown.AddRange(commitTrips);
        breakdown.Add("relay side (per event, last round):");
        breakdown.AddRange(relayTrips);
        breakdown.Add("raw sends (per event, last round):");
        breakdown.AddRange(rawTrips);
        return new EventRelayResult(events, concurrency, events / commitSeconds, onSink / relaySeconds, onSink / drainSeconds, events / rawSeconds, onSink, rawSent, left, breakdown);
    }

    private static async Task<List<HubEvent>> CommitAsync(TableOutbox outbox, TableClient state, string prefix, int count, int concurrency)
    {
        var clock = TimeProvider.System;
        var ids = new OperationIdSource();
        var made = new HubEvent[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, ct) =>
        {
            var partition = $"{prefix}-{i:D6}";
            var e = HubEvent.Create(EventTypes.OrderConvertedToNonHub, $"orders/{partition}", new { orderId = partition, sellerId = "HGH-000042", deadline = clock.GetUtcNow() }, clock, ids, sellerId: "HGH-000042", hub: "hangzhou");
            await outbox.CommitAsync(state, partition,
                [new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, "order") { ["Status"] = "converted-to-non-hub" })], [e], ct);
            made[i] = e;
        });
        return [.. made];
    }

    /// <summary>
    /// Runs the relay queue as the host runs <c>RelayOutbox</c> (32 messages per receive, handled in
    /// parallel, each deleted when done) until <paramref name="events"/> events are on <c>hub-events</c>
    /// and the relay queue is empty. Returns when the last event was on <c>hub-events</c> (the moment
    /// its send returned, recorded by the relay's after-publish hook: no polling of the sink, which
    /// would load the one Azurite the relay is measured on) and when the relay was done (its passes,
    /// cleanup included, finished and every wake-up deleted).
    /// </summary>
    private static async Task<(TimeSpan Delivered, TimeSpan Drained)> DrainAsync(HubStorage storage, OutboxRelay relay, DeliveryClock delivery, int events, int concurrency)
    {
        var queue = await storage.QueueAsync(storage.Names.OutboxRelayQueue);
        var watch = Stopwatch.StartNew();
        delivery.Start(events);
        var idle = 0;
        while (idle < 100)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value;
            if (messages.Length == 0)
            {
                if (delivery.Done && (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
                {
                    break;
                }

                idle++;
                await Task.Delay(100);
                continue;
            }

            idle = 0;
            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (message, ct) =>
            {
                await relay.HandleMessageAsync(message.Body.ToString(), ct);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
            });
        }

        var drained = watch.Elapsed;
        return (delivery.Done ? delivery.LastAt : drained, drained);
    }

    /// <summary>The relay's after-publish hook as a stopwatch: when the last of the expected events was sent.</summary>
    private sealed class DeliveryClock : IOutboxRelayHooks
    {
        private readonly Stopwatch _watch = new();
        private int _expected;
        private int _published;
        private long _lastTicks;

        public bool Done => Volatile.Read(ref _published) >= Volatile.Read(ref _expected);

        /// <summary>Since <see cref="Start"/>, when the expected events were all sent.</summary>
        public TimeSpan LastAt => TimeSpan.FromTicks(Interlocked.Read(ref _lastTicks));

        /// <summary>Counts from zero again: <paramref name="expected"/> events on top of those already published.</summary>
        public void Start(int expected)
        {
            Volatile.Write(ref _expected, Volatile.Read(ref _published) + expected);
            _watch.Restart();
        }

        public Task BeforePublishAsync(HubEvent hubEvent) => Task.CompletedTask;

        public Task AfterPublishAsync(HubEvent hubEvent)
        {
            Interlocked.Increment(ref _published);
            Interlocked.Exchange(ref _lastTicks, _watch.Elapsed.Ticks);
            return Task.CompletedTask;
        }
    }

    /// <summary>CPU time of this process so far (the relay and the raw sends are clients in it; Azurite is not).</summary>
    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>How long after its send a held wake-up becomes visible at most (<see cref="EventsOptions.WakeUpSpacing"/>).</summary>
    private static TimeSpan WakeUpsVisible(IServiceProvider provider)
        => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<EventsOptions>>().Value.WakeUpSpacing;

    private static ServiceProvider Services(string connectionString, StorageNames names, RoundTripTimer timer, DeliveryClock delivery, int concurrency)
    {
        var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
        settings["AzureWebJobsStorage"] = connectionString;
        var services = new ServiceCollection().AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).AddEnvironmentVariables().Build());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<StorageClientPolicy>(timer);
        services.AddSingleton<IOutboxRelayHooks>(delivery);
        services.AddHubStorage();
        services.AddHubEvents();
        // Hub__Events__* environment variables (e.g. Hub__Events__WakeUpSpacing=0) compare settings.
        services.Configure<EventsOptions>(o => o.RelayParallelism = concurrency);
        return services.BuildServiceProvider();
    }

    private static StorageNames Isolated()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var names = new StorageNames();
        foreach (var property in typeof(StorageNames).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
        {
            var name = (string)property.GetValue(names)!;
            property.SetValue(names, property.Name.EndsWith("Table", StringComparison.Ordinal) ? name + tag : $"{name}-{tag}");
        }

        return names;
    }
}
