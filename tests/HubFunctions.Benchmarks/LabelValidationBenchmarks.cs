using BenchmarkDotNet.Attributes;
using HubFunctions.Core.Labels;

namespace HubFunctions.Benchmarks;

/// <summary>
/// LBL-1 label validation, single-threaded, over a fixed mix of <see cref="LabelCount"/> labels
/// (the three forms, about 10% faulty). Each invocation handles every label once and
/// <c>OperationsPerInvoke</c> is the label count, so Mean and Allocated are per label.
/// The baseline only scans the same strings and computes a mod-10 check over their digits:
/// the floor any validator must pay, so the ratio shows what parsing and the rules add.
/// </summary>
[MemoryDiagnoser]
public class LabelValidationBenchmarks
{
    /// <summary>Labels per invocation.</summary>
    public const int LabelCount = 1000;

    private string[] _labels = [];
    private LabelValidator _validator = null!;

    /// <summary>The corpus in use.</summary>
    public LabelCorpus Corpus { get; private set; } = null!;

    [GlobalSetup]
    public void Setup()
    {
        Corpus = LabelCorpus.Create(LabelCount);
        _labels = Corpus.Labels;
        _validator = new LabelValidator(TimeProvider.System);
    }

    /// <summary>Scan every character, mod-10 over the digits: no parsing, no allocation.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = LabelCount)]
    public int ScanAndCheckDigitBaseline()
    {
        var total = 0;
        foreach (var label in _labels)
        {
            var sum = 0;
            var weight = 3;
            foreach (var c in label)
            {
                if (char.IsAsciiDigit(c))
                {
                    sum += (c - '0') * weight;
                    weight = 4 - weight;
                }
            }

            total += sum % 10;
        }

        return total;
    }

    /// <summary>Full validation (LBL-1, LBL-2): parse any form, check every value, hub rules.</summary>
    [Benchmark(OperationsPerInvoke = LabelCount)]
    public int ValidateLabels()
    {
        var valid = 0;
        foreach (var label in _labels)
        {
            if (_validator.Validate(label).Valid)
            {
                valid++;
            }
        }

        return valid;
    }
}
