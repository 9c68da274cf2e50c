using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Benchmarks;

/// <summary>
/// Benchmark (b) of issue 11: the DSP-3 cutoff sweep over a small and a large population of open orders with the
/// same orders due, on Azurite (<c>HUB_TEST_STORAGE</c>), with the app's own services (<see cref="HubServiceCollectionExtensions.AddHub"/>).
/// Each size has its own tables (names from options) and its own clock, seeded once, not measured: every open order's
/// row, its deadline index row and its DSP-5 <c>received</c> marker (as intake leaves them), built by the store's own <see cref="TableOrderStore.OrderEntity"/> and
/// <see cref="TableOrderStore.IndexEntity"/>, written directly with batch transactions of 100 (index rows 100 of one
/// partition at once; order rows 100 orders at once across partitions, which only Azurite accepts), 4 at a time.
/// A warm-up minute (a few orders) is swept first on each size, then <c>runs</c> minutes with <c>due</c> orders each,
/// alternating small and large; the other orders fall due later (over the following two hours, as open orders do).
/// One measured sweep is what the timer and the queue do for one minute: <see cref="CutoffSweep.PlanAsync"/> at 5 s into
/// the minute after the due one, then every queued <c>order-cutoff</c> message handled as the host handles them
/// (8 at a time, each deleted when done; a failed one shows again after 20 s and is retried, as the host retries it). The due orders are read back afterwards (not measured): each must be converted. Every storage round trip is timed by kind (<see cref="RoundTripTimer"/>).
/// The goal: large ÷ small ≤ 1.25.
/// </summary>
public static class OrderSweepBenchmark
{
    private const int WarmUp = 50;
    private const int SeedParallelism = 4;
    private const int MessageParallelism = 8;

    /// <summary>Deadline minutes: the warm-up, run r's due orders (ten minutes apart), the others (two hours, all later).</summary>
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset WarmUpMinute => Start.AddMinutes(10);

    private static DateTimeOffset DueMinute(int run) => Start.AddMinutes(20 + (10 * run));

    public sealed record Size(int Orders, TimeSpan Seeding, IReadOnlyList<TimeSpan> Sweeps, IReadOnlyList<int> Converted, IReadOnlyList<string> Calls)
    {
        public double MedianMs => BenchmarkNames.Median(Sweeps.Select(s => s.TotalMilliseconds));
    }

    public sealed record Result(int Due, Size Small, Size Large)
    {
        /// <summary>Median large ÷ median small.</summary>
        public double Ratio => Large.MedianMs / Small.MedianMs;
    }

    public static async Task<Result> RunAsync(string connectionString, int small, int large, int due, int runs, TextWriter log)
    {
        await using var smallSize = await SizeUnderTest.CreateAsync(connectionString, small, due, runs, log);
        await using var largeSize = await SizeUnderTest.CreateAsync(connectionString, large, due, runs, log);
        await smallSize.SweepAsync(WarmUpMinute, DueIds(0, WarmUp), measured: false, log);
        await largeSize.SweepAsync(WarmUpMinute, DueIds(0, WarmUp), measured: false, log);
        for (var run = 0; run < runs; run++)
        {
            await smallSize.SweepAsync(DueMinute(run), DueIds(WarmUp + (run * due), due), measured: true, log);
            await largeSize.SweepAsync(DueMinute(run), DueIds(WarmUp + (run * due), due), measured: true, log);
        }

        return new Result(due, smallSize.Summary(), largeSize.Summary());
    }

    /// <summary>The ids of orders <paramref name="first"/> .. + <paramref name="count"/> - 1 (as <see cref="SeedAsync"/> names them).</summary>
    private static List<string> DueIds(int first, int count) => [.. Enumerable.Range(first, count).Select(OrderId)];

    private static string OrderId(int i) => string.Create(CultureInfo.InvariantCulture, $"AE{i:D8}");


    /// <summary>One population: its service provider (own tables, own clock), its call timer and its measured sweeps.</summary>
    private sealed class SizeUnderTest(ServiceProvider provider, FakeTimeProvider clock, RoundTripTimer timer, int orders, TimeSpan seeding) : IAsyncDisposable
    {
        private readonly List<TimeSpan> sweeps = [];
        private readonly List<int> converted = [];
        private List<string> calls = [];

