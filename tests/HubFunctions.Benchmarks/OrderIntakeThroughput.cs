using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>The figures of one run of benchmark (a): orders per second each way, and their ratio (DevHost ÷ direct).</summary>
/// <param name="DevHostTrips">Every storage round trip of the measured DevHost rounds by kind, per order (<see cref="RoundTripTimer"/>).</param>
/// <param name="DirectTrips">The same for the measured direct rounds: both columns must name the same calls per order.</param>
/// <param name="DevHostCpu">CPU used during the measured DevHost rounds by this process and Azurite (<see cref="CpuSeconds"/>).</param>
/// <param name="DirectCpu">The same for the measured direct rounds.</param>
public sealed record OrderIntakeResult(int Orders, int Concurrency, double DevHostPerSecond, double DirectPerSecond, int DevHostAccepted, int DirectStored,
    IReadOnlyList<string> DevHostTrips, IReadOnlyList<string> DirectTrips, CpuSeconds DevHostCpu, CpuSeconds DirectCpu)
{
    public double Ratio => DevHostPerSecond / DirectPerSecond;

    /// <summary>The warm-up done before the measured rounds (until the JIT settled).</summary>
    public string WarmUp { get; init; } = "";

    /// <summary>The JIT's work during the measured rounds (both sides): near zero once warmed up.</summary>
    public string MeasuredJit { get; init; } = "";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"orders: {Orders} orders at concurrency {Concurrency}: DevHost {DevHostPerSecond:F0}/s ({DevHostAccepted} accepted), direct storage {DirectPerSecond:F0}/s ({DirectStored} stored), ratio {Ratio:F2} (goal >= 0.8)")
        + Environment.NewLine + $"warm-up: {WarmUp}; JIT during the measured rounds: {MeasuredJit}"
        + Environment.NewLine + $"CPU, DevHost rounds: {DevHostCpu}; direct rounds: {DirectCpu}"
        + Environment.NewLine + "storage round trips per order, DevHost:" + Environment.NewLine + string.Join(Environment.NewLine, DevHostTrips)
        + Environment.NewLine + "storage round trips per order, direct:" + Environment.NewLine + string.Join(Environment.NewLine, DirectTrips);
}

