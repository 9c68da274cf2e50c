using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Events;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>How benchmark (d) learns when each event reached <c>hub-events</c>.</summary>
public enum EventTiming
{
    /// <summary>No reader (the default since session s12): when the relay's send to <c>hub-events</c> returned, through the relay's hooks; the sink's message count is checked against the sends after the load.</summary>
    Published,

    /// <summary>A reader after the load (the default in sessions s10–s11): the message's insertion time, to the second.</summary>
    ReaderAfter,

    /// <summary>A reader during the load that receives each message once (the default in sessions s7–s9).</summary>
    ReaderLive,

    /// <summary>A reader during the load that deletes each message (before session s7).</summary>
    ReaderDeletes,
}

/// <summary>The figures of one run of benchmark (d).</summary>
/// <param name="SteadyPerSecond">
/// The sustained rate in the steady window (after the warm-up, until the load stops): the lower of the lifecycles completed
/// per second in it (final event on <c>hub-events</c>) and the orders submitted per second in it (since session s10; before,
/// completions alone, which overstate the rate when the sweep catches up in the window with orders of the warm-up).
/// </param>
/// <param name="OverallPerSecond">Every order submitted ÷ the time from the start until its last final event was delivered (the conversion lag of the last minute included).</param>
public sealed record OrderLifecycleResult(int Concurrency, TimeSpan Load, TimeSpan Window, int Submitted, int Instructed, int Converted, int Incomplete,
    double IntakePerSecond, double SteadyPerSecond, double OverallPerSecond, IReadOnlyList<string> Stages)
{
    /// <summary>The network's average order rate (2.8 million a day).</summary>
    public const double NetworkAverage = 32.4;

    public double Multiple => SteadyPerSecond / NetworkAverage;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"order lifecycle: {Load.TotalSeconds:F0} s of load at concurrency {Concurrency}: {Submitted} orders submitted ({IntakePerSecond:F1}/s), {Instructed} instructed, {Converted} converted by the sweep, {Incomplete} without their final event; " +
        $"steady window ({Window.TotalSeconds:F0} s) {SteadyPerSecond:F1} orders/s sustained (lower of submitted and completed) = {Multiple:F2} x 32.4/s (goal >= 3); overall {OverallPerSecond:F1}/s = {OverallPerSecond / NetworkAverage:F2} x")
        + Environment.NewLine + string.Join(Environment.NewLine, Stages);
}