        public static async Task<SizeUnderTest> CreateAsync(string connectionString, int orders, int due, int runs, TextWriter log)
        {
            var tag = Guid.NewGuid().ToString("N")[..8];
            var names = new StorageNames();
            var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString };
            foreach (var property in typeof(StorageNames).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
            {
                var name = (string)property.GetValue(names)!;
                var isolated = property.Name.EndsWith("Table", StringComparison.Ordinal) ? $"{name}b{tag}" : $"{name}-b-{tag}";
                property.SetValue(names, isolated);
                settings[$"{StorageNames.Section}:{property.Name}"] = isolated;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var clock = new FakeTimeProvider(Start);
            var timer = new RoundTripTimer(names, table => table == names.OrdersTable ? "orders" : table == names.OrderOutcomesTable ? "outcomes"
                : table.StartsWith(names.OrderDeadlinesTable, StringComparison.Ordinal) ? "index" : null);
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
            services.AddHub(configuration);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<StorageClientPolicy>(timer);
            var provider = services.BuildServiceProvider();

            var watch = Stopwatch.StartNew();
            await SeedAsync(provider, connectionString, orders, due, runs);
            watch.Stop();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"order sweep benchmark: {orders:N0} open orders seeded in {watch.Elapsed.TotalSeconds:F1} s (not measured)"));
            return new SizeUnderTest(provider, clock, timer, orders, watch.Elapsed);
        }

        /// <summary>Sweeps the minute <paramref name="dueMinute"/> as the timer and the queue do, from a checkpoint just before it.</summary>
        public async Task SweepAsync(DateTimeOffset dueMinute, IReadOnlyList<string> dueIds, bool measured, TextWriter log)
        {
            var checkpoint = provider.GetRequiredService<ISweepCheckpoint>();
            // Forward-only: each call's minute is later than the previous call's plan left it (ten minutes apart).
            await checkpoint.AdvanceAsync(dueMinute.AddMinutes(-1), CancellationToken.None);
            clock.SetUtcNow(dueMinute.AddMinutes(1).AddSeconds(5));
            var storage = provider.GetRequiredService<HubStorage>();
            var queue = await storage.QueueAsync(storage.Names.OrderCutoffQueue);
            var sweep = provider.GetRequiredService<CutoffSweep>();

            var retried = 0;
            timer.Reset();
            var watch = Stopwatch.StartNew();
            var plan = await sweep.PlanAsync(CancellationToken.None);
            while (true)
            {
                var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(20))).Value;
                if (messages.Length == 0)
                {
                    if ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
                    {
                        break;
                    }

                    await Task.Delay(500);
                    continue;
                }

                await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = MessageParallelism }, async (message, ct) =>
                {
                    try
                    {
                        await sweep.SweepBucketAsync(CutoffMessage.Parse(message.Body.ToString())!, ct);
                        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct);
                    }
                    catch (Exception e) when (e is Azure.RequestFailedException or AggregateException or OperationCanceledException)
                    {
                        // As the host: the message shows again after its visibility timeout and is retried (same run, same ids).
                        Interlocked.Increment(ref retried);
                    }
                });
            }

            watch.Stop();
            var trips = timer.Report(Math.Max(dueIds.Count, 1)).ToList();

            // Not measured: every order due in this minute must now be converted (counted by reading them back).
            var store = provider.GetRequiredService<IOrderStore>();
            var count = 0;
            await Parallel.ForEachAsync(dueIds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            {
                if ((await store.FindAsync(id, ct))?.Order.Status == OrderStatus.Converted)
                {
                    Interlocked.Increment(ref count);
                }
            });
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"order sweep benchmark: {orders:N0} open, minute {dueMinute:HH:mm}: {plan.Partitions} partitions swept in {watch.Elapsed.TotalMilliseconds:F0} ms ({retried} message attempts failed and were retried), {count:N0} of {dueIds.Count:N0} due converted"));
            if (measured)
            {
                sweeps.Add(watch.Elapsed);
                converted.Add(count);
                calls = trips;
            }
        }

        public Size Summary() => new(orders, seeding, sweeps, converted, calls);

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }

    /// <summary>
    /// Orders 0..<paramref name="orders"/>-1, all open: the first <see cref="WarmUp"/> due in the warm-up minute, the next
    /// <paramref name="due"/> × <paramref name="runs"/> in the run minutes, the rest spread over the two hours after the last run.
    /// </summary>
    private static async Task SeedAsync(ServiceProvider provider, string connectionString, int orders, int due, int runs)
    {
        var storage = provider.GetRequiredService<HubStorage>();
        var store = (TableOrderStore)provider.GetRequiredService<IOrderStore>();
        var shards = provider.GetRequiredService<OrderOptions>().ShardCount;
        // Seeding has its own client with a long network timeout: a loaded Azurite takes over 30 s for some batches.
        var seeder = new TableServiceClient(connectionString, new TableClientOptions { Retry = { NetworkTimeout = TimeSpan.FromMinutes(5), MaxRetries = 5 } });
        var orderTable = seeder.GetTableClient(storage.Names.OrdersTable);
        await orderTable.CreateIfNotExistsAsync();
        var metricsTable = seeder.GetTableClient(storage.Names.OrderMetricsTable);
        await metricsTable.CreateIfNotExistsAsync();
        var orderRows = new List<TableTransactionAction>(orders);
        // Every open order was counted at its intake (DSP-5): its `received` marker is there, as intake leaves it, so the
        // sweep's counting takes its common path (assert received, insert converted) and the metrics table is as big as real.
        var markerRows = new List<TableTransactionAction>(orders);
        var indexRows = new Dictionary<string, List<TableTransactionAction>>(StringComparer.Ordinal);
        var lastRun = DueMinute(runs - 1);
        for (var i = 0; i < orders; i++)
        {
            var deadline = i < WarmUp ? WarmUpMinute.AddSeconds(i % 60)
                : i < WarmUp + (due * runs) ? DueMinute((i - WarmUp) / due).AddSeconds(i % 60)
                : lastRun.AddMinutes(5 + (i % 120)).AddSeconds(i % 60);
            var created = deadline - OrderRules.DispatchWindow;
            var order = new Order(OrderId(i), $"HGH-{i % 5000:D6}", "hangzhou", OrderSubmission.AliExpress, created,
                [new OrderItem("SKU-1", 1 + (i % 3))], i % 10 == 0, created.AddSeconds(3), OrderStatus.Open, null, null, null);
            var key = DeadlineIndex.KeyOf(order, shards);
            // Filed under its index key, as intake files it (its outcome goes there: one query per due partition, session s11).
            orderRows.Add(new(TableTransactionActionType.UpsertReplace, TableOrderStore.OrderEntity(order, $"fp-{i}", key)));
            markerRows.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(
                TableSellerMetricsStore.Partition(order.SellerId, SellerMonthlyMetrics.MonthOf(order)), TableSellerMetricsStore.MarkerRow(order.OrderId, OrderMetricEvent.Received))));
            if (!indexRows.TryGetValue(key, out var rows))
            {
                indexRows[key] = rows = [];
            }

            rows.Add(new(TableTransactionActionType.UpsertReplace, TableOrderStore.IndexEntity(key, order, $"fp-{i}")));
        }

        // Seeding only, never on the measured path: the order rows go 100 to a transaction across partitions,
        // which Azurite accepts (Azure does not; TableOutbox refuses it). The rows are the same.
        var batches = new List<(TableClient Table, List<TableTransactionAction> Actions)>();
        batches.AddRange(orderRows.Chunk(100).Select(c => (orderTable, c.ToList())));
        batches.AddRange(markerRows.Chunk(100).Select(c => (metricsTable, c.ToList())));
        foreach (var (key, rows) in indexRows)
        {
            var table = seeder.GetTableClient((await store.IndexTableAsync(key, CancellationToken.None)).Name);
            batches.AddRange(rows.Chunk(100).Select(c => (table, c.ToList())));
        }

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism },
            async (batch, ct) => await batch.Table.SubmitTransactionAsync(batch.Actions, ct));
    }
}