/// <summary>
/// Benchmark (a) of issue 11: signed order intake (<c>POST /api/orders</c> by the platform) through the DevHost
/// in-process (as <see cref="AppointmentThroughput"/>: pipeline with the <c>webhook-id</c> record and signature check,
/// field rules, SEC-2 seller check, the deadline index row, the outbox commit of the order with
/// <c>hub.order.received</c>) against the same storage operations made directly with the SDK at the same concurrency,
/// alternating in the same run, on the Azurite of <c>HUB_TEST_STORAGE</c>. The storage operations of one intake, both
/// ways: idempotency insert, seller read, index row insert (the deadline minute's bucket table), outbox
/// intent upsert (carrying the event), the order transaction (the order row, its event's witness: no outbox row since
/// session s9), the shared relay wake-up (one queue
/// message for many commits), the DSP-5 shard read and counter commit, idempotency update (since session s7 no order read
/// before the insert and no "Committed" mark: the intent is handed to the relay in process). Every order is new,
/// created now (its deadline two hours ahead), for one of 16 sellers.
/// </summary>
public static class OrderIntakeThroughput
{
    private const string ClientId = "bench-platform";
    private const int Sellers = 16;
    private static readonly string Secret = WebhookSignature.SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes("bench-platform-secret-0123456789"));

    /// <param name="devHostOnly">Runs only the DevHost side (for a profiler: <c>--devhost-only</c>); the direct figures are then 0.</param>
    /// <param name="maxWarmUpRounds">At most this many warm-up rounds (the smoke run does one).</param>
    public static async Task<OrderIntakeResult> RunAsync(string connectionString, int orders, int concurrency, int rounds = 2, bool devHostOnly = false, int maxWarmUpRounds = 30)
    {
        var names = BenchmarkNames.Isolated();
        var directNames = BenchmarkNames.Isolated();
        var devhostTimer = Timer(names);
        var directTimer = Timer(directNames);
        using var factory = new Factory(connectionString, names, devhostTimer);
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

        var direct = new Direct(connectionString, directNames, directTimer);
        await direct.PrepareAsync();
        using var stopFlushing = new CancellationTokenSource();
        var flushing = direct.FlushLoopAsync(stopFlushing.Token);
        var counter = 0;
        string NextId() => string.Create(CultureInfo.InvariantCulture, $"AE{Interlocked.Increment(ref counter):D9}");

        // Warm-up both paths (JIT, table creation, connections) until the JIT has settled, then alternate the measured
        // rounds. A profile (perf, 2026-11-28) showed the tiered JIT (tier 0, instrumented, tier 1) still busy through a whole
        // 1,000-order run after a 16-order warm-up: a quarter of the process's CPU, most of it for the DevHost side's larger
        // code (ASP.NET Core, the pipeline), so a short run measured warm-up rather than the steady state. Each warm-up
        // round is 8 × concurrency orders per side; it stops once a round JIT-compiles fewer than 1 % more methods (at
        // most maxWarmUpRounds, 30 by default). Both sides get the same warm-up orders, so their tables grow alike.
        var warmUp = await WarmUpAsync(concurrency, maxWarmUpRounds, () => SubmitAsync(http, NextId()), devHostOnly ? null : () => direct.SubmitAsync(NextId()));

        devhostTimer.Reset();
        directTimer.Reset();
        var jitBefore = (Methods: JitInfo.GetCompiledMethodCount(), Time: JitInfo.GetCompilationTime());
        double devhostSeconds = 0, directSeconds = 0;
        int accepted = 0, stored = 0;
        var devhostCpu = new CpuSeconds(0, 0);
        var directCpu = new CpuSeconds(0, 0);
        for (var round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            var cpu = CpuSeconds.Start();
            accepted += await Concurrently.CountAsync(orders / rounds, concurrency, _ => SubmitAsync(http, NextId()));
            devhostSeconds += watch.Elapsed.TotalSeconds;
            devhostCpu = Add(devhostCpu, cpu.Stop());
            if (devHostOnly)
            {
                continue;
            }

            watch.Restart();
            cpu = CpuSeconds.Start();
            stored += await Concurrently.CountAsync(orders / rounds, concurrency, _ => direct.SubmitAsync(NextId()));
            directSeconds += watch.Elapsed.TotalSeconds;
            directCpu = Add(directCpu, cpu.Stop());
        }

        var jitAfter = (Methods: JitInfo.GetCompiledMethodCount(), Time: JitInfo.GetCompilationTime());
        await stopFlushing.CancelAsync();
        await flushing;
        var total = orders / rounds * rounds;
        return new OrderIntakeResult(total, concurrency, total / devhostSeconds, total / directSeconds, accepted, stored,
            [.. devhostTimer.Report(total)], [.. directTimer.Report(total)], devhostCpu, directCpu)
        {
            WarmUp = warmUp,
            MeasuredJit = string.Create(CultureInfo.InvariantCulture,
                $"{jitAfter.Methods - jitBefore.Methods} methods compiled, {(jitAfter.Time - jitBefore.Time).TotalSeconds:F2} s of JIT time"),
        };
    }

    /// <summary>Warm-up rounds until the JIT settles (see the caller); returns what was done, for the report.</summary>
    private static async Task<string> WarmUpAsync(int concurrency, int maxRounds, Func<Task<bool>> devhost, Func<Task<bool>>? direct)
    {
        var perRound = concurrency * 8;
        var compiled = JitInfo.GetCompiledMethodCount();
        var round = 0;
        long added;
        do
        {
            round++;
            await Concurrently.CountAsync(perRound, concurrency, _ => devhost());
            if (direct is not null)
            {
                await Concurrently.CountAsync(perRound, concurrency, _ => direct());
            }

            var now = JitInfo.GetCompiledMethodCount();
            added = now - compiled;
            compiled = now;
        }
        while (round < maxRounds && added * 100 >= compiled);

        return string.Create(CultureInfo.InvariantCulture,
            $"{round} rounds of {perRound} orders per side, last round {added} methods compiled of {compiled}, {JitInfo.GetCompilationTime().TotalSeconds:F1} s of JIT time in all");
    }

    private static CpuSeconds Add(CpuSeconds a, CpuSeconds b) => new(a.Process + b.Process, a.Azurite + b.Azurite);

    /// <summary>Round trips named by the role of their table (<c>orders</c>, <c>index</c> for a minute's bucket table, ...).</summary>
    private static RoundTripTimer Timer(StorageNames names) => new(names, t =>
        t == names.OrdersTable ? "orders" : t.StartsWith(names.OrderDeadlinesTable, StringComparison.Ordinal) ? "index"
        : t == names.IdempotencyTable ? "idempotency" : t == names.SellersTable ? "sellers" : t == names.OrderMetricsTable ? "metrics" : null);

    private static string SellerId(int s) => string.Create(CultureInfo.InvariantCulture, $"bench-seller-{s:D2}");

    private static string SellerOf(string orderId) => SellerId(int.Parse(orderId[2..], CultureInfo.InvariantCulture) % Sellers);

    /// <summary>A signed order body as the platform sends it (the sign and send of the lifecycle benchmark too).</summary>
    internal static HttpRequestMessage OrderRequest(string clientId, byte[] key, string orderId, string sellerId, DateTimeOffset createdAt)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            orderId,
            sellerId,
            channel = "aliexpress",
            createdAt = createdAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            hub = "hangzhou",
            items = new[] { new { sku = "SKU-1", quantity = 2 }, new { sku = "SKU-2", quantity = 1 } },
        });
        return Signed(HttpMethod.Post, "/api/orders", clientId, key, body);
    }

    /// <summary>A signed request as the clients send them (<c>x-hub-client</c>, <c>webhook-id</c>, <c>-timestamp</c>, <c>-signature</c>).</summary>
    internal static HttpRequestMessage Signed(HttpMethod method, string path, string clientId, byte[] key, byte[] body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add("x-hub-client", clientId);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(key, id, timestamp, body));
        return request;
    }

    private static async Task<bool> SubmitAsync(HttpClient http, string orderId)
    {
        using var request = OrderRequest(ClientId, WebhookSignature.DecodeSecret(Secret), orderId, SellerOf(orderId), DateTimeOffset.UtcNow.AddSeconds(-5));
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Accepted;
    }


    /// <summary>The DevHost in-process (as the integration tests run it), listeners off, on its own storage names.</summary>
    private sealed class Factory(string connectionString, StorageNames names, RoundTripTimer timer) : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = connectionString;
            settings["DevHost:Listeners"] = "false";
            // No relay runs here (listeners off), so nothing drains the in-process hand-off: room for every order of the run, so
            // commits are not marked in the table for want of room, as they are not where the relay runs (and not on the direct side).
            settings["Hub:Events:HandOffCapacity"] = "1000000";
            settings[$"Hub:Clients:{ClientId}:Secret"] = Secret;
            settings[$"Hub:Clients:{ClientId}:Role"] = "platform";
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services => services.AddSingleton<StorageClientPolicy>(timer));
        }
    }

    /// <summary>The same storage operations as one DevHost intake, made directly with the SDK.</summary>
    private sealed class Direct(string connectionString, StorageNames names, RoundTripTimer timer)
    {
        private readonly TableServiceClient _service = new(connectionString, Timed(new TableClientOptions(), timer));
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<TableClient>>> _buckets = new(StringComparer.Ordinal);

        // As the product since session s8: a seller's hub is read once per process (TableSellerDirectory.FindHubAsync), a
        // counter shard row is written from what this process last read or wrote of it (TableSellerMetricsStore), and every
        // transaction of the write path goes through a TableGroupCommit (commits into one partition at once share a round trip).
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _knownSellers = new(StringComparer.Ordinal);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Orders, ETag ETag)> _shards = new(StringComparer.Ordinal);
        private readonly TableGroupCommit _group = new();
        private readonly System.Collections.Concurrent.ConcurrentQueue<Order> _gathered = new();
        private TableClient _idempotency = null!, _sellers = null!, _orders = null!, _intents = null!, _metrics = null!;
        private QueueClient _relay = null!;
        private HeldWakeUps _wakeUps = null!;

        private async Task<TableClient> Table(string name)
        {
            var client = _service.GetTableClient(name);
            await client.CreateIfNotExistsAsync();
            return client;
        }

        public async Task PrepareAsync()
        {
            (_idempotency, _sellers, _orders, _intents, _metrics) = (await Table(names.IdempotencyTable), await Table(names.SellersTable),
                await Table(names.OrdersTable), await Table(names.OutboxIntentsTable), await Table(names.OrderMetricsTable));
            _relay = new QueueClient(connectionString, names.OutboxRelayQueue, Timed(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, timer));
            await _relay.CreateIfNotExistsAsync();
            _wakeUps = new HeldWakeUps(_relay);
            for (var s = 0; s < Sellers; s++)
            {
                await _sellers.AddEntityAsync(new TableEntity(SellerId(s), "seller") { ["Hub"] = "hangzhou", ["Status"] = "active" });
            }
        }

        public async Task<bool> SubmitAsync(string orderId)
        {
            var id = Guid.NewGuid().ToString("N");
            var now = DateTimeOffset.UtcNow;
            // As TableIdempotencyStore.BeginAsync since session s8: one insert under keys that do not depend on the day.
            var (idempotencyPartition, _) = TableIdempotencyStore.KeysOf(ClientId, id);
            await _idempotency.AddEntityAsync(new TableEntity(idempotencyPartition, id) { ["Status"] = "pending", ["Fingerprint"] = id });
            var sellerId = SellerOf(orderId);
            if (!_knownSellers.ContainsKey(sellerId) && (await _sellers.GetEntityIfExistsAsync<TableEntity>(sellerId, "seller")).HasValue)
            {
                _knownSellers[sellerId] = true;
            }

            // As OrderHandler.SubmitAsync since session s7: no read of the order before its insert-only commit.
            var order = new Order(orderId, sellerId, "hangzhou", OrderSubmission.AliExpress, now.AddSeconds(-5),
                [new OrderItem("SKU-1", 2), new OrderItem("SKU-2", 1)], false, now, OrderStatus.Open, null, null, null);
            var key = DeadlineIndex.IntakeKeyOf(order, now, 16);
            var bucket = await _buckets.GetOrAdd(names.OrderDeadlinesTable + key[..12], n => new Lazy<Task<TableClient>>(() => Table(n))).Value;
            var indexRow = TableOrderStore.IndexEntity(key, order, id);
            // One entity: a plain insert, as the app's write path sends a single insert since session s11 (TableGroupCommit).
            await bucket.AddEntityAsync(indexRow);
            var eventId = Guid.NewGuid().ToString("D");
            var minute = now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
            await _group.SubmitAsync(_intents, [new(TableTransactionActionType.UpsertReplace, new TableEntity(minute, eventId) { ["Table"] = _orders.Name, ["StatePartition"] = orderId, ["Event"] = "{}", [TableOutbox.WitnessProperty] = "order|" + orderId, [TableOutbox.WitnessStampProperty] = id })], default);
            // Since session s9 the order row is the event's witness: no outbox row beside it.
            await _group.SubmitAsync(_orders, [new(TableTransactionActionType.Add, TableOrderStore.OrderEntity(order, id, key))], default);
            // No "Committed" mark since session s7: the intent is handed to the relay in process (OutboxHandOff).
            await _wakeUps.WakeUpAsync();
            // As OrderHandler.SubmitAsync since session s14: the DSP-5 count is gathered, committed by the flusher (FlushLoopAsync).
            _gathered.Enqueue(order);
            // No merge of the idempotency entry since session s13: a created order's answer is derived from its row on a retry.
            return true;
        }

        /// <summary>
        /// As <c>SellerMetricsFlusher</c> with <c>TableSellerMetricsStore.FlushAsync</c> since session s14, at the product's default
        /// interval (200 ms): the gathered orders of each seller-month partition in chunks of up to 99 (one marker each), each chunk one transaction of
        /// its first order's counter shard row (read only when this process has not read or written it yet; insert, or replace
        /// under its ETag) and the chunk's <c>received</c> markers; a conflict on the shard row reads it again. Runs for the whole
        /// benchmark, as the DevHost's flusher does.
        /// </summary>
        public async Task FlushLoopAsync(CancellationToken cancellationToken)
        {
            using var tick = new PeriodicTimer(new OrderOptions().MetricsFlushInterval);
            try
            {
                while (await tick.WaitForNextTickAsync(cancellationToken))
                {
                    var orders = new List<Order>();
                    while (_gathered.TryDequeue(out var order))
                    {
                        orders.Add(order);
                    }

                    var chunks = orders.GroupBy(o => TableSellerMetricsStore.Partition(o.SellerId, SellerMonthlyMetrics.MonthOf(o))).SelectMany(g => g.Chunk(TableSellerMetricsStore.MarkersPerCommit).Select(c => (Partition: g.Key, Orders: c)));
                    await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, _) => await CountAsync(chunk.Partition, chunk.Orders));
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The benchmark is over.
            }
        }

        private async Task CountAsync(string partition, IReadOnlyList<Order> orders)
        {
            var shardRow = TableSellerMetricsStore.ShardPrefix + DeadlineIndex.Shard(orders[0].OrderId, new OrderOptions().MetricShards).ToString("D2", CultureInfo.InvariantCulture);
            var cacheKey = partition + "/" + shardRow;
            while (true)
            {
                if (!_shards.TryGetValue(cacheKey, out var known))
                {
                    var read = await _metrics.GetEntityIfExistsAsync<TableEntity>(partition, shardRow);
                    known = read.HasValue ? (read.Value!.GetInt64("Orders") ?? 0, read.Value!.ETag) : (0, default);
                }

                var row = new TableEntity(partition, shardRow) { ["Orders"] = known.Orders + orders.Count, ["OnTimeInstructions"] = 0L, ["Conversions"] = 0L, ["PremiumPoolOrders"] = 0L };
                try
                {
                    var written = await _group.SubmitAsync(_metrics,
                    [
                        known.ETag == default ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, known.ETag),
                        .. orders.Select(o => new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, TableSellerMetricsStore.MarkerRow(o.OrderId, OrderMetricEvent.Received)))),
                    ], default);
                    _shards[cacheKey] = (known.Orders + orders.Count, written[0].Headers.ETag ?? default);
                    return;
                }
                catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
                {
                    // Another commit took the shard row first: read again.
                    _shards.TryRemove(cacheKey, out _);
                }
            }
        }

        private static T Timed<T>(T options, RoundTripTimer timer) where T : Azure.Core.ClientOptions
        {
            options.AddPolicy(timer, timer.Position);
            return options;
        }
    }
}
