using System.Globalization;
using System.Text;
using CsCheck;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Tests.Calendar;

/// <summary>ADM-6: mainland China working days from the State Council notices for 2024–2026.</summary>
public sealed class ChinaWorkingCalendarTests
{
    private static readonly ChinaWorkingCalendar Calendar = ChinaWorkingCalendar.Default;

    private static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IEnumerable<DateOnly> Range(string from, string to)
    {
        for (var d = D(from); d <= D(to); d = d.AddDays(1))
        {
            yield return d;
        }
    }

    // Every day off of each notice (the full holiday block, weekends inside it included).
    private static readonly (string From, string To, string Name)[] Blocks =
    [
        ("2024-01-01", "2024-01-01", "New Year's Day"),
        ("2024-02-10", "2024-02-17", "Spring Festival"),
        ("2024-04-04", "2024-04-06", "Qingming Festival"),
        ("2024-05-01", "2024-05-05", "Labour Day"),
        ("2024-06-10", "2024-06-10", "Dragon Boat Festival"),
        ("2024-09-15", "2024-09-17", "Mid-Autumn Festival"),
        ("2024-10-01", "2024-10-07", "National Day"),
        ("2025-01-01", "2025-01-01", "New Year's Day"),
        ("2025-01-28", "2025-02-04", "Spring Festival"),
        ("2025-04-04", "2025-04-06", "Qingming Festival"),
        ("2025-05-01", "2025-05-05", "Labour Day"),
        ("2025-05-31", "2025-06-02", "Dragon Boat Festival"),
        ("2025-10-01", "2025-10-08", "National Day and Mid-Autumn Festival"),
        ("2026-01-01", "2026-01-03", "New Year's Day"),
        ("2026-02-15", "2026-02-23", "Spring Festival"),
        ("2026-04-04", "2026-04-06", "Qingming Festival"),
        ("2026-05-01", "2026-05-05", "Labour Day"),
        ("2026-06-19", "2026-06-21", "Dragon Boat Festival"),
        ("2026-09-25", "2026-09-27", "Mid-Autumn Festival"),
        ("2026-10-01", "2026-10-07", "National Day"),
    ];

