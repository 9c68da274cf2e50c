using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Benchmarks;

/// <summary>Helpers every benchmark shares: storage names of its own, and the median of its measured runs.</summary>
public static class BenchmarkNames
{
    /// <summary>Every table, queue and container name of <see cref="StorageNames"/> with a tag of its own, so a benchmark's side owns its storage.</summary>
    public static StorageNames Isolated()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var names = new StorageNames();
        foreach (var property in typeof(StorageNames).GetProperties().Where(p => p.PropertyType == typeof(string) && p.CanWrite))
        {
            var name = (string)property.GetValue(names)!;
            property.SetValue(names, property.Name.EndsWith("Table", StringComparison.Ordinal) ? name + tag : $"{name}-{tag}");
        }

        return names;
    }

    /// <summary>The median (0 for none).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
