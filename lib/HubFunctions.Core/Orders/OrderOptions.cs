namespace HubFunctions.Core.Orders;

/// <summary>Settings of orders (<c>Hub:Orders</c>).</summary>
public sealed class OrderOptions
{
    public const string Section = "Orders";

    /// <summary>Deadline index shards per minute (1..100). Changing it leaves existing rows under their old key: the sweep reads the old shards' keys too only while the value is unchanged, so change it only with an empty index.</summary>
    public int ShardCount { get; set; } = DeadlineIndex.DefaultShardCount;

    /// <summary>Orders of one index partition converted at once by one queue message.</summary>
    public int SweepParallelism { get; set; } = 8;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (ShardCount is < 1 or > DeadlineIndex.MaxShardCount)
        {
            problems.Add($"ShardCount must be 1..{DeadlineIndex.MaxShardCount}.");
        }

        if (SweepParallelism is < 1 or > 64)
        {
            problems.Add("SweepParallelism must be 1..64.");
        }

        return problems;
    }
}
