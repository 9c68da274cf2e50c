using System.Globalization;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Calendar;

/// <summary>The checks behind the public calendar endpoints (ADM-6): dates as YYYY-MM-DD, never a guess outside the data.</summary>
public static class CalendarQueries
{
    public const int MaxAdd = 366;
    public const string OutOfRangeCode = "calendar-out-of-range";

    public static bool TryParseDate(string? text, out DateOnly date)
        => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The query of <c>working-days?from=&amp;add=</c>: every field error at once, then whether <c>from</c> is covered.</summary>
    public static IReadOnlyList<FieldError> CheckWorkingDays(string? fromText, string? addText, ChinaWorkingCalendar calendar, out DateOnly from, out int add)
    {
        var errors = new List<FieldError>();
        if (!TryParseDate(fromText, out from))
        {
            errors.Add(new FieldError("from", "invalid-date", "from must be a date as YYYY-MM-DD."));
        }

        if (!int.TryParse(addText, NumberStyles.None, CultureInfo.InvariantCulture, out add) || add > MaxAdd)
        {
            errors.Add(new FieldError("add", "invalid-add", $"add must be a whole number from 0 to {MaxAdd}."));
        }

        if (errors.Count == 0 && !calendar.Covers(from))
        {
            errors.Add(OutOfRange(calendar, "from", from));
        }

        return errors;
    }

    /// <summary>The error for a date (or a count of days) that runs outside the calendar data.</summary>
    public static FieldError OutOfRange(ChinaWorkingCalendar calendar, string field, DateOnly date, string? message = null)
        => new(field, OutOfRangeCode,
            message ?? $"{date:yyyy-MM-dd} is outside the calendar data ({calendar.CoverageFrom:yyyy-MM-dd}..{calendar.CoverageTo:yyyy-MM-dd}); no working day is guessed.");
}
