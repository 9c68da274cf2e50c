namespace HubFunctions.Benchmarks;

/// <summary>
/// <c>--smoke</c>: runs each benchmark body once, without BenchmarkDotNet, and checks the result
/// (CI: the benchmark still builds, runs and validates the corpus as expected).
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

        return 0;
    }
}
