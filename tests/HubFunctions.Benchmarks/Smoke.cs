namespace HubFunctions.Benchmarks;

/// <summary>
/// <c>--smoke</c>: runs each benchmark body once, without BenchmarkDotNet, and checks the result
/// (CI: the benchmark still builds, runs and validates the corpus as expected), and the compliance
/// sweep benchmark on 300 and 3,000 sellers with 50 due (Azurite from <c>HUB_TEST_STORAGE</c>).
/// </summary>
public static class Smoke
{
    public static int Run(TextWriter output)
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

        // The compliance sweep, small: every due seller frozen in both phases (times printed, not judged).
        return SweepCommand.RunAsync(300, 3_000, 50, output, checkGoal: false).GetAwaiter().GetResult();
    }
}
