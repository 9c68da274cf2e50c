using System.Globalization;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Calendar;

/// <summary>The mainland China working-day calendar (ADM-6), public.</summary>
public sealed class CalendarFunctions(ChinaWorkingCalendar calendar)
{
    public const int MaxAdd = 366;

    /// <summary>GET /api/calendar/cn/{date}.</summary>
    [Function("CalendarDay")]
    [PublicEndpoint]
    public IActionResult Day(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/cn/{date}")] HttpRequest request,
        string date)
    {
        if (!TryParseDate(date, out var day))
        {
            return new ProblemResult(Problems.Validation("date", "invalid-date", "The date must be YYYY-MM-DD."));
        }

        if (!calendar.Covers(day))
        {
            return OutOfRange("date", day);
        }

        var d = calendar.Describe(day);
        return HubResults.Ok(new
        {
            date = d.Date,
            workingDay = d.WorkingDay,
            holiday = d.Holiday,
            holidayZh = d.HolidayZh,
            adjustedWorkday = d.AdjustedWorkday,
        });
    }

    /// <summary>GET /api/calendar/cn/working-days?from=YYYY-MM-DD&amp;add=N: the N-th working day after from.</summary>
    [Function("CalendarWorkingDays")]
    [PublicEndpoint]
    public IActionResult WorkingDays(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/cn/working-days")] HttpRequest request)
    {
        var errors = new List<FieldError>();
        if (!TryParseDate(request.Query["from"].ToString(), out var from))
        {
            errors.Add(new FieldError("from", "invalid-date", "from must be a date as YYYY-MM-DD."));
        }

        if (!int.TryParse(request.Query["add"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var add) || add > MaxAdd)
        {
            errors.Add(new FieldError("add", "invalid-add", $"add must be a whole number from 0 to {MaxAdd}."));
        }

        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        if (!calendar.Covers(from))
        {
            return OutOfRange("from", from);
        }

        try
        {
            return HubResults.Ok(new { from, add, date = calendar.AddWorkingDays(from, add) });
        }
        catch (CalendarOutOfRangeException)
        {
            return OutOfRange("add", from, $"Counting {add} working days from {from:yyyy-MM-dd} runs past the calendar data (ends {calendar.CoverageTo:yyyy-MM-dd}).");
        }
    }

    private ProblemResult OutOfRange(string field, DateOnly date, string? message = null)
        => new(Problems.Validation([new FieldError(field, ProblemCodes.CalendarOutOfRange,
            message ?? $"{date:yyyy-MM-dd} is outside the calendar data ({calendar.CoverageFrom:yyyy-MM-dd}..{calendar.CoverageTo:yyyy-MM-dd}); no working day is guessed.")],
            ProblemCodes.CalendarOutOfRange));

    private static bool TryParseDate(string? text, out DateOnly date)
        => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
