using BenchmarkDotNet.Running;
using HubFunctions.Benchmarks;

if (args.Contains("--smoke"))
{
    return await Smoke.RunAsync(Console.Out);
}

if (args.Contains("--events"))
{
    // Benchmark (c): --events [events] [concurrency], against the Azurite in HUB_TEST_STORAGE.
    var numbers = args.Select(a => int.TryParse(a, out var n) ? n : 0).Where(n => n > 0).ToArray();
    var result = await EventRelayThroughput.RunAsync(Smoke.Storage(), numbers.ElementAtOrDefault(0) is > 0 and var events ? events : 2000,
        numbers.ElementAtOrDefault(1) is > 0 and var concurrency ? concurrency : 32);
    Console.WriteLine(result);
    foreach (var line in result.Breakdown)
    {
        Console.WriteLine(line);
    }

    return 0;
}

if (args.Contains("--appointments"))
{
    // Bookings per second through the DevHost vs direct storage, on the Azurite of HUB_TEST_STORAGE.
    var storage = Environment.GetEnvironmentVariable("HUB_TEST_STORAGE") ?? throw new InvalidOperationException("Set HUB_TEST_STORAGE to an Azurite connection string.");
    var concurrency = args.SkipWhile(a => a != "--concurrency").Skip(1).Select(int.Parse).DefaultIfEmpty(16).First();
    var bookings = args.SkipWhile(a => a != "--bookings").Skip(1).Select(int.Parse).DefaultIfEmpty(2000).First();
    Console.WriteLine(await AppointmentThroughput.RunAsync(storage, bookings, concurrency));
    return 0;
}

if (args.Contains("--uploads"))
{
    // Benchmark (b): --uploads [--count 400] [--concurrency 16] [--memory-uploads 20] [--memory-only]: 64 KiB uploads/s DevHost vs direct, then memory at 1 MiB and 20 MiB.
    var storage = Smoke.Storage();
    int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).DefaultIfEmpty(fallback).First();
    if (!args.Contains("--memory-only"))
    {
        Console.WriteLine(await UploadThroughput.ThroughputAsync(storage, Option("--count", 400), Option("--concurrency", 16)));
    }

    Console.WriteLine(await UploadThroughput.AllocationAsync(storage, [64 * 1024, 1024 * 1024, 20 * 1024 * 1024]));
    var concurrent = Option("--memory-uploads", 20);
    Console.WriteLine(await UploadThroughput.MemoryAsync(storage, concurrent, 1024 * 1024));
    Console.WriteLine(await UploadThroughput.MemoryAsync(storage, concurrent, 20 * 1024 * 1024));
    return 0;
}

if (args.Contains("--billing"))
{
    // The billing run benchmark of issue 12: --billing [1000 4000] [--kinds 1] [--runs 1].
    return await BillingCommand.RunAsync(args, Console.Out);
}

if (args.Contains("--orders"))
{
    // Benchmark (a) of issue 11: --orders [--count 2000] [--concurrency 16] [--devhost-only]: signed order intake DevHost vs
    // direct storage; --devhost-only runs only the DevHost side (to profile it).
    int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).DefaultIfEmpty(fallback).First();
    Console.WriteLine(await OrderIntakeThroughput.RunAsync(Smoke.Storage(), Option("--count", 2000), Option("--concurrency", 16), devHostOnly: args.Contains("--devhost-only")));
    return 0;
}

if (args.Contains("--order-lifecycle"))
{
    // Benchmark (d) of issue 11: --order-lifecycle [--seconds 180] [--concurrency 16] [--reader-after | --reader-live | --reader-deletes]: the sustained full
    // lifecycle on this machine; without a reader option the events are timed when the relay's send returned (EventTiming).
    int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).DefaultIfEmpty(fallback).First();
    var timing = args.Contains("--reader-deletes") ? EventTiming.ReaderDeletes : args.Contains("--reader-live") ? EventTiming.ReaderLive
        : args.Contains("--reader-after") ? EventTiming.ReaderAfter : EventTiming.Published;
    var lifecycle = await OrderLifecycleBenchmark.RunAsync(Smoke.Storage(), TimeSpan.FromSeconds(Option("--seconds", 180)), Option("--concurrency", 16), Console.Out, timing);
    Console.WriteLine(lifecycle);
    return 0;
}

if (args.Contains("--order-sweep"))
{
    // Benchmark (b) of issue 11: --order-sweep [small large due [runs]] (default 20000 200000 2000 3).
    return await OrderSweepCommand.RunAsync(args, Console.Out);
}

if (args.Contains("--sweep"))
{
    return await SweepCommand.RunAsync(args, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(LabelValidationBenchmarks).Assembly).Run(args);
return 0;
