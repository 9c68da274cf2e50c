using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace HubFunctions.Core.Admission;

/// <summary>A calendar month (<c>YYYY-MM</c>), as used by the monthly fulfilment rates of ADM-4.</summary>
public readonly record struct CalendarMonth : IComparable<CalendarMonth>
{
    /// <summary>A month of the years 1..9999.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Year outside 1..9999 or month outside 1..12.</exception>
    public CalendarMonth(int year, int month)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(year, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(year, 9999);
        ArgumentOutOfRangeException.ThrowIfLessThan(month, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(month, 12);
        Year = year;
        Month = month;
    }

    public int Year { get; }

    public int Month { get; }

    /// <summary>The month a date falls in.</summary>
    public static CalendarMonth Of(DateOnly date) => new(date.Year, date.Month);

    /// <summary>The month <paramref name="months"/> later (earlier when negative).</summary>
    public CalendarMonth AddMonths(int months)
    {
        var index = (Year * 12) + (Month - 1) + months;
        return new CalendarMonth(index / 12, (index % 12) + 1);
    }

    /// <summary>Parses exactly <c>YYYY-MM</c> (4 digits, a hyphen, 2 digits, month 01–12); nothing else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out CalendarMonth month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !text.AsSpan(0, 4).ContainsOnlyAsciiDigits() || !text.AsSpan(5, 2).ContainsOnlyAsciiDigits())
        {
            return false;
        }

        var y = int.Parse(text.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var m = int.Parse(text.AsSpan(5, 2), CultureInfo.InvariantCulture);
        if (y < 1 || m is < 1 or > 12)
        {
            return false;
        }

        month = new CalendarMonth(y, m);
        return true;
    }

    public int CompareTo(CalendarMonth other) => (Year, Month).CompareTo((other.Year, other.Month));

    public static bool operator <(CalendarMonth a, CalendarMonth b) => a.CompareTo(b) < 0;

    public static bool operator >(CalendarMonth a, CalendarMonth b) => a.CompareTo(b) > 0;

    public static bool operator <=(CalendarMonth a, CalendarMonth b) => a.CompareTo(b) <= 0;

    public static bool operator >=(CalendarMonth a, CalendarMonth b) => a.CompareTo(b) >= 0;

    /// <summary><c>YYYY-MM</c>.</summary>
    public override string ToString() => $"{Year:D4}-{Month:D2}";
}

internal static class SpanDigits
{
    public static bool ContainsOnlyAsciiDigits(this ReadOnlySpan<char> span) => !span.ContainsAnyExceptInRange('0', '9');
}