    public static TheoryData<string, string, string> HolidayBlocks()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (from, to, name) in Blocks)
        {
            data.Add(from, to, name);
        }

        return data;
    }

    // Every weekend day the notices make a working day.
    private static readonly string[] Adjusted =
    [
        "2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12",
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    ];

    public static TheoryData<string> AdjustedWorkdays() => new(Adjusted);

    [Theory]
    [MemberData(nameof(HolidayBlocks))]
    public void ADM_6_every_day_of_an_official_holiday_is_off(string from, string to, string name)
    {
        foreach (var day in Range(from, to))
        {
            var d = Calendar.Describe(day);
            Assert.False(d.WorkingDay, $"{day} should be off");
            Assert.Equal(name, d.Holiday);
            Assert.False(d.AdjustedWorkday);
        }
    }

    [Theory]
    [MemberData(nameof(AdjustedWorkdays))]
    public void ADM_6_adjusted_weekend_working_days_are_on(string date)
    {
        var d = Calendar.Describe(D(date));
        Assert.True(d.Date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, "adjusted working days are weekend days");
        Assert.True(d.WorkingDay);
        Assert.True(d.AdjustedWorkday);
        Assert.Null(d.Holiday);
    }

    [Fact]
    public void ADM_6_issue_examples_2026_working_saturdays_and_national_day()
    {
        Assert.True(Calendar.IsWorkingDay(D("2026-02-14")));
        Assert.Equal(DayOfWeek.Saturday, D("2026-02-14").DayOfWeek);
        Assert.True(Calendar.IsWorkingDay(D("2026-02-28")));
        Assert.Equal(DayOfWeek.Saturday, D("2026-02-28").DayOfWeek);
        Assert.All(Range("2026-10-01", "2026-10-07"), d => Assert.False(Calendar.IsWorkingDay(d)));
    }

    [Fact]
    public void ADM_6_outside_holidays_weekdays_are_on_and_weekends_off()
    {
        var listed = Blocks.SelectMany(b => Range(b.From, b.To)).ToHashSet();
        var adjusted = Adjusted.Select(D).ToHashSet();
        foreach (var day in Range("2024-01-01", "2026-12-31"))
        {
            var expected = !listed.Contains(day) && (adjusted.Contains(day) || day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday));
            Assert.True(expected == Calendar.IsWorkingDay(day), $"{day:yyyy-MM-dd} ({day.DayOfWeek}) expected working={expected}");
        }
    }

    [Fact]
    public void ADM_6_working_day_totals_per_year_match_the_notices()
    {
        // Counted by hand from the notices: weekdays − holiday days on weekdays + adjusted working days.
        // 2024: 262 − 19 + 8 = 251. 2025: 261 − 18 + 5 = 248. 2026: 261 − 19 + 6 = 248.
        int Count(int year) => Range($"{year}-01-01", $"{year}-12-31").Count(Calendar.IsWorkingDay);
        Assert.Equal(251, Count(2024));
        Assert.Equal(248, Count(2025));
        Assert.Equal(248, Count(2026));
    }

    [Fact]
    public void ADM_6_fifteen_working_days_before_national_day_2026_counted_by_hand()
    {
        // From Mon 2026-09-28: 29th (1), 30th (2), Oct 1-7 off, 8th (3), 9th (4), Sat 10th adjusted (5),
        // 12th-16th (6-10), 19th-23rd (11-15).
        Assert.Equal(D("2026-10-23"), Calendar.AddWorkingDays(D("2026-09-28"), 15));
    }

    [Fact]
    public void ADM_6_fifteen_working_days_before_national_day_2025_counted_by_hand()
    {
        // From Fri 2025-09-26: Sat 27th off, Sun 28th adjusted (1), 29th (2), 30th (3), Oct 1-8 off,
        // 9th (4), 10th (5), Sat 11th adjusted (6), 13th-17th (7-11), 20th-23rd (12-15).
        Assert.Equal(D("2025-10-23"), Calendar.AddWorkingDays(D("2025-09-26"), 15));
    }

    [Fact]
    public void ADM_6_green_channel_seven_working_days_over_spring_festival_2026()
    {
        // From Thu 2026-02-12: 13th (1), Sat 14th adjusted (2), 15th-23rd off, 24th (3), 25th (4),
        // 26th (5), 27th (6), Sat 28th adjusted (7).
        Assert.Equal(D("2026-02-28"), Calendar.AddWorkingDays(D("2026-02-12"), 7));
    }

    [Fact]
    public void ADM_6_the_submission_day_itself_never_counts()
    {
        Assert.Equal(D("2026-11-27"), Calendar.AddWorkingDays(D("2026-11-26"), 1));
        Assert.Equal(D("2026-11-30"), Calendar.AddWorkingDays(D("2026-11-27"), 1));
        Assert.Equal(D("2026-11-26"), Calendar.AddWorkingDays(D("2026-11-26"), 0));
    }

    [Fact]
    public void ADM_6_a_date_outside_the_data_is_an_error_not_a_guess()
    {
        Assert.Throws<CalendarOutOfRangeException>(() => Calendar.IsWorkingDay(D("2023-12-29")));
        Assert.Throws<CalendarOutOfRangeException>(() => Calendar.IsWorkingDay(D("2027-01-04")));
        var e = Assert.Throws<CalendarOutOfRangeException>(() => Calendar.AddWorkingDays(D("2026-12-20"), 15));
        Assert.Equal(D("2027-01-01"), e.Date);
        Assert.Throws<CalendarOutOfRangeException>(() => Calendar.AddWorkingDays(D("2027-01-04"), 1));
    }

    [Fact]
    public void ADM_6_add_working_days_lands_on_a_working_day_after_the_start_with_exactly_n_working_days()
    {
        Gen.Int[0, (D("2026-10-31").DayNumber - D("2024-01-01").DayNumber)]
            .Select(Gen.Int[1, 30])
            .Sample((offset, n) =>
            {
                var from = D("2024-01-01").AddDays(offset);
                var due = Calendar.AddWorkingDays(from, n);
                Assert.True(Calendar.IsWorkingDay(due));
                var between = Enumerable.Range(1, due.DayNumber - from.DayNumber).Select(i => from.AddDays(i)).Count(Calendar.IsWorkingDay);
                Assert.Equal(n, between);
            }, iter: 2000);
    }

    [Fact]
    public void Calendar_data_that_contradicts_itself_is_refused()
    {
        const string overlapping = """
            { "coverage": { "from": "2026-01-01", "to": "2026-12-31" },
              "years": [ { "year": 2026, "source": "test",
                "holidays": [ { "name": "A", "nameZh": "甲", "from": "2026-01-01", "to": "2026-01-03" },
                              { "name": "B", "nameZh": "乙", "from": "2026-01-03", "to": "2026-01-04" } ],
                "adjustedWorkdays": [] } ] }
            """;
        Assert.Throws<InvalidDataException>(() => ChinaWorkingCalendar.FromJson(new MemoryStream(Encoding.UTF8.GetBytes(overlapping))));

        const string weekdayAdjusted = """
            { "coverage": { "from": "2026-01-01", "to": "2026-12-31" },
              "years": [ { "year": 2026, "source": "test", "holidays": [],
                "adjustedWorkdays": [ { "date": "2026-01-05", "for": "x" } ] } ] }
            """;
        Assert.Throws<InvalidDataException>(() => ChinaWorkingCalendar.FromJson(new MemoryStream(Encoding.UTF8.GetBytes(weekdayAdjusted))));
    }

    [Fact]
    public void Calendar_names_its_sources()
    {
        Assert.Equal(3, Calendar.Sources.Count);
        Assert.Contains(Calendar.Sources, s => s.Contains("2024年部分节假日安排", StringComparison.Ordinal));
        Assert.Contains(Calendar.Sources, s => s.Contains("2026年部分节假日安排", StringComparison.Ordinal));
    }
}
