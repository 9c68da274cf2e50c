namespace HubFunctions.Benchmarks;

/// <summary>Runs a benchmark's operations at a fixed concurrency and counts the ones that succeeded.</summary>
public static class Concurrently
{
    /// <summary>Runs <paramref name="work"/> for 0..<paramref name="count"/>-1, at most <paramref name="concurrency"/> at once; returns how many answered true.</summary>
    public static async Task<int> CountAsync(int count, int concurrency, Func<int, Task<bool>> work)
    {
        var done = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
            {
                if (await work(i))
                {
                    Interlocked.Increment(ref done);
                }
            });
        return done;
    }
}
