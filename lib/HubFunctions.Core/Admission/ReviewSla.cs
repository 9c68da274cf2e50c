using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Admission;

/// <summary>
/// The review SLA of an application (ADM-6, ADM-7), counted in mainland China working days
/// (<see cref="ChinaWorkingCalendar"/>).
/// <list type="bullet">
/// <item><b>Due date</b> (ADM-6): the <see cref="StandardWorkingDays"/>th working day after the submission
/// date, or the <see cref="GreenChannelWorkingDays"/>th with a valid ISO 14001 certificate (green
/// channel). The submission day itself never counts, even when it is a working day. A decision made on
/// the due date (Asia/Shanghai) is on time.</item>
/// <item><b>At risk</b> (ADM-7, defined here): the ⌈0.8 × N⌉th working day after the submission date,
/// i.e. the working day by whose end 80 % of the SLA's working days are used: the 12th of 15, the 6th
/// of 7 (5.6 rounds up). The at-risk event is due from the start of that day (00:00 Asia/Shanghai).</item>
/// <item><b>Breached</b> (ADM-7): from the start of the first calendar day after the due date.</item>
/// </list>
/// A date outside the calendar data throws <see cref="CalendarOutOfRangeException"/> (ADM-6: never a
/// silent "weekdays only" guess); so does a count that runs past the data's last day.
/// </summary>
public static class ReviewSla
{
    /// <summary>ADM-6: working days to a decision.</summary>
    public const int StandardWorkingDays = 15;

    /// <summary>ADM-6: working days to a decision on the ISO 14001 green channel.</summary>
    public const int GreenChannelWorkingDays = 7;

    /// <summary>ADM-7: the share of the SLA after which an undecided application is at risk.</summary>
    public const decimal AtRiskShare = 0.8m;

    /// <summary>15, or 7 on the green channel.</summary>
    public static int WorkingDays(bool greenChannel) => greenChannel ? GreenChannelWorkingDays : StandardWorkingDays;

    /// <summary>⌈0.8 × N⌉: 12 of 15, 6 of 7.</summary>
    public static int AtRiskWorkingDays(bool greenChannel) => (int)decimal.Ceiling(AtRiskShare * WorkingDays(greenChannel));

    /// <summary>The decision's due date (ADM-6).</summary>
    /// <exception cref="CalendarOutOfRangeException">The submission date or the count lies outside the calendar data.</exception>
    public static DateOnly DueOn(DateOnly submittedOn, bool greenChannel, ChinaWorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return calendar.AddWorkingDays(submittedOn, WorkingDays(greenChannel));
    }

    /// <summary>The day the application becomes at risk (ADM-7).</summary>
    /// <exception cref="CalendarOutOfRangeException">The submission date or the count lies outside the calendar data.</exception>
    public static DateOnly AtRiskOn(DateOnly submittedOn, bool greenChannel, ChinaWorkingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return calendar.AddWorkingDays(submittedOn, AtRiskWorkingDays(greenChannel));
    }

    /// <summary>True from the start of <paramref name="atRiskOn"/> (Asia/Shanghai dates).</summary>
    public static bool IsAtRisk(DateOnly today, DateOnly atRiskOn) => today >= atRiskOn;

    /// <summary>True from the first day after <paramref name="dueOn"/> (Asia/Shanghai dates).</summary>
    public static bool IsBreached(DateOnly today, DateOnly dueOn) => today > dueOn;
}
