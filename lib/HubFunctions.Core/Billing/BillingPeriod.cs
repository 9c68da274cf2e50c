using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>A billing period: one calendar month in Asia/Shanghai (BIL-6).</summary>
public readonly record struct BillingPeriod(CalendarMonth Month)
{
    public DateOnly FirstDay => new(Month.Year, Month.Month, 1);

    public DateOnly LastDay => FirstDay.AddMonths(1).AddDays(-1);

    public int Days => DateTime.DaysInMonth(Month.Year, Month.Month);

    /// <summary>True when <paramref name="date"/> lies in this period.</summary>
    public bool Contains(DateOnly date) => date >= FirstDay && date <= LastDay;

    /// <summary>Each date of the period, first to last.</summary>
    public IEnumerable<DateOnly> Dates()
    {
        for (var d = FirstDay; d <= LastDay; d = d.AddDays(1))
        {
            yield return d;
        }
    }

    /// <summary>The period before the month of <paramref name="today"/> (what the monthly run bills, BIL-6).</summary>
    public static BillingPeriod PreviousTo(DateOnly today) => new(CalendarMonth.Of(today).AddMonths(-1));

    /// <summary>
    /// Parses <c>YYYY-MM</c> and requires the period to have ended in Asia/Shanghai by <paramref name="now"/>:
    /// <c>invalid-period</c> (malformed) or <c>period-not-ended</c> (the current or a future month).
    /// </summary>
    public static IReadOnlyList<FieldError> CheckClosed(string? text, DateTimeOffset now, out BillingPeriod period, string field = "period")
    {
        period = default;
        if (!CalendarMonth.TryParse(text, out var month))
        {
            return [new FieldError(field, BillingCodes.InvalidPeriod, "period must be a month as YYYY-MM.")];
        }

        period = new BillingPeriod(month);
        if (period.LastDay >= ChinaTime.DateOf(now))
        {
            return [new FieldError(field, BillingCodes.PeriodNotEnded, $"period {month} has not ended yet (Asia/Shanghai); only a closed month can be billed.")];
        }

        return [];
    }

    public override string ToString() => Month.ToString();
}
