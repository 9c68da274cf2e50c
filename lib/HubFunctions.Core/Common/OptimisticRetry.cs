namespace HubFunctions.Core.Common;

/// <summary>
/// The one optimistic-concurrency loop: read, decide, commit; on <see cref="ConcurrencyConflictException"/>
/// wait a short random time (so racing losers do not collide again in step) and run the whole
/// attempt again, at most <see cref="MaxAttempts"/> times. The attempt must re-read what it decides
/// on: each retry starts from the current state. The pause is wall-clock time, not the app's
/// <see cref="TimeProvider"/>: it is jitter between attempts, not domain time, and under a test's fake
/// clock a conflict's retry would wait until the test moved the clock (tests hung for 100 s this way,
/// sessions s14 and s15).
/// </summary>
public sealed class OptimisticRetry(IRandomSource random)
{
    /// <summary>Each round lets at least one of the racing writers through.</summary>
    public const int MaxAttempts = 20;

    /// <summary>Runs <paramref name="attempt"/> until it commits; rethrows the last conflict after <see cref="MaxAttempts"/>.</summary>
    public async Task<T> RunAsync<T>(Func<int, CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        for (var n = 1; ; n++)
        {
            try
            {
                return await attempt(n, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (n < MaxAttempts)
            {
                var pause = TimeSpan.FromMilliseconds(random.Next(5, 20 * n));
                await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>Random numbers for jitter, injected so rules and tests do not reach for a global.</summary>
public interface IRandomSource
{
    /// <summary>A number in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    int Next(int minInclusive, int maxExclusive);
}
