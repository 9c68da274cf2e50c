using System.Globalization;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Labels;

/// <summary>
/// GS1 dates YYMMDD (AIs 11, 13, 15, 16, 17, ...) with the GS1 century rule (LBL-2; GS1 General
/// Specifications 7.12). DD = 00 means the last day of the month.
/// </summary>
public static class Gs1Date
{
    /// <summary>
    /// The current year the century rule is applied against: the year of today's business date in
    /// Asia/Shanghai by the injected clock.
    /// </summary>
    public static int CurrentYear(TimeProvider clock) => ChinaTime.Today(clock).Year;

    /// <summary>
    /// The GS1 century rule (LBL-2): with <c>d = yy − (currentYear mod 100)</c>, a difference of
    /// 51..99 means the previous century, −99..−50 the next century, anything else the current
    /// century. E.g. in 2026, YY 76 → 2076 and YY 77 → 1977; in 2099, YY 49 → 2149.
    /// </summary>
    public static int ResolveYear(int yy, int currentYear)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(yy);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(yy, 99);
        ArgumentOutOfRangeException.ThrowIfLessThan(currentYear, 1000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(currentYear, 9000);
        var century = currentYear - currentYear % 100;
        var difference = yy - currentYear % 100;
        if (difference >= 51)
        {
            century -= 100;
        }
        else if (difference <= -50)
        {
            century += 100;
        }

        return century + yy;
    }

    /// <summary>
    /// Reads a six-ASCII-digit YYMMDD value: month 01..12, day 01..last day of that month (leap years
    /// by the resolved four-digit year), or day 00 for the last day of the month.
    /// </summary>
    /// <param name="value">The AI value.</param>
    /// <param name="currentYear">Year for the century rule (<see cref="CurrentYear"/>).</param>
    /// <param name="date">The calendar date when valid.</param>
    /// <param name="problem">Why it is not a date, for a message.</param>
    public static bool TryParse(ReadOnlySpan<char> value, int currentYear, out DateOnly date, out string? problem)
    {
        date = default;
        if (value.Length != 6 || Gs1CharacterSet.IndexOfNonDigit(value) >= 0)
        {
            problem = "a date must be six digits YYMMDD";
            return false;
        }

        var yy = TwoDigits(value, 0);
        var month = TwoDigits(value, 2);
        var day = TwoDigits(value, 4);
        if (month is < 1 or > 12)
        {
            problem = $"month {month:00} is not 01-12";
            return false;
        }

        var year = ResolveYear(yy, currentYear);
        var lastDay = DateTime.DaysInMonth(year, month);
        if (day > lastDay)
        {
            problem = $"day {day:00} does not exist in {year:0000}-{month:00} (last day {lastDay})";
            return false;
        }

        date = new DateOnly(year, month, day == 0 ? lastDay : day);
        problem = null;
        return true;
    }

    /// <summary>A date as YYMMDD (the century is implied by the century rule when read back).</summary>
    public static string Format(DateOnly date) => date.ToString("yyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Year and month as YYMM00: "last day of the month" in GS1 terms.</summary>
    public static string FormatMonthEnd(int year, int month) =>
        new DateOnly(year, month, 1).ToString("yyMM", CultureInfo.InvariantCulture) + "00";

    private static int TwoDigits(ReadOnlySpan<char> value, int at) => (value[at] - '0') * 10 + (value[at + 1] - '0');
}
