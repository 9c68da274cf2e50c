using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Infrastructure.Documents;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Benchmarks;

/// <summary>
/// Benchmark (a) of issue 9: the compliance sweep (CMP-1) over a small and a large seller population
/// with the same number of sellers due, on Azurite (<c>HUB_TEST_STORAGE</c>), with the app's own
/// services (<see cref="HubServiceCollectionExtensions.AddHub"/>). Each size has its own tables
/// (names from options) and its own clock, seeded once, not measured: every seller has its seller
/// row (<see cref="TableSellerDirectory.ToEntity"/>), its approved brand authorisation row
/// (<see cref="TableDocumentRepository.ApprovedRow"/>) and its three renewal index entries in their
/// day tables (<see cref="TableRenewalIndex.DayTable"/>), the rows the stores write (the rows the sweep
/// does not read, versions and content hashes, are left out). They are written with entity group
/// transactions (<see cref="TableClient.SubmitTransactionAsync"/>, 100 entities each,
/// <see cref="SeedParallelism"/> at a time): the index 100 entries of one day table at once, the seller
/// and document rows 100 sellers at once across partitions, which only Azurite accepts. A warm-up day
/// (a few sellers) is swept first on each size, then <c>runs</c> days with <c>due</c> sellers each,
/// alternating small and large; the other sellers fall due on later days. Every storage round trip of
/// a measured sweep is timed by kind (<see cref="RoundTripTimer"/>) and printed after it. The sweep's
/// cost should follow the entries due, not the sellers: the goal is large/small ≤ 1.25.
/// </summary>
public static class ComplianceSweepBenchmark
{
    private const int WarmUp = 20;
    private const int SeedParallelism = 8;

    /// <summary>
    /// Approval days: the warm-up, run r's due sellers (ten days apart), and the others, spread over
    /// 200 days from 40 days after the last run's, so that not even their 30-day reminders fall on a
    /// measured day (they did before: the third run also sent 500 reminders at 100,000 sellers).
    /// </summary>
    private static readonly DateOnly WarmUpApproved = new(2025, 1, 5);
    private static readonly DateOnly FirstDueApproved = new(2025, 1, 10);

    private static DateOnly OthersApproved(int runs) => DueApproved(runs).AddDays(40);

    public sealed record Size(int Sellers, TimeSpan Seeding, IReadOnlyList<TimeSpan> Sweeps, IReadOnlyList<int> Frozen, IReadOnlyList<int> Others)
    {
        public double MedianMs => Median(Sweeps.Select(s => s.TotalMilliseconds));
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
        await smallSize.SweepAsync(WarmUpApproved, due, log);
        await largeSize.SweepAsync(WarmUpApproved, due, log);
        for (var run = 0; run < runs; run++)
        {
            await smallSize.SweepAsync(DueApproved(run), due, log);
            await largeSize.SweepAsync(DueApproved(run), due, log);
        }

        return new Result(due, smallSize.Summary(), largeSize.Summary());
    }

    private static DateOnly DueApproved(int run) => FirstDueApproved.AddDays(10 * run);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>One population: its service provider (own tables, own clock), its round-trip timer and its measured sweeps.</summary>
    private sealed class SizeUnderTest(ServiceProvider provider, FakeTimeProvider clock, RoundTripTimer timer, int sellers, TimeSpan seeding) : IAsyncDisposable
    {
        private readonly List<TimeSpan> sweeps = [];
        private readonly List<int> frozen = [];
        private readonly List<int> others = [];

