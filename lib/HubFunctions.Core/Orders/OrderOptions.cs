namespace HubFunctions.Core.Orders;

/// <summary>Settings of orders (<c>Hub:Orders</c>).</summary>
public sealed class OrderOptions
{
    public const string Section = "Orders";

    /// <summary>Deadline index shards per minute (1..100). Changing it leaves existing rows under their old key: the sweep reads the old shards' keys too only while the value is unchanged, so change it only with an empty index.</summary>
    public int ShardCount { get; set; } = DeadlineIndex.DefaultShardCount;

    /// <summary>Orders of one index partition converted at once by one queue message.</summary>
    public int SweepParallelism { get; set; } = 8;

    /// <summary>
    /// Index rows left behind the checkpoint (minutes more than <see cref="DeadlineIndex.DropSweptAfter"/> behind it) that one
    /// planning run of the cutoff sweep reads and finishes or removes, at most (1..1000, default 200): the rest wait for the next run.
    /// </summary>
    public int LeftoverRowsPerRun { get; set; } = 200;

    /// <summary>DSP-5 counter rows per seller and month (1..64, default 8), an order counted alone in the one its id hashes to, gathered counts (MetricsFlushInterval) in the one of their chunk's first order, summed at read: a seller's orders do not all wait on one row's ETag. Raising it is safe (reads sum every row there is); lowering it is too.</summary>
    public int MetricShards { get; set; } = 8;

    /// <summary>
    /// How long DSP-5 counts of intakes and accepted instructions are gathered before they are committed together, per seller
    /// and month (default 200 ms; 0 to 10 minutes). Zero: each request counts its own order before it answers (one commit per
    /// request). See <c>Orders/DECISIONS.md</c>, "Counting gathered per seller and month".
    /// </summary>
    public TimeSpan MetricsFlushInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// DIA-2 stage norms that replace the defaults of <see cref="DiagnosisOptions.StageNorms"/>, by the milestone that
    /// starts the stage (<c>Hub:Orders:StageNorms:received</c> = <c>04:00:00</c>): <c>created</c>, <c>instructed</c>,
    /// <c>received</c>, <c>picked</c>, <c>packed</c>.
    /// </summary>
    public Dictionary<string, TimeSpan> StageNorms { get; set; } = new(StringComparer.Ordinal);

    /// <summary>DIA-1 cause 2: how long after "delivered to the hub" a missing receipt is a finding (default <see cref="DiagnosisOptions.ReceiptGrace"/>, 2 h).</summary>
    public TimeSpan? ReceiptGrace { get; set; }

    /// <summary>The diagnosis settings: the defaults with the configured norms and grace over them.</summary>
    public DiagnosisOptions Diagnosis()
    {
        var defaults = new DiagnosisOptions();
        var norms = new Dictionary<string, TimeSpan>(defaults.StageNorms, StringComparer.Ordinal);
        foreach (var (stage, norm) in StageNorms)
        {
            norms[stage] = norm;
        }

        return new DiagnosisOptions { StageNorms = norms, ReceiptGrace = ReceiptGrace ?? defaults.ReceiptGrace };
    }

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MetricShards is < 1 or > 64)
        {
            problems.Add("MetricShards must be 1..64.");
        }

        foreach (var (stage, norm) in StageNorms)
        {
            if (!OrderStages.Timeline.Contains(stage, StringComparer.Ordinal) || stage == OrderStages.HandedOver)
            {
                problems.Add($"StageNorms:{stage}: not a stage with a norm (created, instructed, received, picked, packed).");
            }
            else if (norm <= TimeSpan.Zero)
            {
                problems.Add($"StageNorms:{stage} must be positive.");
            }
        }

        if (ReceiptGrace is { } grace && grace < TimeSpan.Zero)
        {
            problems.Add("ReceiptGrace must not be negative.");
        }

        if (ShardCount is < 1 or > DeadlineIndex.MaxShardCount)
        {
            problems.Add($"ShardCount must be 1..{DeadlineIndex.MaxShardCount}.");
        }

        if (LeftoverRowsPerRun is < 1 or > 1000)
        {
            problems.Add("LeftoverRowsPerRun must be 1..1000.");
        }

        if (MetricsFlushInterval < TimeSpan.Zero || MetricsFlushInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add("MetricsFlushInterval must be 0 to 10 minutes.");
        }

        if (SweepParallelism is < 1 or > 64)
        {
            problems.Add("SweepParallelism must be 1..64.");
        }

        return problems;
    }
}
