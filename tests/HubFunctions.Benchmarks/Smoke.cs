namespace HubFunctions.Benchmarks;

/// <summary>
/// <c>--smoke</c>: runs each benchmark body once, without BenchmarkDotNet, and checks the result
/// (CI: the benchmark still builds, runs and validates the corpus as expected). The storage
/// benchmarks run small against the Azurite of <c>HUB_TEST_STORAGE</c> (scripts/test.sh sets it): the
/// appointment benchmark (40 bookings each way at concurrency 8) checks that every booking was stored,
/// the event relay benchmark (c) (200 events) that every event was delivered exactly once and no
/// intent was left behind, the
/// upload benchmark (b) (20 uploads of 64 KiB each way at concurrency 4) that every upload was
/// stored, the billing run (20 sellers) that every seller was invoiced and the run completed, the order intake benchmark (a)
/// of issue 11 (40 orders each way at concurrency 8) that every order was stored, the cutoff sweep benchmark (b) (300 and
/// 3,000 open orders, 50 due, one run) that every due order was converted, the compliance sweep (300 and 3,000 sellers, 50
/// due, one run) that every due seller froze; their figures are
/// printed, not judged.
/// </summary>
public static class Smoke
{
    public static async Task<int> RunAsync(TextWriter output)
    {
        var benchmarks = new LabelValidationBenchmarks();
        benchmarks.Setup();
        var scanned = benchmarks.ScanAndCheckDigitBaseline();
        var valid = benchmarks.ValidateLabels();
        var expected = benchmarks.Corpus.ExpectedValid;
        output.WriteLine(
            $"smoke: {LabelValidationBenchmarks.LabelCount} labels validated, {valid} valid, {LabelValidationBenchmarks.LabelCount - valid} invalid (expected {expected} valid); baseline checksum {scanned}");
        if (valid != expected)
        {
            output.WriteLine("smoke: FAILED, the validator disagrees with the corpus");
            return 1;
        }

        var storage = Storage();
        var appointments = await AppointmentThroughput.RunAsync(storage, bookings: 40, concurrency: 8);
        output.WriteLine("smoke: " + appointments);
        if (appointments.DevHostCreated != appointments.Bookings || appointments.DirectStored != appointments.Bookings)
        {
            output.WriteLine("smoke: FAILED, not every booking was stored");
            return 1;
        }

        var events = await EventRelayThroughput.RunAsync(storage, events: 200, concurrency: 16);
        output.WriteLine($"smoke: {events}");
        if (events.Delivered != events.Events || events.RawSent != events.Events || events.Left != 0)
        {
            output.WriteLine("smoke: FAILED, the relay did not deliver every event exactly once and clean up after it");
            return 1;
        }

        // Document uploads, small: 20 each way at concurrency 4, every one stored (figures printed, not judged).
        var uploads = await UploadThroughput.ThroughputAsync(storage, uploads: 20, concurrency: 4);
        output.WriteLine("smoke: " + uploads);
        if (uploads.DevHostCreated != uploads.Uploads || uploads.DirectStored != uploads.Uploads)
        {
            output.WriteLine("smoke: FAILED, not every upload was stored");
            return 1;
        }

        // The billing run, small: every seller invoiced and the run completed (times printed, not judged).
        if (await BillingCommand.RunAsync([20], kinds: 1, runs: 1, output, checkGoal: false) != 0)
        {
            return 1;
        }

        // Order intake (issue 11 (a)), small: 40 orders each way at concurrency 8, every one stored (figures printed, not judged).
        var orders = await OrderIntakeThroughput.RunAsync(storage, orders: 40, concurrency: 8, maxWarmUpRounds: 1);
        output.WriteLine("smoke: " + orders);
        if (orders.DevHostAccepted != orders.Orders || orders.DirectStored != orders.Orders)
        {
            output.WriteLine("smoke: FAILED, not every order was stored");
            return 1;
        }

        // The cutoff sweep (issue 11 (b)), small: 300 / 3,000 open orders, 50 due, one run, every due order converted.
        if (await OrderSweepCommand.RunAsync(300, 3_000, 50, 1, output, checkGoal: false) != 0)
        {
            return 1;
        }

        // The compliance sweep, small: every due seller frozen in both phases (times printed, not judged).
        return await SweepCommand.RunAsync(300, 3_000, 50, 1, output, checkGoal: false);
    }

    /// <summary>The Azurite of the test run (scripts/test.sh sets HUB_TEST_STORAGE).</summary>
    public static string Storage() => Environment.GetEnvironmentVariable("HUB_TEST_STORAGE") is { Length: > 0 } value
        ? value
        : throw new InvalidOperationException("HUB_TEST_STORAGE is not set: run with scripts/test.sh, or start Azurite and set it.");
}
