using System.Collections.Frozen;
using System.Text.Json;

namespace HubFunctions.Core.Calendar;

/// <summary>What the calendar says about one date.</summary>
/// <param name="Date">The calendar date (Asia/Shanghai).</param>
/// <param name="WorkingDay">True on a mainland China working day.</param>
/// <param name="Holiday">The official holiday the date falls in, or null.</param>
/// <param name="HolidayZh">The holiday's Chinese name, or null.</param>
/// <param name="AdjustedWorkday">True on a weekend day officially made a working day (调休上班).</param>
public sealed record CalendarDay(DateOnly Date, bool WorkingDay, string? Holiday, string? HolidayZh, bool AdjustedWorkday);

/// <summary>A date the shipped calendar data does not cover (ADM-6: an error, never a guess).</summary>
public sealed class CalendarOutOfRangeException(DateOnly date, DateOnly from, DateOnly to)
    : Exception($"{date:yyyy-MM-dd} is outside the working-day calendar data ({from:yyyy-MM-dd}..{to:yyyy-MM-dd}).")
{
    public DateOnly Date { get; } = date;
    public DateOnly CoverageFrom { get; } = from;
    public DateOnly CoverageTo { get; } = to;
}

/// <summary>
/// Mainland China working days (ADM-6): official public holidays are off, the officially adjusted
/// weekend working days are on, other weekdays are on, other weekends are off. Built from the State
/// Council notices shipped in <c>cn-working-calendar.json</c>.
/// </summary>
public sealed class ChinaWorkingCalendar
{
    private readonly FrozenDictionary<DateOnly, (string Name, string NameZh)> _holidays;
    private readonly FrozenSet<DateOnly> _adjustedWorkdays;

    public DateOnly CoverageFrom { get; }
    public DateOnly CoverageTo { get; }
    public IReadOnlyList<string> Sources { get; }

    private ChinaWorkingCalendar(DateOnly from, DateOnly to,
        Dictionary<DateOnly, (string, string)> holidays, HashSet<DateOnly> adjusted, List<string> sources)
    {
        CoverageFrom = from;
        CoverageTo = to;
        _holidays = holidays.ToFrozenDictionary();
        _adjustedWorkdays = adjusted.ToFrozenSet();
        Sources = sources;
    }

    private static readonly Lazy<ChinaWorkingCalendar> Shipped = new(LoadShipped);

    /// <summary>The calendar built from the data shipped in this assembly.</summary>
    public static ChinaWorkingCalendar Default => Shipped.Value;

    public bool Covers(DateOnly date) => date >= CoverageFrom && date <= CoverageTo;

    public CalendarDay Describe(DateOnly date)
    {
        EnsureCovered(date);
        if (_holidays.TryGetValue(date, out var holiday))
        {
            return new CalendarDay(date, false, holiday.Name, holiday.NameZh, false);
        }

        if (_adjustedWorkdays.Contains(date))
        {
            return new CalendarDay(date, true, null, null, true);
        }

        var weekend = date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        return new CalendarDay(date, !weekend, null, null, false);
    }

    public bool IsWorkingDay(DateOnly date) => Describe(date).WorkingDay;

    /// <summary>
    /// The <paramref name="workingDays"/>-th working day after <paramref name="from"/>; the day
    /// <paramref name="from"/> itself never counts (ADM-6). Throws
    /// <see cref="CalendarOutOfRangeException"/> when the count runs past the data.
    /// </summary>
    public DateOnly AddWorkingDays(DateOnly from, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        EnsureCovered(from);
        var date = from;
        var counted = 0;
        while (counted < workingDays)
        {
            date = date.AddDays(1);
            if (IsWorkingDay(date))
            {
                counted++;
            }
        }

        return date;
    }

    private void EnsureCovered(DateOnly date)
    {
        if (!Covers(date))
        {
            throw new CalendarOutOfRangeException(date, CoverageFrom, CoverageTo);
        }
    }

    /// <summary>Builds a calendar from the JSON form of the shipped data (also used by tests).</summary>
    public static ChinaWorkingCalendar FromJson(Stream json)
    {
        var data = JsonSerializer.Deserialize<CalendarData>(json, JsonOptions)
            ?? throw new InvalidDataException("Calendar data is empty.");
        var holidays = new Dictionary<DateOnly, (string, string)>();
        var adjusted = new HashSet<DateOnly>();
        var sources = new List<string>();
        foreach (var year in data.Years)
        {
            sources.Add(year.Source);
            foreach (var h in year.Holidays)
            {
                if (h.To < h.From)
                {
                    throw new InvalidDataException($"Holiday {h.Name} {year.Year} ends before it starts.");
                }

                for (var d = h.From; d <= h.To; d = d.AddDays(1))
                {
                    if (!holidays.TryAdd(d, (h.Name, h.NameZh)))
                    {
                        throw new InvalidDataException($"{d:yyyy-MM-dd} is listed in two holidays.");
                    }
                }
            }

            foreach (var w in year.AdjustedWorkdays)
            {
                if (w.Date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
                {
                    throw new InvalidDataException($"Adjusted working day {w.Date:yyyy-MM-dd} is not a weekend day.");
                }

                if (holidays.ContainsKey(w.Date) || !adjusted.Add(w.Date))
                {
                    throw new InvalidDataException($"Adjusted working day {w.Date:yyyy-MM-dd} is listed twice or inside a holiday.");
                }
            }
        }

        return new ChinaWorkingCalendar(data.Coverage.From, data.Coverage.To, holidays, adjusted, sources);
    }

    private static ChinaWorkingCalendar LoadShipped()
    {
        using var stream = typeof(ChinaWorkingCalendar).Assembly
            .GetManifestResourceStream("HubFunctions.Core.Calendar.cn-working-calendar.json")
            ?? throw new InvalidOperationException("The shipped working-day calendar resource is missing.");
        return FromJson(stream);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private sealed record CalendarData(Coverage Coverage, List<YearData> Years);

    private sealed record Coverage(DateOnly From, DateOnly To);

    private sealed record YearData(int Year, string Source, List<HolidayRange> Holidays, List<AdjustedDay> AdjustedWorkdays);

    private sealed record HolidayRange(string Name, string NameZh, DateOnly From, DateOnly To);

    private sealed record AdjustedDay(DateOnly Date, string For);
}
