using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Hosting;
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
/// services (<see cref="HubServiceCollectionExtensions.AddHub"/>) on tables of its own. Phase 1 seeds
/// <c>small</c> sellers, <c>due</c> of them with a brand authorisation whose freeze day is D1, and
/// sweeps D1; phase 2 adds sellers up to <c>large</c>, another <c>due</c> of them due on D2, and sweeps
/// D2. Every seller has its seller row, its <c>approved|brand-authorization</c> document row and its
/// three renewal index entries; the sellers not due fall due on other days. The sweep's cost should
/// follow the entries due, not the sellers: the goal is large/small ≤ 1.25.
/// </summary>
public static class ComplianceSweepBenchmark
{
    /// <summary>Approval days: the due sellers of phase 1 and 2, and the first of the others (spread over 200 days).</summary>
    private static readonly DateOnly WarmUpApproved = new(2025, 1, 5);
    private static readonly DateOnly Due1Approved = new(2025, 1, 10);
    private static readonly DateOnly Due2Approved = new(2025, 1, 20);
    private static readonly DateOnly OthersApproved = new(2025, 3, 1);

    public sealed record Phase(int Sellers, int Due, TimeSpan Seeding, TimeSpan Sweep, int Frozen);

    public sealed record Result(Phase Small, Phase Large)
    {
        public double Ratio => Large.Sweep.TotalMilliseconds / Small.Sweep.TotalMilliseconds;
    }

    public static async Task<Result> RunAsync(string connectionString, int small, int large, int due, TextWriter log)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var names = new StorageNames();
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = connectionString };
        foreach (var (setting, name) in names.All)
        {
            settings[$"{StorageNames.Section}:{setting}"] = setting.EndsWith("Table", StringComparison.Ordinal) ? $"{name}bench{tag}" : $"{name}-bench-{tag}";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var clock = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddHub(configuration);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(clock);
        await using var provider = services.BuildServiceProvider();

        // Warm-up (JIT, connections): a few sellers due on a day of their own, not measured.
        var warmUp = Math.Min(20, small / 10);
        await PhaseAsync(provider, clock, 0, warmUp, warmUp, WarmUpApproved, log);
        var phase1 = await PhaseAsync(provider, clock, warmUp, small, due, Due1Approved, log);
        var phase2 = await PhaseAsync(provider, clock, small, large, due, Due2Approved, log);
        return new Result(phase1, phase2);
    }

    private static async Task<Phase> PhaseAsync(IServiceProvider provider, FakeTimeProvider clock, int from, int to, int due, DateOnly dueApproved, TextWriter log)
    {
        var seeding = Stopwatch.StartNew();
        await SeedAsync(provider, from, to, due, dueApproved);
        seeding.Stop();
        log.WriteLine($"sweep benchmark: {to:N0} sellers seeded ({to - from:N0} in {seeding.Elapsed.TotalSeconds:F1} s)");

        var freezeOn = RenewalSchedule.FreezeOn(AdmissionDocuments.BrandAuthorization, dueApproved)!.Value;
        var index = provider.GetRequiredService<IRenewalIndex>();
        await index.AdvanceAsync(freezeOn.AddDays(-1), CancellationToken.None);
        clock.SetUtcNow(new DateTimeOffset(freezeOn.ToDateTime(new TimeOnly(0, 5)), ChinaTime.Offset));

        var sweep = Stopwatch.StartNew();
        var report = await provider.GetRequiredService<RenewalSweep>().RunAsync(CancellationToken.None);
        sweep.Stop();
        var frozen = report.Count(RenewalOutcome.Frozen);
        log.WriteLine($"sweep benchmark: {to:N0} sellers, {due:N0} due on {RenewalSchedule.Iso(freezeOn)}: swept {report.Days} day(s) in {sweep.Elapsed.TotalMilliseconds:F0} ms, {frozen:N0} frozen");
        return new Phase(to, due, seeding.Elapsed, sweep.Elapsed, frozen);
    }

    /// <summary>Sellers <paramref name="from"/>..<paramref name="to"/>-1; the first <paramref name="due"/> of them approved on <paramref name="dueApproved"/>.</summary>
    private static async Task SeedAsync(IServiceProvider provider, int from, int to, int due, DateOnly dueApproved)
    {
        var sellers = provider.GetRequiredService<ISellerDirectory>();
        var storage = provider.GetRequiredService<HubStorage>();
        var outbox = provider.GetRequiredService<TableOutbox>();
        var documents = await storage.TableAsync(storage.Names.DocumentsTable, CancellationToken.None);
        var entries = new List<RenewalEntry>();
        var ids = Enumerable.Range(from, to - from).ToList();
        foreach (var i in ids)
        {
            entries.AddRange(RenewalSchedule.EntriesFor(SellerId(i), AdmissionDocuments.BrandAuthorization, DocumentId(i), Approved(i, from, due, dueApproved)));
        }

        var seeding = Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var sellerId = SellerId(i);
            var seller = new Seller(sellerId, "hangzhou", $"HGH-{i:D6}", SellerStatus.Active, SellerCategories.BrandTrader,
                "杭州示例贸易有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []);
            await sellers.TryAddAsync(seller, [], ct);

            // The row the document repository keeps for the latest approved version (what the sweep reads).
            var approvedOn = Approved(i, from, due, dueApproved);
            var approvedAt = new DateTimeOffset(approvedOn.ToDateTime(new TimeOnly(10, 0)), ChinaTime.Offset);
            var row = new TableEntity(sellerId, TableDocumentRepository.ApprovedRow(AdmissionDocuments.BrandAuthorization))
            {
                ["DocumentId"] = DocumentId(i),
                ["Version"] = 1,
                ["ApprovedAt"] = approvedAt,
                ["ApprovedOn"] = approvedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            };
            await outbox.CommitAsync(documents, sellerId, [new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)], [], ct);
        });

        // The index through its store: one transaction per 100 entries of a day.
        var index = provider.GetRequiredService<IRenewalIndex>();
        var indexing = Task.WhenAll(entries.GroupBy(e => e.Day).Chunk(16).Select(async days =>
        {
            foreach (var day in days)
            {
                await index.AddAsync([.. day], CancellationToken.None);
            }
        }));
        await Task.WhenAll(seeding, indexing);
    }

    private static DateOnly Approved(int i, int from, int due, DateOnly dueApproved)
        => i - from < due ? dueApproved : OthersApproved.AddDays(i % 200);

    private static string SellerId(int i) => $"bench-{i:D6}";

    private static string DocumentId(int i) => $"DOC-bench{i:D6}";
}

