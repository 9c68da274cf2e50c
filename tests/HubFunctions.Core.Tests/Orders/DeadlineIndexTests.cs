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
    public void DSP_3_an_order_received_seconds_before_its_deadline_is_filed_under_its_deadline_and_its_minute_read_for_a_minute_more()
    {
        // Deadline 04:00:59Z (created 02:00:59Z + 2 h), received at 04:00:58: filed under its own deadline's minute, 04:00, so
        // the first run after 04:00:59 converts it (until session s15 it was filed a minute ahead, 04:01, and converted only by
        // a run in that minute: up to about 70 s after its deadline, past DSP-3's 60 s).
        var order = Open(created: new DateTimeOffset(2026, 12, 1, 2, 0, 59, TimeSpan.Zero));
        var receivedAt = new DateTimeOffset(2026, 12, 1, 4, 0, 58, TimeSpan.Zero);
        var key = DeadlineIndex.IntakeKeyOf(order, receivedAt, 16);
        Assert.Equal(DeadlineIndex.KeyOf(order, 16), key);
        var first = DeadlineIndex.BucketsDue(new DateTimeOffset(2026, 12, 1, 3, 59, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 4, 1, 0, TimeSpan.Zero), 16);
        Assert.Contains(key, first.Keys);
        Assert.True(order.IsConversionDue(new DateTimeOffset(2026, 12, 1, 4, 1, 0, TimeSpan.Zero)));

        // A write slowed past the end of 04:00 is still read: the minute stays uncompleted until a run at least LateWriteGrace
        // (1 min) after its end. The run at 04:01:59 reads it again; the run at 04:02:00 reads it for the last time and completes it.
        Assert.Equal(TimeSpan.FromMinutes(1), DeadlineIndex.LateWriteGrace);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 59, 0, TimeSpan.Zero), first.CompletedThrough);
        var later = DeadlineIndex.BucketsDue(first.CompletedThrough, new DateTimeOffset(2026, 12, 1, 4, 1, 59, TimeSpan.Zero), 16);
        Assert.Contains(key, later.Keys);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 59, 0, TimeSpan.Zero), later.CompletedThrough);
        var last = DeadlineIndex.BucketsDue(later.CompletedThrough, new DateTimeOffset(2026, 12, 1, 4, 2, 0, TimeSpan.Zero), 16);
        Assert.Contains(key, last.Keys);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero), last.CompletedThrough);
        Assert.DoesNotContain(key, DeadlineIndex.BucketsDue(last.CompletedThrough, new DateTimeOffset(2026, 12, 1, 4, 2, 10, TimeSpan.Zero), 16).Keys);

        // Received well ahead, the row goes to the deadline's own bucket; received past its deadline (converted at intake), to
        // the intake's own minute, which is not completed yet.
        Assert.Equal(DeadlineIndex.KeyOf(order, 16), DeadlineIndex.IntakeKeyOf(order, order.CreatedAt, 16));
        var pastDue = new DateTimeOffset(2026, 12, 1, 4, 3, 30, TimeSpan.Zero);
        Assert.Equal(DeadlineIndex.KeyOf(order.OrderId, pastDue, 16), DeadlineIndex.IntakeKeyOf(order, pastDue, 16));
        var intakeMinute = DeadlineIndex.Minute(pastDue);
        Assert.True(DeadlineIndex.BucketsDue(last.CompletedThrough, intakeMinute.AddMinutes(1).AddSeconds(59), 16).CompletedThrough < intakeMinute);
        Assert.Equal(intakeMinute, DeadlineIndex.BucketsDue(last.CompletedThrough, intakeMinute.AddMinutes(2), 16).CompletedThrough);
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
        // 03:59 ended only 30 s ago (less than LateWriteGrace): read again by the next run.
        Assert.Equal(T.AddMinutes(-2), due.CompletedThrough);
        Assert.True(due.CaughtUp);
    }

    [Fact]
    public void DSP_3_the_next_run_rereads_the_current_minute_so_nothing_due_is_missed()
    {
        var first = DeadlineIndex.BucketsDue(T.AddMinutes(-1), T.AddSeconds(10), 1);
        var second = DeadlineIndex.BucketsDue(first.CompletedThrough, T.AddSeconds(70), 1);

        Assert.Equal(["202612010400-00"], first.Keys);
        Assert.Equal(["202612010400-00", "202612010401-00"], second.Keys);
        // 04:00 ended 10 s before the second run: it stays uncompleted until a run a minute after its end.
        Assert.Equal(T.AddMinutes(-1), second.CompletedThrough);
        var third = DeadlineIndex.BucketsDue(second.CompletedThrough, T.AddSeconds(120), 1);
        Assert.Equal(["202612010400-00", "202612010401-00", "202612010402-00"], third.Keys);
        Assert.Equal(T, third.CompletedThrough);
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
    public void DSP_3_a_catch_up_cut_just_before_the_current_minute_still_leaves_the_minute_that_just_ended_uncompleted()
    {
        // A day and a minute behind: the catch-up limit stops the range at 03:59, which ended only 30 s before the run. A write
        // slowed into 03:59 must still be read, so the checkpoint stays before it (review of session s15).
        var due = DeadlineIndex.BucketsDue(T.AddDays(-1).AddMinutes(-1), T.AddSeconds(30), 1);

        Assert.False(due.CaughtUp);
        Assert.Equal("202612010359-00", due.Keys[^1]);
        Assert.Equal(T.AddMinutes(-2), due.CompletedThrough);
        Assert.Contains("202612010359-00", DeadlineIndex.BucketsDue(due.CompletedThrough, T.AddSeconds(40), 1).Keys);
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
