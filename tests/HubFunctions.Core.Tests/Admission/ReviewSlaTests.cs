using CsCheck;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Tests.Admission;

/// <summary>ADM-6 (due date in mainland working days) and ADM-7 (at risk at 80 %).</summary>
public sealed class ReviewSlaTests
{
    private static readonly ChinaWorkingCalendar Calendar = ChinaWorkingCalendar.Default;

    // Spring Festival 2026 is off 2026-02-15 (Sun) .. 2026-02-23 (Mon); Saturdays 2026-02-14 and
    // 2026-02-28 are adjusted working days. The last working day before it is Saturday 2026-02-14.
    // Counting working days after it by hand:
    //   Tue 02-24 = 1, Wed 02-25 = 2, Thu 02-26 = 3, Fri 02-27 = 4, Sat 02-28 (adjusted) = 5,
    //   (Sun 03-01 off) Mon 03-02 = 6, Tue 03-03 = 7, Wed 03-04 = 8, Thu 03-05 = 9, Fri 03-06 = 10,
    //   (weekend) Mon 03-09 = 11, Tue 03-10 = 12, Wed 03-11 = 13, Thu 03-12 = 14, Fri 03-13 = 15.
    // → 15 days: 2026-03-13 (at risk on the 12th: 2026-03-10); 7 days: 2026-03-03 (at risk on the 6th: 2026-03-02).
    [Fact]
    public void ADM_6_submitted_on_the_last_working_day_before_Spring_Festival_2026()
    {
        var submitted = new DateOnly(2026, 2, 14);
        Assert.True(Calendar.Describe(submitted).AdjustedWorkday);
        Assert.False(Calendar.IsWorkingDay(new DateOnly(2026, 2, 15)));

        Assert.Equal(new DateOnly(2026, 3, 13), ReviewSla.DueOn(submitted, greenChannel: false, Calendar));
        Assert.Equal(new DateOnly(2026, 3, 3), ReviewSla.DueOn(submitted, greenChannel: true, Calendar));
        Assert.Equal(new DateOnly(2026, 3, 10), ReviewSla.AtRiskOn(submitted, greenChannel: false, Calendar));
        Assert.Equal(new DateOnly(2026, 3, 2), ReviewSla.AtRiskOn(submitted, greenChannel: true, Calendar));
    }

    // National Day 2026 is off 2026-10-01 (Thu) .. 2026-10-07 (Wed); Saturday 2026-10-10 is an
    // adjusted working day. The last working day before it is Wednesday 2026-09-30. By hand:
    //   Thu 10-08 = 1, Fri 10-09 = 2, Sat 10-10 (adjusted) = 3, (Sun 10-11 off) Mon 10-12 = 4,
    //   Tue 10-13 = 5, Wed 10-14 = 6, Thu 10-15 = 7, Fri 10-16 = 8, (weekend) Mon 10-19 = 9,
    //   Tue 10-20 = 10, Wed 10-21 = 11, Thu 10-22 = 12, Fri 10-23 = 13, (weekend) Mon 10-26 = 14, Tue 10-27 = 15.
    // → 15 days: 2026-10-27 (at risk 2026-10-22); 7 days: 2026-10-15 (at risk 2026-10-14).
    [Fact]
    public void ADM_6_submitted_on_the_last_working_day_before_National_Day_2026()
    {
        var submitted = new DateOnly(2026, 9, 30);
        Assert.True(Calendar.IsWorkingDay(submitted));
        Assert.False(Calendar.IsWorkingDay(new DateOnly(2026, 10, 1)));

        Assert.Equal(new DateOnly(2026, 10, 27), ReviewSla.DueOn(submitted, greenChannel: false, Calendar));
        Assert.Equal(new DateOnly(2026, 10, 15), ReviewSla.DueOn(submitted, greenChannel: true, Calendar));
        Assert.Equal(new DateOnly(2026, 10, 22), ReviewSla.AtRiskOn(submitted, greenChannel: false, Calendar));
        Assert.Equal(new DateOnly(2026, 10, 14), ReviewSla.AtRiskOn(submitted, greenChannel: true, Calendar));
    }