/// <summary><c>--sweep [small large due]</c> (default 10000 100000 1000): runs benchmark (a) once and prints both times and the ratio.</summary>
public static class SweepCommand
{
    public const double Goal = 1.25;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var numbers = args.SkipWhile(a => a != "--sweep").Skip(1).TakeWhile(a => !a.StartsWith('-')).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        var (small, large, due) = numbers.Length == 3 ? (numbers[0], numbers[1], numbers[2]) : (10_000, 100_000, 1_000);
        return await RunAsync(small, large, due, output, checkGoal: true);
    }

    /// <summary>Runs the benchmark; fails (1) when a due seller was not frozen, or, with <paramref name="checkGoal"/>, when the ratio misses the goal.</summary>
    public static async Task<int> RunAsync(int small, int large, int due, TextWriter output, bool checkGoal)
    {
        var storage = Environment.GetEnvironmentVariable("HUB_TEST_STORAGE");
        if (string.IsNullOrEmpty(storage))
        {
            output.WriteLine("sweep benchmark: HUB_TEST_STORAGE is not set (an Azurite connection string; scripts/test.sh sets it)");
            return 1;
        }

        var result = await ComplianceSweepBenchmark.RunAsync(storage, small, large, due, output);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sweep benchmark: {result.Small.Sellers:N0} sellers {result.Small.Sweep.TotalMilliseconds:F0} ms, {result.Large.Sellers:N0} sellers {result.Large.Sweep.TotalMilliseconds:F0} ms, {due:N0} due each; ratio {result.Ratio:F2} (goal <= {Goal})"));
        if (result.Small.Frozen != due || result.Large.Frozen != due)
        {
            output.WriteLine($"sweep benchmark: FAILED, {result.Small.Frozen} and {result.Large.Frozen} frozen, {due} expected each");
            return 1;
        }

        return checkGoal && result.Ratio > Goal ? 1 : 0;
    }
}
