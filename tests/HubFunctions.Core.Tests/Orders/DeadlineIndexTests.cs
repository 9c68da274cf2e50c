using HubFunctions.Core.Orders;
using static HubFunctions.Core.Tests.Orders.OrderTestData;

namespace HubFunctions.Core.Tests.Orders;

/// <summary>DSP-3: the deadline index the cutoff sweep reads.</summary>
public sealed class DeadlineIndexTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 1, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DSP_3_the_key_is_the_utc_minute_of_the_deadline_and_a_two_digit_shard()
    {
        var key = DeadlineIndex.KeyOf(Open(), 16);

        Assert.Matches(@"^202612010400-[0-9]{2}$", key);
        Assert.Equal("202612010359-07", DeadlineIndex.Key(new DateTimeOffset(2026, 12, 1, 11, 59, 59, 999, TimeSpan.FromHours(8)), 7));
    }

    [Fact]
    public void DSP_3_an_order_received_seconds_before_its_deadline_is_filed_where_a_late_write_is_still_read()
    {
        // Deadline 04:00:59Z (created 02:00:59Z + 2 h). Its own bucket, 04:00, is read for the last time by the run at
        // 04:01:00 (checkpoint → 04:00). Received at 04:00:58, a write slowed past 04:01:00 would never be read there.
        var order = Open(created: new DateTimeOffset(2026, 12, 1, 2, 0, 59, TimeSpan.Zero));
        var receivedAt = new DateTimeOffset(2026, 12, 1, 4, 0, 58, TimeSpan.Zero);
        var key = DeadlineIndex.IntakeKeyOf(order, receivedAt, 16);

        // 04:00:58 + 1 min = 04:01:58 → bucket 04:01, later than the deadline's.
        Assert.Equal(DeadlineIndex.KeyOf(order.OrderId, new DateTimeOffset(2026, 12, 1, 4, 1, 0, TimeSpan.Zero), 16), key);
        Assert.NotEqual(DeadlineIndex.KeyOf(order, 16), key);

        // The run at 04:02:00 (after the one at 04:01:00 completed 04:00) still reads the row, and the order is due then.
        var run = new DateTimeOffset(2026, 12, 1, 4, 2, 0, TimeSpan.Zero);
        var due = DeadlineIndex.BucketsDue(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero), run, 16);
        Assert.Contains(key, due.Keys);
        Assert.DoesNotContain(DeadlineIndex.KeyOf(order, 16), due.Keys);
        Assert.True(order.IsConversionDue(run));

        // Received well ahead, the row goes to the deadline's own bucket, as before.
        Assert.Equal(DeadlineIndex.KeyOf(order, 16), DeadlineIndex.IntakeKeyOf(order, order.CreatedAt, 16));
        Assert.Equal(DeadlineIndex.KeyOf(order, 16), DeadlineIndex.IntakeKeyOf(order, order.DispatchDeadline - DeadlineIndex.IntakeMargin, 16));
    }

    [Fact]
    public void DSP_3_the_shard_is_stable_and_in_range()
    {
        // FNV-1a 32 of "order-1" is fixed; a process-random hash would change this value between runs.
        Assert.Equal(DeadlineIndex.Shard("order-1", 16), DeadlineIndex.Shard("order-1", 16));
        Assert.Equal(0x2B7FCD6Du % 16, (uint)DeadlineIndex.Shard("order-1", 16));
        Assert.All(Enumerable.Range(0, 1000), i => Assert.InRange(DeadlineIndex.Shard($"o-{i}", 16), 0, 15));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlineIndex.Shard("x", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => DeadlineIndex.Shard("x", 101));
    }

    [Fact]
    public void DSP_3_the_shards_spread_one_minute_evenly()
    {
        var counts = Enumerable.Range(0, 16_000).GroupBy(i => DeadlineIndex.Shard($"AE-{i:D9}", 16)).Select(g => g.Count()).ToList();

        Assert.Equal(16, counts.Count);
        Assert.All(counts, c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void DSP_3_a_sweep_reads_the_minutes_after_the_checkpoint_through_the_current_one()
    {
        var due = DeadlineIndex.BucketsDue(T.AddMinutes(-3), T.AddSeconds(30), 2);

        Assert.Equal(["202612010358-00", "202612010358-01", "202612010359-00", "202612010359-01", "202612010400-00", "202612010400-01"], due.Keys);
        Assert.Equal(T.AddMinutes(-1), due.CompletedThrough);
        Assert.True(due.CaughtUp);
    }

    [Fact]
    public void DSP_3_the_next_run_rereads_the_current_minute_so_nothing_due_is_missed()
    {
        var first = DeadlineIndex.BucketsDue(T.AddMinutes(-1), T.AddSeconds(10), 1);
        var second = DeadlineIndex.BucketsDue(first.CompletedThrough, T.AddSeconds(70), 1);

        Assert.Equal(["202612010400-00"], first.Keys);
        Assert.Equal(["202612010400-00", "202612010401-00"], second.Keys);
    }

    [Fact]
    public void DSP_3_a_deadline_read_by_the_current_minute_converts_within_60_seconds()
    {
        var order = Open();
        var now = order.DispatchDeadline.AddSeconds(1);
        var due = DeadlineIndex.BucketsDue(DeadlineIndex.Minute(order.DispatchDeadline).AddMinutes(-1), now, 16);

        Assert.Contains(DeadlineIndex.KeyOf(order, 16), due.Keys);
        Assert.True(order.IsConversionDue(now));
    }

    [Fact]
    public void DSP_3_a_long_outage_is_caught_up_a_day_at_a_time()
    {
        var due = DeadlineIndex.BucketsDue(T.AddDays(-3), T, 1);

        Assert.False(due.CaughtUp);
        Assert.Equal(1440, due.Keys.Count);
        Assert.Equal("202611280401-00", due.Keys[0]);
        Assert.Equal(T.AddDays(-2), due.CompletedThrough);
        var next = DeadlineIndex.BucketsDue(due.CompletedThrough, T, 1);
        Assert.Equal("202611290401-00", next.Keys[0]);
        Assert.False(next.CaughtUp);
        var last = DeadlineIndex.BucketsDue(DeadlineIndex.BucketsDue(next.CompletedThrough, T, 1).CompletedThrough, T, 1);
        Assert.True(last.CaughtUp);
        Assert.Equal("202612010400-00", last.Keys[^1]);
    }

    [Fact]
    public void DSP_3_the_first_run_ever_looks_back_one_day()
    {
        var due = DeadlineIndex.BucketsDue(null, T, 1);

        Assert.Equal(1440, due.Keys.Count);
        Assert.Equal("202611300401-00", due.Keys[0]);
        Assert.Equal("202612010400-00", due.Keys[^1]);
        Assert.True(due.CaughtUp);
    }

    [Fact]
    public void DSP_3_a_run_in_the_same_minute_as_the_checkpoint_reads_only_that_minute_again()
    {
        var due = DeadlineIndex.BucketsDue(T.AddMinutes(-1), T.AddSeconds(59), 1);

        Assert.Equal(["202612010400-00"], due.Keys);
        Assert.Equal(T.AddMinutes(-1), due.CompletedThrough);
    }
}
