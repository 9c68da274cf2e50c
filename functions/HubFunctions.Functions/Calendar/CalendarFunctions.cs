using HubFunctions.Core.Calendar;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Calendar;

/// <summary>The mainland China working-day calendar (ADM-6), public.</summary>
public sealed class CalendarFunctions(ChinaWorkingCalendar calendar)
{
    /// <summary>GET /api/calendar/cn/{date}.</summary>
    [Function("CalendarDay")]
    [PublicEndpoint]
    public IActionResult Day(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/cn/{date}")] HttpRequest request,
        string date)
    {
        if (!CalendarQueries.TryParseDate(date, out var day))
        {
            return new ProblemResult(Problems.Validation("date", "invalid-date", "The date must be YYYY-MM-DD."));
        }

        if (!calendar.Covers(day))
        {
            return OutOfRange(CalendarQueries.OutOfRange(calendar, "date", day));
        }

        var d = calendar.Describe(day);
        return HubResults.Ok(new { date = d.Date, workingDay = d.WorkingDay, holiday = d.Holiday, holidayZh = d.HolidayZh, adjustedWorkday = d.AdjustedWorkday });
    }

    /// <summary>GET /api/calendar/cn/working-days?from=YYYY-MM-DD&amp;add=N: the N-th working day after from.</summary>
    [Function("CalendarWorkingDays")]
    [PublicEndpoint]
    public IActionResult WorkingDays(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "calendar/cn/working-days")] HttpRequest request)
    {
        var errors = CalendarQueries.CheckWorkingDays(request.Query["from"].ToString(), request.Query["add"].ToString(), calendar, out var from, out var add);
        if (errors.Count > 0)
        {
            return errors[0].Code == CalendarQueries.OutOfRangeCode ? OutOfRange(errors[0]) : new ProblemResult(Problems.Validation(errors));
        }

        try
        {
            return HubResults.Ok(new { from, add, date = calendar.AddWorkingDays(from, add) });
        }
        catch (CalendarOutOfRangeException)
        {
            return OutOfRange(CalendarQueries.OutOfRange(calendar, "add", from,
                $"Counting {add} working days from {from:yyyy-MM-dd} runs past the calendar data (ends {calendar.CoverageTo:yyyy-MM-dd})."));
        }
    }

    private static ProblemResult OutOfRange(Core.Common.FieldError error) => new(Problems.Validation([error], ProblemCodes.CalendarOutOfRange));
}