        public static async Task<SizeUnderTest> CreateAsync(string connectionString, int sellers, int due, int runs, TextWriter log)
        {
            var tag = Guid.NewGuid().ToString("N")[..8];
            var names = new StorageNames();
            foreach (var property in typeof(StorageNames).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
            {
                var name = (string)property.GetValue(names)!;
                property.SetValue(names, property.Name.EndsWith("Table", StringComparison.Ordinal) ? $"{name}bench{tag}" : $"{name}-bench-{tag}");
            }

            var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = connectionString;
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var timer = new RoundTripTimer(names);
            var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
            services.AddSingleton<StorageClientPolicy>(timer);
            services.AddHub(configuration);
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(clock);
            var provider = services.BuildServiceProvider();

            var watch = Stopwatch.StartNew();
            await SeedAsync(provider.GetRequiredService<HubStorage>(), sellers, due, runs);
            watch.Stop();
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sweep benchmark: {sellers:N0} sellers seeded in {watch.Elapsed.TotalSeconds:F1} s (not measured)"));
            return new SizeUnderTest(provider, clock, timer, sellers, watch.Elapsed);
        }

        public async Task SweepAsync(DateOnly dueApproved, int due, TextWriter log)
        {
            var freezeOn = RenewalSchedule.FreezeOn(AdmissionDocuments.BrandAuthorization, dueApproved)!.Value;
            await provider.GetRequiredService<IRenewalIndex>().AdvanceAsync(freezeOn.AddDays(-1), CancellationToken.None);
            clock.SetUtcNow(new DateTimeOffset(freezeOn.ToDateTime(new TimeOnly(0, 5)), ChinaTime.Offset));

            timer.Reset();
            var watch = Stopwatch.StartNew();
            var report = await provider.GetRequiredService<RenewalSweep>().RunAsync(CancellationToken.None);
            watch.Stop();
            var count = report.Count(RenewalOutcome.Frozen);
            var other = report.Outcomes.Where(o => o.Key != RenewalOutcome.Frozen).Sum(o => o.Value);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sweep benchmark: {sellers:N0} sellers, day {RenewalSchedule.Iso(freezeOn)}: {report.Days} day(s) swept in {watch.Elapsed.TotalMilliseconds:F0} ms, {count:N0} frozen, {other:N0} other entries"));
            if (dueApproved != WarmUpApproved)
            {
                sweeps.Add(watch.Elapsed);
                frozen.Add(count);
                others.Add(other);
                foreach (var line in timer.Report(Math.Max(count, 1)))
                {
                    log.WriteLine(line.Replace("/event", "/due", StringComparison.Ordinal));
                }
            }
        }

        public Size Summary() => new(sellers, seeding, sweeps, frozen, others);

        public ValueTask DisposeAsync() => provider.DisposeAsync();
    }

    /// <summary>
    /// Sellers 0..<paramref name="sellers"/>-1: the first <see cref="WarmUp"/> approved on the warm-up
    /// day, the next <paramref name="due"/> × <paramref name="runs"/> on the run days, the rest later.
    /// </summary>
    private static async Task SeedAsync(HubStorage storage, int sellers, int due, int runs)
    {
        var sellerTable = await storage.TableAsync(storage.Names.SellersTable);
        var documents = await storage.TableAsync(storage.Names.DocumentsTable);

        var batches = new List<(TableClient Table, List<TableTransactionAction> Actions)>();
        var entries = new List<RenewalEntry>();
        var sellerRows = new List<TableTransactionAction>();
        var documentRows = new List<TableTransactionAction>();
        for (var i = 0; i < sellers; i++)
        {
            var sellerId = $"bench-{i:D6}";
            var documentId = $"DOC-bench{i:D6}";
            var approvedOn = i < WarmUp ? WarmUpApproved : i < WarmUp + (due * runs) ? DueApproved((i - WarmUp) / due) : OthersApproved(runs).AddDays(i % 200);
            var seller = TableSellerDirectory.ToEntity(new Seller(sellerId, "hangzhou", $"HGH-{i:D6}", SellerStatus.Active, SellerCategories.BrandTrader,
                "杭州示例贸易有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []));
            seller[TableOutbox.CommitProperty] = "seed";
            var approved = new TableEntity(sellerId, TableDocumentRepository.ApprovedRow(sellerId, AdmissionDocuments.BrandAuthorization))
            {
                ["DocumentId"] = documentId,
                ["Version"] = 1,
                ["ApprovedAt"] = new DateTimeOffset(approvedOn.ToDateTime(new TimeOnly(10, 0)), ChinaTime.Offset),
                ["ApprovedOn"] = RenewalSchedule.Iso(approvedOn),
                [TableOutbox.CommitProperty] = "seed",
            };
            sellerRows.Add(new(TableTransactionActionType.UpsertReplace, seller));
            documentRows.Add(new(TableTransactionActionType.UpsertReplace, approved));
            entries.AddRange(RenewalSchedule.EntriesFor(sellerId, AdmissionDocuments.BrandAuthorization, documentId, approvedOn));
        }

        // Seeding only, never on the measured path: one partition per seller would mean one request per
        // row, so the seller and document rows go 100 to a transaction across partitions, which Azurite
        // accepts (Azure does not; TableOutbox refuses it). The rows are the same.
        batches.AddRange(sellerRows.Chunk(100).Select(c => (sellerTable, c.ToList())));
        batches.AddRange(documentRows.Chunk(100).Select(c => (documents, c.ToList())));

        // The index entries exactly as TableRenewalIndex.AddAsync writes them: in their day's table, 100 per transaction.
        foreach (var day in entries.GroupBy(e => e.Day))
        {
            var table = await storage.TableAsync(TableRenewalIndex.DayTable(storage.Names.RenewalIndexTable, day.Key));
            var partition = RenewalSchedule.Iso(day.Key);
            foreach (var chunk in day.Chunk(100))
            {
                batches.Add((table, [.. chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, e.Key)
                {
                    ["SellerId"] = e.SellerId,
                    ["DocumentType"] = e.DocumentType,
                    ["DocumentId"] = e.DocumentId,
                    ["Kind"] = RenewalSchedule.KindName(e.Kind),
                    [TableOutbox.CommitProperty] = "seed",
                }))]));
            }
        }

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism },
            async (batch, ct) => await batch.Table.SubmitTransactionAsync(batch.Actions, ct));
    }
}

