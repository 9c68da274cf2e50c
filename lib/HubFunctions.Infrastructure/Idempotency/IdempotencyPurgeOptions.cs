namespace HubFunctions.Infrastructure.Idempotency;

/// <summary>Settings of the webhook-id purge (<c>Hub:Idempotency:...</c>), bound with the options pattern.</summary>
public sealed class IdempotencyPurgeOptions
{
    /// <summary>The configuration section these settings are bound from.</summary>
    public const string Section = "Hub:Idempotency";

    /// <summary>
    /// The longest budget a run may be given: under a classic Consumption plan's longest function timeout (10 minutes); the
    /// Flex Consumption plan the Bicep deploys allows 30 minutes by default, so this is a margin there.
    /// </summary>
    public static readonly TimeSpan MaxBudget = TimeSpan.FromMinutes(9);

    /// <summary>
    /// How long one run may keep starting deletes (default 4 minutes, under the 5-minute default function timeout of a
    /// classic Consumption plan): once spent, no further blob delete, <c>$batch</c> or query page starts; the next run finds
    /// what is left.
    /// </summary>
    public TimeSpan PurgeBudget { get; set; } = TimeSpan.FromMinutes(4);

    /// <summary>How many partitions are purged at once (default 4); within one partition, one batch at a time.</summary>
    public int PurgeParallelism { get; set; } = 4;

    /// <summary>What is unusable in these settings (empty: none).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (PurgeBudget <= TimeSpan.Zero || PurgeBudget > MaxBudget)
        {
            problems.Add($"{Section}:PurgeBudget must be more than 0 and at most {MaxBudget} (a function runs at most 10 minutes), not {PurgeBudget}.");
        }

        if (PurgeParallelism is < 1 or > 64)
        {
            problems.Add($"{Section}:PurgeParallelism must be 1..64, not {PurgeParallelism}.");
        }

        return problems;
    }
}

/// <summary>What one purge run did.</summary>
/// <param name="Deleted">Entries deleted.</param>
/// <param name="BlobsDeleted">Outcome blobs deleted.</param>
/// <param name="BlobsDone">Whether every expired outcome blob was seen (false: the budget ran out while deleting blobs).</param>
/// <param name="KnownPartitions">Partitions of the clients known from configuration (16 per client).</param>
/// <param name="KnownPartitionsDone">Of those, the ones whose expired entries were all deleted in this run.</param>
/// <param name="WholeTablePassDone">Whether the pass over the whole table for other partitions ran to its end.</param>
public sealed record IdempotencyPurgeResult(int Deleted, int BlobsDeleted, bool BlobsDone, int KnownPartitions, int KnownPartitionsDone, bool WholeTablePassDone)
{
    /// <summary>Known partitions this run did not finish (not started, or stopped at the budget).</summary>
    public int PartitionsLeft => KnownPartitions - KnownPartitionsDone;

    /// <summary>Whether everything expired at the run's start was deleted (or changed meanwhile and kept).</summary>
    public bool Finished => BlobsDone && PartitionsLeft == 0 && WholeTablePassDone;
}
