using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Billing;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>
/// The billing benchmark of issue 12 (BIL-6): a billing run over N sellers (one hub each, Hangzhou), each with 31 days of
/// rollups (<c>kinds</c> usage kinds a day) and 31 daily snapshots for March 2025, on Azurite (<c>HUB_TEST_STORAGE</c>). Each
/// size has its own tables, queues and containers, seeded once, not measured, with entity group transactions (one per seller: its
/// month partition; the activity index 100 rows at once) holding the rows the stores write (<see cref="TableBillingLedgerRows"/>).
/// <para>
/// Measured: (1) the baseline: the rows a seller-hub's invoice is computed from, read directly with the SDK at the same
/// concurrency as the DevHost's queue batch (16): the month partition's rollups and snapshots (one query) and the seller-hub's
/// open claims (one query), as the run reads them; and the month query alone; (2) the run: the DevHost in-process with its
/// queue listener (the <c>BillSeller</c> function only), started through <see cref="BillingRunHandler.StartAsync"/>, timed until
/// the run row is completed (the completion check queued after the last page, or by a batch of seller-hubs that found no check pending; a failed check is tried again after a second), every seller invoiced. Peak working set and managed heap are
/// sampled every 50 ms during the run, above the figures just before it. On Azurite every query scans the whole table
/// (azurite-facts): the billing table holds every seller's rows, so each per-seller query costs more at 4,000 sellers than at
/// 1,000, for the baseline and the run alike.
/// </para>
/// </summary>
public static class BillingRunBenchmark
{
    public const double Goal = 1.5;
    private const int Concurrency = 16;
    private static readonly BillingPeriod March = new(new CalendarMonth(2025, 3));