/// <summary>
/// Benchmark (d) of issue 11: the sustained full order lifecycle on this machine, through the DevHost in-process with
/// its listeners and timers on (the cutoff timer on its production schedule, every 20 s since session s15 (10 s in s12-s14), the <c>order-cutoff</c> and <c>outbox-relay</c> queue
/// listeners, the local publisher to <c>hub-events</c>), on the Azurite of <c>HUB_TEST_STORAGE</c>. For a fixed time,
/// <c>concurrency</c> workers each submit a signed order (<c>POST /api/orders</c> by the platform), created 2 h minus 20 s
/// ago, so its deadline is 20 s ahead; every other order then gets a signed dispatch instruction from its seller at once
/// (<c>hub.order.instructed</c>), the others are left to the cutoff sweep, which converts them on the first run after their
/// deadline (<c>hub.order.converted-to-non-hub</c>; until session s15, on the first run after the minute their intake filed
/// them under, a minute ahead: 40–100 s after intake). An order's lifecycle is complete when its
/// final event is on <c>hub-events</c>.
/// <para>
/// <b>No reader</b> (since session s12, <see cref="EventTiming.Published"/>): an event's time is when the relay's send of it to
/// <c>hub-events</c> returned (the sink stored it then), recorded through the relay's hooks (<see cref="IOutboxRelayHooks"/>,
/// the seam the fault-injection tests use), to the millisecond. After the load the sink's message count is compared with the
/// sends. Why: the reader after the load (below) needed a receive per 32 messages, each a re-sort of every message the sink
/// keeps, so reading a 300 s run's ~55,000 events took longer than 20 minutes (s11); a 300 s run had no figure.
/// </para>
/// <para>
/// <b>The reader after the load</b> (<c>--reader-after</c>, the default in s10–s11; <c>--reader-live</c> runs it during the load, as in s7–s9): the
/// time of an event is when the sink stored it, the message's insertion time (whole seconds, taken as the middle of that
/// second, so ±0.5 s), not when a reader happened to receive it. The reader is the benchmark's instrument, not the hub's
/// work (in production another system consumes Service Bus on its own machines), and during the load its receives cost the
/// sink's Azurite about 60 % of that Azurite's CPU (profiled in s10: each receive re-sorts every message the sink keeps, and
/// the sink keeps all of them, see below) and our process the parsing of every message, all on the same two cores. The
/// sink's sends, the hub's work, stay in the load. An order is complete in the steady window when its final event was
/// stored in it; the reader, after the load, waits for the last ones as before.
/// </para>
/// <para>
/// The reader <b>does not delete</b> what it received (since session s7; <c>--reader-deletes</c> restores the old reader): it
/// receives with a visibility timeout longer than the run, so each message is received once (and counted once anyway,
/// <c>TryAdd</c>). In production the events go to Service Bus, not to the hub's storage account, and their consumer is another
/// system: deleting from <c>hub-events</c> was the benchmark's own work (1.8 deletes per order, and the queue-extent GC in
/// Azurite they drive), charged to the hub's figures. Read live, its receives (one per 32 messages or per empty poll) are in the load.
/// </para>
/// <para>
/// Where <c>hub-events</c> is (since session s9): with <c>HUB_BENCH_EVENTS_STORAGE</c> (and <c>HUB_BENCH_EVENTS_AZURITE_PID</c>
/// for its CPU) in an Azurite of its own, through <see cref="QueueEventsOptions.ConnectionString"/>; unset, in the hub's. Azurite
/// keeps the messages of all its queues in one LokiJS collection, and every receive, peek or delete of any queue first looks
/// for expired messages in all of them and re-sorts the collection's indexes (profiled: 15–20 % of Azurite's CPU in a 60 s run,
/// growing with the run), so the events kept in <c>hub-events</c> slowed the hub's own queues (<c>outbox-relay</c>,
/// <c>order-cutoff</c>). In production the events go to Service Bus, another service. The second Azurite runs on the same two
/// cores and its CPU is reported.
/// </para>
/// The figure is the steady rate: completed lifecycles per second between the end of the warm-up (when conversions
/// flow) and the end of the load, as a multiple of 32.4 orders/s. Where the time goes: the latency of each call and
/// stage, and every storage round trip by kind (<see cref="RoundTripTimer"/>).
/// </summary>
public static class OrderLifecycleBenchmark
{
    private const string PlatformId = "bench-platform";
    private const int Sellers = 4;

    /// <summary>A second Azurite's connection string for the event sink <c>hub-events</c> (<see cref="QueueEventsOptions.ConnectionString"/>); unset: the hub's.</summary>
    public const string EventsStorageVariable = "HUB_BENCH_EVENTS_STORAGE";

    /// <summary>
    /// How long the reader waits after a receive that found fewer than 32 messages (since session s9; 50 ms after an empty one
    /// before): each receive costs Azurite a scan and a re-sort of all the messages it keeps, which here grow by about 90 a
    /// second. The times the reader sees an event are up to this much late.
    /// </summary>
    private static readonly TimeSpan ReaderPause = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan DeadlineAhead = TimeSpan.FromSeconds(20);

