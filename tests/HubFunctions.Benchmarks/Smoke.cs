namespace HubFunctions.Benchmarks;

/// <summary>
/// <c>--smoke</c>: runs each benchmark body once, without BenchmarkDotNet, and checks the result
/// (CI: the benchmark still builds, runs and validates the corpus as expected). The appointment
/// benchmark runs small (40 bookings each way at concurrency 8) on the Azurite of <c>HUB_TEST_STORAGE</c>
/// (scripts/test.sh sets it) and checks that every booking was stored; its figures are printed, not judged.
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

        if (Environment.GetEnvironmentVariable("HUB_TEST_STORAGE") is not { Length: > 0 } storage)
        {
            output.WriteLine("smoke: FAILED, HUB_TEST_STORAGE is not set (the appointment benchmark needs Azurite; scripts/test.sh starts one)");
            return 1;
        }

        var appointments = await AppointmentThroughput.RunAsync(storage, bookings: 40, concurrency: 8);
        output.WriteLine("smoke: " + appointments);
        if (appointments.DevHostCreated != appointments.Bookings || appointments.DirectStored != appointments.Bookings)
        {
            output.WriteLine("smoke: FAILED, not every booking was stored");
            return 1;
        }

        return 0;
    }
}