/// <summary><c>--sweep [small large due [runs]]</c> (default 10000 100000 1000 3): runs benchmark (a) and prints every time, the medians and their ratio.</summary>
public static class SweepCommand
{
    public const double Goal = 1.25;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var numbers = args.SkipWhile(a => a != "--sweep").Skip(1).TakeWhile(a => !a.StartsWith('-')).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var (small, large, due) = numbers.Length >= 3 ? (numbers[0], numbers[1], numbers[2]) : (10_000, 100_000, 1_000);
        var runs = numbers.Length >= 4 ? numbers[3] : 3;
        return await RunAsync(small, large, due, runs, output, checkGoal: true);
    }

    /// <summary>Runs the benchmark; fails (1) when a due seller was not frozen, or, with <paramref name="checkGoal"/>, when the ratio misses the goal.</summary>
    public static async Task<int> RunAsync(int small, int large, int due, int runs, TextWriter output, bool checkGoal)
    {
        var storage = Environment.GetEnvironmentVariable("HUB_TEST_STORAGE");
        if (string.IsNullOrEmpty(storage))
        {
            output.WriteLine("sweep benchmark: HUB_TEST_STORAGE is not set (an Azurite connection string; scripts/test.sh sets it)");
            return 1;
        }

        var result = await ComplianceSweepBenchmark.RunAsync(storage, small, large, due, runs, output);
        static string Times(ComplianceSweepBenchmark.Size size) => string.Join(", ", size.Sweeps.Select(s => s.TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture)));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sweep benchmark: {due:N0} due each run; {result.Small.Sellers:N0} sellers {Times(result.Small)} ms (median {result.Small.MedianMs:F0}), {result.Large.Sellers:N0} sellers {Times(result.Large)} ms (median {result.Large.MedianMs:F0}); ratio {result.Ratio:F2} (goal <= {Goal})"));
        if (result.Small.Frozen.Concat(result.Large.Frozen).Any(f => f != due) || result.Small.Others.Concat(result.Large.Others).Any(o => o != 0))
        {
            output.WriteLine($"sweep benchmark: FAILED, frozen per run {string.Join(", ", result.Small.Frozen)} / {string.Join(", ", result.Large.Frozen)}, {due} expected each; other entries {string.Join(", ", result.Small.Others)} / {string.Join(", ", result.Large.Others)}, none expected");
            return 1;
        }

        return checkGoal && result.Ratio > Goal ? 1 : 0;
    }
}