    public sealed record Size(int Sellers, int Kinds, TimeSpan Seeding, TimeSpan Baseline, TimeSpan MonthOnly, TimeSpan Run, int Invoices,
        long PeakWorkingSetMiB, long PeakHeapMiB)
    {
        /// <summary>Run ÷ reading the same rows directly.</summary>
        public double Ratio => Run / Baseline;

        /// <summary>Run ÷ the month query alone.</summary>
        public double MonthRatio => Run / MonthOnly;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"billing benchmark: {Sellers:N0} sellers × 31 days × ({Kinds} kind(s) + snapshot): run {Run.TotalSeconds:F1} s, {Invoices:N0} invoices; same rows read directly {Baseline.TotalSeconds:F1} s (ratio {Ratio:F2}, goal <= {Goal}); month query alone {MonthOnly.TotalSeconds:F1} s (ratio {MonthRatio:F2}); peak during the run +{PeakWorkingSetMiB} MiB working set, +{PeakHeapMiB} MiB managed heap; seeded in {Seeding.TotalSeconds:F0} s");
    }

    public static async Task<Size> RunAsync(string connectionString, int sellers, int kinds, TextWriter log)
    {
        var names = BenchmarkNames.Isolated();
        var watch = Stopwatch.StartNew();
        await SeedAsync(connectionString, names, sellers, kinds);
        var seeding = watch.Elapsed;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"billing benchmark: {sellers:N0} sellers seeded in {seeding.TotalSeconds:F0} s (not measured)"));

        var tables = new TableServiceClient(connectionString);
        var billing = tables.GetTableClient(names.BillingTable);
        var cpu = CpuSeconds.Start();
        var baseline = await TimeAsync(() => Concurrently.CountAsync(sellers, Concurrency, async i =>
        {
            var month = await CountAsync(billing, MonthFilter(i));
            return month == 31 * (kinds + 1) && await CountAsync(billing, ClaimsFilter(i)) == 0;
        }), sellers);
        var baselineCpu = cpu.Stop();
        var monthOnly = await TimeAsync(() => Concurrently.CountAsync(sellers, Concurrency, async i => await CountAsync(billing, MonthFilter(i)) == 31 * (kinds + 1)), sellers);

        var timer = new RoundTripTimer(names, t => t == names.BillingTable ? "billing" : t == names.BillingRunsTable ? "runs" : null);
        await using var factory = new Factory(connectionString, names, timer);
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        var runs = factory.Services.GetRequiredService<IBillingRunStore>();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var (startWs, startHeap) = (process.WorkingSet64, GC.GetTotalMemory(false));
        var (peakWs, peakHeap) = (startWs, startHeap);
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                (peakWs, peakHeap) = (Math.Max(peakWs, process.WorkingSet64), Math.Max(peakHeap, GC.GetTotalMemory(false)));
                await Task.Delay(50, CancellationToken.None);
            }
        });

        timer.Reset();
        cpu = CpuSeconds.Start();
        watch.Restart();
        await handler.StartAsync(March, CancellationToken.None);
        while ((await runs.GetAsync(March, CancellationToken.None))?.Completed != true)
        {
            await Task.Delay(200);
        }

        var run = watch.Elapsed;
        var runCpu = cpu.Stop();
        await stop.CancelAsync();
        await sampler;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"billing benchmark: {sellers:N0} sellers: the run's storage round trips by kind (per seller-hub; queue receive/delete of the DevHost's listener not included):"));
        foreach (var line in timer.Report(sellers))
        {
            log.WriteLine(line);
        }

        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"billing benchmark: {sellers:N0} sellers: CPU seconds, direct read: {baselineCpu}; run: {runCpu}"));

        var invoices = BillingRunProgress.Of(await runs.ItemsAsync(March, errorsOnly: false, CancellationToken.None)).Invoices;
        return new Size(sellers, kinds, seeding, baseline, monthOnly, run, invoices, (peakWs - startWs) >> 20, (peakHeap - startHeap) >> 20);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task<int>> read, int expected)
    {
        var watch = Stopwatch.StartNew();
        var ok = await read();
        return ok == expected ? watch.Elapsed : throw new InvalidOperationException($"The direct read found the seeded rows of {ok} of {expected} sellers.");
    }

    private static string Seller(int i) => $"bench-{i:D6}";

    private static string MonthFilter(int i)
    {
        var key = $"{Seller(i)}|hangzhou|{March}";
        return TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"roll|"} and RowKey lt {"snap}"}");
    }

    private static string ClaimsFilter(int i)
    {
        var key = $"{Seller(i)}|hangzhou";
        return TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"claim|"} and RowKey lt {"claim}"}");
    }

    private static async Task<int> CountAsync(TableClient table, string filter)
    {
        var n = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(filter))
        {
            n++;
        }

        return n;
    }

    /// <summary>Each seller's month partition in one transaction, the activity index 100 rows at once; 4 transactions at a time.</summary>
    private static async Task SeedAsync(string connectionString, StorageNames names, int sellers, int kinds)
    {
        var tables = new TableServiceClient(connectionString);
        var billing = tables.GetTableClient(names.BillingTable);
        var runs = tables.GetTableClient(names.BillingRunsTable);
        await billing.CreateIfNotExistsAsync();
        await runs.CreateIfNotExistsAsync();
        var batches = new List<(TableClient Table, List<TableTransactionAction> Actions)>();
        for (var i = 0; i < sellers; i++)
        {
            batches.Add((billing, [.. TableBillingLedgerRows.Month(Seller(i), "hangzhou", March, kinds, i).Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))]));
        }

        foreach (var chunk in Enumerable.Range(0, sellers).Chunk(100))
        {
            batches.Add((runs, [.. chunk.Select(i => new TableTransactionAction(TableTransactionActionType.UpsertReplace,
                new TableEntity($"active|{March}", $"{Seller(i)}|hangzhou") { [TableOutbox.CommitProperty] = Stamp(i) }))]));
        }

        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, ct) => await batch.Table.SubmitTransactionAsync(batch.Actions, ct));
    }

    internal static string Stamp(int i) => i.ToString("x32", CultureInfo.InvariantCulture);


    /// <summary>The DevHost in-process with its queue listener, only the billing run's queue function, on its own storage names.</summary>
    private sealed class Factory(string connectionString, StorageNames names, RoundTripTimer timer) : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = connectionString;
            settings["DevHost:Listeners"] = "true";
            settings["DevHost:Functions:0"] = "BillSeller";
            settings["DevHost:Queues:VisibilityTimeout"] = "00:00:00";
            settings["DevHost:Queues:MaxPollingInterval"] = "00:00:00.200";
            settings["Hub:Billing:CheckRetryInterval"] = "00:00:01";
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services => services.AddSingleton<StorageClientPolicy>(timer));
        }
    }
}