    [Fact]
    public void ADM_6_the_submission_day_does_not_count_even_on_a_weekend_or_holiday()
    {
        // Submitted Sunday 2026-02-15 (in the holiday): same count as from the Saturday before.
        Assert.Equal(new DateOnly(2026, 3, 13), ReviewSla.DueOn(new DateOnly(2026, 2, 15), false, Calendar));
        // An ordinary week: Monday 2026-11-02 + 15 working days = Monday 2026-11-23.
        Assert.Equal(new DateOnly(2026, 11, 23), ReviewSla.DueOn(new DateOnly(2026, 11, 2), false, Calendar));
        Assert.Equal(new DateOnly(2026, 11, 11), ReviewSla.DueOn(new DateOnly(2026, 11, 2), true, Calendar));
    }

    [Fact]
    public void ADM_7_at_risk_is_the_ceiling_of_80_percent_of_the_working_days()
    {
        Assert.Equal(15, ReviewSla.WorkingDays(false));
        Assert.Equal(7, ReviewSla.WorkingDays(true));
        Assert.Equal(12, ReviewSla.AtRiskWorkingDays(false));
        Assert.Equal(6, ReviewSla.AtRiskWorkingDays(true));
    }

    [Fact]
    public void ADM_6_outside_the_calendar_data_is_an_error_not_a_guess()
    {
        // 2026-12-15 + 15 working days runs past 2026-12-31, the end of the shipped data.
        var ex = Assert.Throws<CalendarOutOfRangeException>(() => ReviewSla.DueOn(new DateOnly(2026, 12, 15), false, Calendar));
        Assert.Equal(new DateOnly(2027, 1, 1), ex.Date);
        Assert.Throws<CalendarOutOfRangeException>(() => ReviewSla.DueOn(new DateOnly(2023, 12, 29), false, Calendar));
        Assert.Throws<CalendarOutOfRangeException>(() => ReviewSla.AtRiskOn(new DateOnly(2027, 1, 4), true, Calendar));
        // The green channel from 2026-12-15 still fits: 12-16..12-24 → Thu 2026-12-24.
        Assert.Equal(new DateOnly(2026, 12, 24), ReviewSla.DueOn(new DateOnly(2026, 12, 15), true, Calendar));
    }

    [Fact]
    public void ADM_7_at_risk_from_the_at_risk_day_breached_from_the_day_after_the_due_date()
    {
        var atRisk = new DateOnly(2026, 3, 10);
        var due = new DateOnly(2026, 3, 13);
        Assert.False(ReviewSla.IsAtRisk(atRisk.AddDays(-1), atRisk));
        Assert.True(ReviewSla.IsAtRisk(atRisk, atRisk));
        Assert.False(ReviewSla.IsBreached(due, due));
        Assert.True(ReviewSla.IsBreached(due.AddDays(1), due));
    }

    [Fact]
    public void ADM_6_property_due_date_is_a_working_day_with_exactly_N_working_days_after_submission()
    {
        var gen = from offset in Gen.Int[0, 1060] from green in Gen.Bool select (Date: new DateOnly(2024, 1, 1).AddDays(offset), Green: green);
        gen.Sample(t =>
        {
            var due = ReviewSla.DueOn(t.Date, t.Green, Calendar);
            var atRisk = ReviewSla.AtRiskOn(t.Date, t.Green, Calendar);
            Assert.True(Calendar.IsWorkingDay(due));
            Assert.True(Calendar.IsWorkingDay(atRisk));
            Assert.True(t.Date < atRisk && atRisk < due);
            var counted = 0;
            for (var d = t.Date.AddDays(1); d <= due; d = d.AddDays(1))
            {
                counted += Calendar.IsWorkingDay(d) ? 1 : 0;
            }

            Assert.Equal(ReviewSla.WorkingDays(t.Green), counted);
        });
    }
}