/// <summary><c>--order-sweep [small large due [runs]]</c> (default 20000 200000 2000 3): runs benchmark (b) and prints every time, the medians, their ratio and where the time went.</summary>
public static class OrderSweepCommand
{
    public const double Goal = 1.25;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var numbers = args.SkipWhile(a => a != "--order-sweep").Skip(1).TakeWhile(a => !a.StartsWith('-')).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var (small, large, due) = numbers.Length >= 3 ? (numbers[0], numbers[1], numbers[2]) : (20_000, 200_000, 2_000);
        var runs = numbers.Length >= 4 ? numbers[3] : 3;
        return await RunAsync(small, large, due, runs, output, checkGoal: true);
    }

    /// <summary>Runs the benchmark; fails (1) when a due order was not converted, or, with <paramref name="checkGoal"/>, when the ratio misses the goal.</summary>
    public static async Task<int> RunAsync(int small, int large, int due, int runs, TextWriter output, bool checkGoal)
    {
        var result = await OrderSweepBenchmark.RunAsync(Smoke.Storage(), small, large, due, runs, output);
        static string Times(OrderSweepBenchmark.Size size) => string.Join(", ", size.Sweeps.Select(s => s.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"order sweep benchmark: {due:N0} due each run; {result.Small.Orders:N0} open {Times(result.Small)} ms (median {result.Small.MedianMs:F0}), {result.Large.Orders:N0} open {Times(result.Large)} ms (median {result.Large.MedianMs:F0}); ratio {result.Ratio:F2} (goal <= {Goal})"));
        foreach (var size in new[] { result.Small, result.Large })
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"storage calls of the last run, {size.Orders:N0} open (per converted order):"));
            foreach (var line in size.Calls)
            {
                output.WriteLine(line);
            }
        }

        if (result.Small.Converted.Concat(result.Large.Converted).Any(c => c != due))
        {
            output.WriteLine($"order sweep benchmark: FAILED, converted per run {string.Join(", ", result.Small.Converted)} / {string.Join(", ", result.Large.Converted)}, {due} expected each");
            return 1;
        }

        return checkGoal && result.Ratio > Goal ? 1 : 0;
    }
}