/// <summary>The rows <c>TableBillingLedger</c> writes for a seller's month: a rollup per day and kind (as <c>AddUsageAsync</c>) and a snapshot per day (as <c>AddSnapshotAsync</c>), with a commit stamp as every outbox commit writes.</summary>
public static class TableBillingLedgerRows
{
    public static IEnumerable<TableEntity> Month(string sellerId, string hub, BillingPeriod period, int kinds, int seed)
    {
        var key = TableBillingLedger.MonthKey(sellerId, hub, period.Month);
        var stamp = BillingRunBenchmark.Stamp(seed);
        foreach (var day in period.Dates())
        {
            var date = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var kind in UsageKind.All.Take(kinds).Select(k => k.Code))
            {
                yield return new TableEntity(key, TableBillingLedger.RollupRow(key, day, kind))
                {
                    ["Date"] = date,
                    ["Kind"] = kind,
                    ["Units"] = (10 + (day.Day % 7)).ToString(CultureInfo.InvariantCulture),
                    ["Records"] = 1,
                    [TableOutbox.CommitProperty] = stamp,
                };
            }

            yield return new TableEntity(key, TableBillingLedger.SnapshotRow(key, day))
            {
                ["Date"] = date,
                ["CubicMeters"] = (20m + (day.Day * 0.5m)).ToString(CultureInfo.InvariantCulture),
                [TableOutbox.CommitProperty] = stamp,
            };
        }
    }
}

/// <summary><c>--billing [sizes…] [--kinds k] [--runs r]</c> (default 1000 4000, 1 kind, 1 run): the billing benchmark at each size; prints every figure.</summary>
public static class BillingCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).DefaultIfEmpty(fallback).First();
        var sizes = args.SkipWhile(a => a != "--billing").Skip(1).TakeWhile(a => !a.StartsWith('-')).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        return await RunAsync(sizes.Length > 0 ? sizes : [1_000, 4_000], Option("--kinds", 1), Option("--runs", 1), output, checkGoal: true);
    }

    /// <summary>Fails (1) when a seller was not invoiced, or, with <paramref name="checkGoal"/>, when a ratio misses the goal.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, int kinds, int runs, TextWriter output, bool checkGoal)
    {
        var storage = Smoke.Storage();
        var failed = false;
        for (var run = 0; run < runs; run++)
        {
            foreach (var sellers in sizes)
            {
                var size = await BillingRunBenchmark.RunAsync(storage, sellers, kinds, output);
                output.WriteLine(size);
                if (size.Invoices != sellers)
                {
                    output.WriteLine($"billing benchmark: FAILED, {size.Invoices} invoices for {sellers} sellers");
                    failed = true;
                }

                failed |= checkGoal && size.Ratio > BillingRunBenchmark.Goal;
            }
        }

        return failed ? 1 : 0;
    }
}

/// <summary>
/// CPU time used during a phase by this process and, when <c>HUB_TEST_AZURITE_PID</c> names it, by Azurite (from
/// <c>/proc/{pid}/stat</c>): on a shared machine the wall time of a phase depends on the other load, its CPU time much less.
/// When <c>HUB_BENCH_EVENTS_AZURITE_PID</c> names a second Azurite (the event sink's own, benchmark (d)), its CPU too.
/// </summary>
public sealed record CpuSeconds(double Process, double? Azurite, double? EventsAzurite = null)
{
    private const string AzuritePid = "HUB_TEST_AZURITE_PID";
    private const string EventsAzuritePid = "HUB_BENCH_EVENTS_AZURITE_PID";

    public static Mark Start() => new(Own(), CpuOf(AzuritePid), CpuOf(EventsAzuritePid));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"benchmark process {Process:F1} s, Azurite {(Azurite is { } a ? a.ToString("F1", CultureInfo.InvariantCulture) + " s" : "unknown (HUB_TEST_AZURITE_PID not set)")}")
        + (EventsAzurite is { } e ? string.Create(CultureInfo.InvariantCulture, $", the event sink's Azurite {e:F1} s") : "");

    private static double Own()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    private static double? CpuOf(string pidVariable)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(pidVariable), out var pid) || !File.Exists($"/proc/{pid}/stat"))
        {
            return null;
        }

        // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th (clock ticks, 100 a second on Linux).
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public sealed record Mark(double Process, double? Azurite, double? EventsAzurite)
    {
        public CpuSeconds Stop() => new(Own() - Process, CpuOf(AzuritePid) - Azurite, CpuOf(EventsAzuritePid) - EventsAzurite);
    }
}
