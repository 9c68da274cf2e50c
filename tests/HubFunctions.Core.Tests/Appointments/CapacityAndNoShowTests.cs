using CsCheck;
using HubFunctions.Core.Appointments;
using static HubFunctions.Core.Tests.Appointments.AppointmentTestData;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-7 slot keys and capacity; APT-8 no-show deadline and its hourly index.</summary>
public sealed class CapacityAndNoShowTests
{
    [Theory]
    [InlineData("2026-12-01T10:00:00+08:00", "hangzhou|2026120110")]
    [InlineData("2026-12-01T02:00:00Z", "hangzhou|2026120110")]
    [InlineData("2026-11-30T16:00:00Z", "hangzhou|2026120100")]    // midnight in China, the previous day in UTC
    [InlineData("2026-12-01T23:00:00+08:00", "hangzhou|2026120123")]
    [InlineData("2026-12-01T10:59:59+08:00", "hangzhou|2026120110")] // inside the hour: that hour
    public void APT_7_the_slot_is_the_hub_hour_in_china_time(string eta, string key)
    {
        var instant = DateTimeOffset.Parse(eta, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(key, DockCapacity.SlotKey("hangzhou", instant));
        Assert.Equal(key, Scheduled(eta: instant).SlotKey);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hang|zhou")]
    [InlineData("hang/zhou")]
    public void APT_7_slot_keys_need_a_key_safe_hub(string hub)
        => Assert.Throws<ArgumentException>(() => DockCapacity.SlotKey(hub, Ten));

    [Fact]
    public void APT_7_the_slot_start_is_the_china_hour()
    {
        Assert.Equal(China(1, 10), DockCapacity.SlotStart(China(1, 10, 59)));
        Assert.Equal(TimeSpan.FromHours(8), DockCapacity.SlotStart(Ten.ToUniversalTime()).Offset);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(9, true)]
    [InlineData(10, false)]
    [InlineData(11, false)]
    public void APT_7_one_more_booking_fits_below_the_default_capacity_of_ten(int count, bool fits)
    {
        Assert.Equal(fits, DockCapacity.Fits("hangzhou", count));
        var error = DockCapacity.CheckFits("hangzhou", Ten, count);
        Assert.Equal(fits ? null : "capacity-full", error?.Code);
    }

    [Fact]
    public void APT_7_capacity_is_configurable_per_hub()
    {
        var options = new AppointmentOptions { DockCapacityPerHour = 4, DockCapacityByHub = new Dictionary<string, int> { ["dongguan"] = 25 } };
        Assert.False(DockCapacity.Fits("hangzhou", 4, options));
        Assert.True(DockCapacity.Fits("dongguan", 24, options));
        Assert.False(DockCapacity.Fits("dongguan", 25, options));
        Assert.Contains("25 vehicles per hour", DockCapacity.CheckFits("dongguan", Ten, 25, options)!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APT_7_counting_bookings_one_by_one_never_exceeds_the_capacity()
    {
        Gen.Select(Gen.Int[1, 50], Gen.Int[0, 200]).Sample((capacity, attempts) =>
        {
            var count = 0;
            for (var i = 0; i < attempts; i++)
            {
                if (DockCapacity.Fits(count, capacity))
                {
                    count++;
                }
            }

            Assert.Equal(Math.Min(capacity, attempts), count);
        });
    }

    [Fact]
    public void APT_7_impossible_counts_and_capacities_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DockCapacity.Fits(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => DockCapacity.Fits(0, 0));
    }

    [Fact]
    public void APT_8_no_show_is_due_two_hours_after_the_hour()
    {
        Assert.Equal(China(1, 12), NoShowRules.NoShowDue(Ten));
        Assert.Equal(China(1, 12), Scheduled().NoShowDue);
        Assert.True(NoShowRules.InTime(Ten, China(1, 12)));
        Assert.False(NoShowRules.InTime(Ten, China(1, 12).AddTicks(1)));
        Assert.False(NoShowRules.IsNoShow(Scheduled(), China(1, 12)));
        Assert.True(NoShowRules.IsNoShow(Scheduled(), China(1, 12, 1)));
        Assert.False(NoShowRules.IsNoShow(Scheduled() with { Status = AppointmentStatus.Admitted }, China(1, 23)));
    }

    [Fact]
    public void APT_8_the_no_show_index_is_keyed_by_the_utc_hour_of_the_due_time()
    {
        Assert.Equal("2026120104", NoShowRules.IndexKeyOf(Scheduled()));                  // 10:00+08 → due 12:00+08 = 04:00Z
        Assert.Equal("2026113019", NoShowRules.IndexKeyOf(Scheduled(eta: China(1, 1)))); // 01:00+08 → due 03:00+08 = 19:00Z the day before
    }

    [Fact]
    public void APT_8_a_sweep_reads_the_hours_since_its_checkpoint_including_the_current_one()
    {
        var now = new DateTimeOffset(2026, 12, 1, 4, 30, 0, TimeSpan.Zero);
        Assert.Equal(["2026120104"], NoShowRules.PartitionsToSweep(null, now));
        Assert.Equal(["2026120102", "2026120103", "2026120104"], NoShowRules.PartitionsToSweep(now.AddHours(-3), now));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), NoShowRules.CompletedThrough(now));
        Assert.Equal(["2026120104"], NoShowRules.PartitionsToSweep(NoShowRules.CompletedThrough(now), now));
    }

    [Fact]
    public void APT_8_every_appointment_is_found_by_exactly_one_sweep_after_it_is_due_and_none_before()
    {
        // Sweeps at arbitrary times, each reading PartitionsToSweep from the previous checkpoint: the first sweep
        // that finds an appointment a no-show runs strictly after its due time, and one always does.
        var gen = Gen.Select(Gen.Int[0, 24 * 10 - 1], Gen.Int[1, 180].Array[1, 40]);
        gen.Sample((hourOffset, gapsMinutes) =>
        {
            var appointment = Scheduled(eta: China(1, 0).AddHours(hourOffset));
            var key = NoShowRules.IndexKeyOf(appointment);
            var now = China(1, 0).AddMinutes(-7);
            DateTimeOffset? checkpoint = null;
            DateTimeOffset? foundAt = null;
            foreach (var gap in gapsMinutes.Concat(Enumerable.Repeat(60, 24 * 11)))
            {
                now = now.AddMinutes(gap);
                if (NoShowRules.PartitionsToSweep(checkpoint, now).Contains(key) && NoShowRules.IsNoShow(appointment, now))
                {
                    foundAt = now;
                    break;
                }

                checkpoint = NoShowRules.CompletedThrough(now);
            }

            Assert.NotNull(foundAt);
            Assert.True(foundAt > appointment.NoShowDue);
        });
    }
}