    public static async Task<OrderLifecycleResult> RunAsync(string connectionString, TimeSpan load, int concurrency, TextWriter log, EventTiming timing = EventTiming.Published)
    {
        var liveReader = timing is EventTiming.ReaderLive or EventTiming.ReaderDeletes;
        var readerDeletes = timing == EventTiming.ReaderDeletes;
        var names = BenchmarkNames.Isolated();
        var recorder = new PublishRecorder();
        var timer = new RoundTripTimer(names, t => t == names.OrdersTable ? "orders" : t == names.OrderOutcomesTable ? "outcomes" : t.StartsWith(names.OrderDeadlinesTable, StringComparison.Ordinal) ? "index"
            : t == names.IdempotencyTable ? "idempotency" : t == names.SellersTable ? "sellers" : t == names.OrderMetricsTable ? "metrics" : null);
        using var factory = new Factory(connectionString, names, timer, recorder);
        using var http = factory.CreateDefaultClient();
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        for (var s = 0; s < Sellers; s++)
        {
            if (!await directory.TryAddAsync(new Seller(SellerId(s), "hangzhou", $"HGH-{s:D6}", SellerStatus.Active, "brand-trader",
                "基准测试有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []), [], CancellationToken.None))
            {
                throw new InvalidOperationException("A benchmark seller could not be stored.");
            }
        }

        var sink = factory.Services.GetRequiredService<EventSinkQueue>();
        var events = await sink.QueueAsync();
        var warmUp = TimeSpan.FromTicks(load.Ticks / 2);
        var final = new ConcurrentDictionary<string, (string Type, double At)>(StringComparer.Ordinal);
        var deadlines = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var instructedAt = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        // A conversion's event time: when the sweep decided it (the order's convertedAt), on the benchmark's clock.
        var convertedAt = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        var intakeMs = new ConcurrentBag<double>();
        var instructMs = new ConcurrentBag<double>();
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        int submitted = 0, failed = 0, counter = 0, submittedInWindow = 0;
        var lastRead = 0.0;
        timer.Reset();
        var clock = Stopwatch.StartNew();
        var wallStart = DateTimeOffset.UtcNow;
        if (timing == EventTiming.Published)
        {
            // The hub's relay returned from its send to hub-events: the sink stored the event then.
            recorder.Published = e =>
            {
                if (e.Type is OrderEvents.Instructed or OrderEvents.ConvertedToNonHub)
                {
                    final.TryAdd(e.Subject["orders/".Length..], (e.Type, clock.Elapsed.TotalSeconds));
                }

                if (e.Type == OrderEvents.ConvertedToNonHub)
                {
                    convertedAt.TryAdd(e.Subject["orders/".Length..], (e.Time - wallStart).TotalSeconds);
                }
            };
        }

        var cpu = CpuSeconds.Start();

        using var stopReading = new CancellationTokenSource();
        Task Read() => Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                // Not deleted (see above): invisible for longer than the run, so received once.
                var messages = (await events.ReceiveMessagesAsync(32, readerDeletes ? TimeSpan.FromMinutes(1) : TimeSpan.FromHours(2))).Value;
                if (messages.Length == 0)
                {
                    await Task.Delay(ReaderPause);
                    continue;
                }

                Volatile.Write(ref lastRead, clock.Elapsed.TotalSeconds);
                foreach (var m in messages)
                {
                    using var json = JsonDocument.Parse(m.Body.ToMemory());
                    var type = json.RootElement.GetProperty("type").GetString();
                    var orderId = json.RootElement.GetProperty("subject").GetString()!["orders/".Length..];
                    if (type is OrderEvents.Instructed or OrderEvents.ConvertedToNonHub)
                    {
                        // Read after the load: when the sink stored the message (its insertion time, whole seconds: the middle
                        // of that second); read live: when it was received.
                        var at = liveReader ? clock.Elapsed.TotalSeconds : (m.InsertedOn!.Value - wallStart).TotalSeconds + 0.5;
                        final.TryAdd(orderId, (type, at));
                    }
                }

                if (!readerDeletes)
                {
                    if (messages.Length < 32)
                    {
                        // Caught up: wait before the next receive, which costs Azurite a scan and a re-sort of every message it keeps.
                        await Task.Delay(ReaderPause);
                    }

                    continue;
                }

                await Task.WhenAll(messages.Select(async m =>
                {
                    try
                    {
                        await events.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                    }
                    catch (Azure.RequestFailedException)
                    {
                        // Its visibility ran out on a slow machine: received again later, counted once (TryAdd).
                    }
                }));
            }
        });
        var reader = liveReader ? Read() : null;

        await Parallel.ForAsync(0, concurrency, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (_, _) =>
        {
            while (clock.Elapsed < load)
            {
                var i = Interlocked.Increment(ref counter);
                var orderId = string.Create(CultureInfo.InvariantCulture, $"AE{i:D9}");
                var seller = i % Sellers;
                var created = DateTimeOffset.UtcNow - OrderRules.DispatchWindow + DeadlineAhead;
                var started = clock.Elapsed.TotalSeconds;
                using (var request = OrderIntakeThroughput.OrderRequest(PlatformId, Key(PlatformId), orderId, SellerId(seller), created))
                using (var response = await http.SendAsync(request))
                {
                    if (response.StatusCode != HttpStatusCode.Accepted)
                    {
                        failures.AddOrUpdate($"intake {(int)response.StatusCode}", 1, (_, n) => n + 1);
                        Interlocked.Increment(ref failed);
                        continue;
                    }
                }

                intakeMs.Add((clock.Elapsed.TotalSeconds - started) * 1000);
                deadlines[orderId] = started + DeadlineAhead.TotalSeconds;
                Interlocked.Increment(ref submitted);
                if (started >= warmUp.TotalSeconds)
                {
                    Interlocked.Increment(ref submittedInWindow);
                }

                if (i % 2 == 0)
                {
                    var body = JsonSerializer.SerializeToUtf8Bytes(new { instructionId = "INS-" + orderId });
                    var sent = clock.Elapsed.TotalSeconds;
                    using var instruct = OrderIntakeThroughput.Signed(HttpMethod.Post, $"/api/orders/{orderId}/dispatch-instructions", ClientOf(seller), Key(ClientOf(seller)), body);
                    using var answer = await http.SendAsync(instruct);
                    if (answer.StatusCode != HttpStatusCode.Created)
                    {
                        failures.AddOrUpdate($"instruction {(int)answer.StatusCode}", 1, (_, n) => n + 1);
                        Interlocked.Increment(ref failed);
                        continue;
                    }

                    instructMs.Add((clock.Elapsed.TotalSeconds - sent) * 1000);
                    instructedAt[orderId] = clock.Elapsed.TotalSeconds;
                }
            }
        });
        var loadEnded = clock.Elapsed;
        var loadCpu = cpu.Stop();
        var intakeTrips = timer.Report(Math.Max(submitted, 1)).ToList();
        // The hub's own Azurite's requests: every round trip but the sends to the sink (hub-events), which has its own Azurite when separate.
        var hubRequests = timer.Calls(kind => !(sink.Separate && kind.Contains("hub-events", StringComparison.Ordinal)));
        if (timing != EventTiming.Published)
        {
            reader ??= Read();
        }

        // Let the last conversions happen (the sweep runs each minute) and their events arrive; and, reading after the load, as
        // long as the reader still finds messages: a receive costs the sink's Azurite a re-sort of every message it keeps, so
        // reading a long run's events takes minutes (about 80 a second with 40,000 kept).
        var limit = loadEnded + TimeSpan.FromMinutes(3);
        var cap = loadEnded + TimeSpan.FromMinutes(20);
        while (final.Count < deadlines.Count && clock.Elapsed < cap
               && (clock.Elapsed < limit || clock.Elapsed.TotalSeconds - Volatile.Read(ref lastRead) < 30))
        {
            await Task.Delay(500);
        }

        await stopReading.CancelAsync();
        try
        {
            await (reader ?? Task.CompletedTask);
        }
        catch (OperationCanceledException)
        {
        }

        // Recorded at publish: the sink must hold exactly the events the relay sent (more would be a send stored twice: a
        // retry after a send that was stored but not answered; fewer, a send answered but lost).
        // The relay still runs: the count is taken when no send returned while the queue was counted (else -1, "unsettled").
        var (held, sent) = (-1, recorder.Count);
        for (var tries = 0; timing == EventTiming.Published && tries < 10; tries++)
        {
            var before = recorder.Count;
            var count = (await events.GetPropertiesAsync()).Value.ApproximateMessagesCount;
            if (recorder.Count == before)
            {
                (held, sent) = (count, before);
                break;
            }

            await Task.Delay(1000);
        }

        var window = loadEnded - warmUp;
        var inWindow = final.Values.Count(f => f.At >= warmUp.TotalSeconds && f.At < loadEnded.TotalSeconds);
        var last = final.Values.Select(f => f.At).DefaultIfEmpty(clock.Elapsed.TotalSeconds).Max();
        var converted = final.Values.Count(f => f.Type == OrderEvents.ConvertedToNonHub);
        var instructed = final.Values.Count(f => f.Type == OrderEvents.Instructed);
        // DSP-5 after the load: every seller's counters against what the load did, once the flusher's and the sweep's commits are in.
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var counted = await CountedAsync(metrics);
        for (var tries = 0; tries < 60 && counted != (submitted, instructed, converted); tries++)
        {
            await Task.Delay(1000);
            counted = await CountedAsync(metrics);
        }

        var conversions = final.Where(f => f.Value.Type == OrderEvents.ConvertedToNonHub && deadlines.ContainsKey(f.Key)).Select(f => (Deadline: deadlines[f.Key], f.Value.At)).ToList();
        var conversionLag = conversions.Select(c => c.At - c.Deadline).ToList();
        // The same, in two parts: deadline -> the sweep's decision (planning, queue, reads), and decision -> hub-events (commit, relay).
        var decided = final.Where(f => f.Value.Type == OrderEvents.ConvertedToNonHub && deadlines.ContainsKey(f.Key) && convertedAt.ContainsKey(f.Key))
            .Select(f => (Sweep: convertedAt[f.Key] - deadlines[f.Key], Relay: f.Value.At - convertedAt[f.Key])).ToList();
        // DSP-3 under the load's conditions: the conversions due at least 60 s before the load ended, each on time or not by then
        // (those stored after the load may have waited for a sink busy with the reader after the load).
        var dueInLoad = conversions.Where(c => c.Deadline + 60 <= loadEnded.TotalSeconds).ToList();
        var lateInLoad = dueInLoad.Count(c => c.At - c.Deadline > 60);
        var instructedLag = final.Where(f => f.Value.Type == OrderEvents.Instructed && instructedAt.ContainsKey(f.Key)).Select(f => f.Value.At - instructedAt[f.Key]).ToList();
        static string Stats(IReadOnlyCollection<double> values, string unit) => values.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture,
            $"mean {values.Average():F2} {unit}, median {Percentile(values, 0.5):F2}, p95 {Percentile(values, 0.95):F2}, max {values.Max():F2} ({values.Count})");
        var stages = new List<string>
        {
            "where the time goes (per stage):",
            $"  intake POST /api/orders (client latency): {Stats(intakeMs, "ms")}",
            $"  instruction POST .../dispatch-instructions (client latency): {Stats(instructMs, "ms")}",
            $"  instruction answered -> hub.order.instructed on hub-events (outbox relay{(timing == EventTiming.ReaderAfter ? "; event time to the second, so ±0.5 s" : "")}): {Stats(instructedLag, "s")}",
            $"  deadline -> hub.order.converted-to-non-hub on hub-events (index minute, sweep on its schedule, relay): {Stats(conversionLag, "s")}",
            $"    of which deadline -> conversion decided by the sweep (its convertedAt): {Stats(decided.Select(d => d.Sweep).ToList(), "s")}",
            $"    and conversion decided -> on hub-events (commit, relay): {Stats(decided.Select(d => d.Relay).ToList(), "s")}",
            string.Create(CultureInfo.InvariantCulture, $"  DSP-3 during the load: of the {dueInLoad.Count} conversions due at least 60 s before the load ended, {lateInLoad} ({100.0 * lateInLoad / Math.Max(dueInLoad.Count, 1):F1} %) reached hub-events more than 60 s after their deadline"),
            string.Create(CultureInfo.InvariantCulture, $"  refused or failed calls: {failed} ({string.Join(", ", failures.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}: {f.Value}"))}); in the steady window: {submittedInWindow} orders submitted ({submittedInWindow / window.TotalSeconds:F1}/s), {inWindow} lifecycles completed ({inWindow / window.TotalSeconds:F1}/s); the lower is the steady rate"),
            string.Create(CultureInfo.InvariantCulture, $"DSP-5 counters after the load (the sellers summed): orders {counted.Orders} of {submitted} submitted, on-time instructions {counted.OnTime} of {instructed}, conversions {counted.Conversions} of {converted}{(counted == (submitted, instructed, converted) ? "" : " (MISMATCH)")}"),
            string.Create(CultureInfo.InvariantCulture, $"CPU during the load ({loadEnded.TotalSeconds:F0} s, 2 cores = {2 * loadEnded.TotalSeconds:F0} s): {loadCpu}"),
            string.Create(CultureInfo.InvariantCulture, $"the hub's Azurite during the load: {hubRequests} requests, {(double)hubRequests / Math.Max(submitted, 1):F2} per order, {hubRequests / loadEnded.TotalSeconds:F0} a second{(loadCpu.Azurite is { } hubCpu && hubRequests > 0 ? $", {hubCpu * 1000 / hubRequests:F2} ms of its CPU each" : "")} (since s12; 3 x at this pace needs at most {hubRequests / loadEnded.TotalSeconds / (3 * OrderLifecycleResult.NetworkAverage):F2} per order)"),
            timing switch
            {
                EventTiming.ReaderDeletes => "hub-events reader: during the load, deletes each event it receives (--reader-deletes)",
                EventTiming.ReaderLive => "hub-events reader: during the load, receives each event once, never deletes (--reader-live; the default in s7-s9)",
                EventTiming.ReaderAfter => "hub-events reader: after the load (--reader-after; the default in s10-s11), each event's time is when the sink stored it (its insertion time, to the second)",
                _ => string.Create(CultureInfo.InvariantCulture, $"hub-events: no reader (the default since s12); each event's time is when the relay's send to hub-events returned; the relay sent {sent} events, hub-events holds {(held < 0 ? "(unsettled: sends kept returning while it was counted)" : held)}{(held < 0 || held == sent ? "" : " (MISMATCH)")}"),
            },
            Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1"
                ? "socket continuations: inline on the epoll threads (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, not the product's setting)"
                : "socket continuations: on the thread pool (the runtime's default, as deployed)",
            sink.Separate ? $"hub-events: in an Azurite of its own ({EventsStorageVariable}), as Service Bus is not in the hub's storage account" : $"hub-events: in the hub's Azurite ({EventsStorageVariable} not set)",
            "storage round trips during the load (per order submitted):",
        };
        stages.AddRange(intakeTrips);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"order lifecycle: load ended at {loadEnded.TotalSeconds:F0} s, last final event at {last:F0} s"));
        return new OrderLifecycleResult(concurrency, loadEnded, window, submitted, instructed, converted, deadlines.Count - final.Count(f => deadlines.ContainsKey(f.Key)),
            submitted / loadEnded.TotalSeconds, Math.Min(inWindow, submittedInWindow) / window.TotalSeconds, final.Count / last, stages);
    }

    /// <summary>The DSP-5 counters of every benchmark seller, summed over the China months of the load's orders (created 2 h before now, give or take).</summary>
    private static async Task<(long Orders, long OnTime, long Conversions)> CountedAsync(ISellerMetricsStore metrics)
    {
        var now = DateTimeOffset.UtcNow;
        var months = new[] { now - OrderRules.DispatchWindow - TimeSpan.FromHours(1), now }
            .Select(t => CalendarMonth.Of(DateOnly.FromDateTime(t.ToOffset(TimeSpan.FromHours(8)).DateTime))).Distinct().ToList();
        long orders = 0, onTime = 0, conversions = 0;
        for (var s = 0; s < Sellers; s++)
        {
            foreach (var month in months)
            {
                var m = await metrics.ReadAsync(SellerId(s), month, CancellationToken.None);
                (orders, onTime, conversions) = (orders + m.Orders, onTime + m.OnTimeInstructions, conversions + m.Conversions);
            }
        }

        return (orders, onTime, conversions);
    }

    private static double Percentile(IReadOnlyCollection<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    private static string SellerId(int s) => string.Create(CultureInfo.InvariantCulture, $"bench-seller-{s:D2}");

    private static string ClientOf(int s) => string.Create(CultureInfo.InvariantCulture, $"bench-client-{s:D2}");

    private static string Secret(string clientId) => WebhookSignature.SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(clientId + "-secret-0123456789abcdef"));

    private static byte[] Key(string clientId) => WebhookSignature.DecodeSecret(Secret(clientId));

    /// <summary>Calls <see cref="Published"/> with each event the relay has sent (its send to <c>hub-events</c> returned) and counts them.</summary>
    private sealed class PublishRecorder : IOutboxRelayHooks
    {
        private int _count;

        public Action<HubEvent>? Published { get; set; }

        public int Count => Volatile.Read(ref _count);

        public Task BeforePublishAsync(HubEvent hubEvent) => Task.CompletedTask;

        public Task AfterPublishAsync(HubEvent hubEvent)
        {
            Interlocked.Increment(ref _count);
            Published?.Invoke(hubEvent);
            return Task.CompletedTask;
        }
    }

    /// <summary>The DevHost in-process with its listeners and timers, on its own storage names, every storage call timed.</summary>
    private sealed class Factory(string connectionString, StorageNames names, RoundTripTimer timer, PublishRecorder recorder) : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = connectionString;
            settings["Hub:Events:Queue:ConnectionString"] = Environment.GetEnvironmentVariable(EventsStorageVariable);
            settings["Hub:Orders:SweepSchedule"] = "*/20 * * * * *"; // the production default (every 10 s in sessions s12-s14)
            settings["Hub:Compliance:SweepSchedule"] = "0 5 16 * * *";
            settings["Hub:Documents:OrphanSweepSchedule"] = "0 20 * * * *";
            settings["Hub:Idempotency:PurgeSchedule"] = "0 30 * * * *";
            settings["Hub:Billing:RunSchedule"] = "0 0 1 1 * *";
            settings["DevHost:Queues:MaxPollingInterval"] = "00:00:02";
            // As the "Azure" filter below: the hosts' default names Azure.Core (HubLoggingDefaults, Warning), and the most specific rule wins.
            settings["Logging:LogLevel:Azure.Core"] = "Error";

            // Only the functions of the lifecycle run (the other timers and listeners would only add idle polling).
            string[] functions = ["SubmitOrder", "IssueDispatchInstruction", "GetOrder", "PlanOrderCutoff", "SweepOrderCutoffShard", "RelayOutbox", "SweepOutbox"];
            for (var i = 0; i < functions.Length; i++)
            {
                settings[$"DevHost:Functions:{i}"] = functions[i];
            }

            settings[$"Hub:Clients:{PlatformId}:Secret"] = Secret(PlatformId);
            settings[$"Hub:Clients:{PlatformId}:Role"] = "platform";
            for (var s = 0; s < Sellers; s++)
            {
                settings[$"Hub:Clients:{ClientOf(s)}:Secret"] = Secret(ClientOf(s));
                settings[$"Hub:Clients:{ClientOf(s)}:Role"] = "seller";
                settings[$"Hub:Clients:{ClientOf(s)}:SellerId"] = SellerId(s);
            }

            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Azure", LogLevel.Error));
            builder.ConfigureServices(services => services.AddSingleton<StorageClientPolicy>(timer));
            builder.ConfigureTestServices(services => services.AddSingleton<IOutboxRelayHooks>(recorder));
        }
    }
}
