using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;

namespace HubFunctions.Core.Tests.Billing;

internal static class BillingTestData
{
    public const string HangzhouSeller = "HGH-000042";
    public const string DongguanSeller = "DGG-000007";

    public static BillingPeriod Period(int year, int month) => new(new CalendarMonth(year, month));

    public static RateCardHistory Published(string hub) => new(hub, PublishedRates.Cards);


    public static UsageRecord Usage(string seller, string hub, string kind, decimal quantity, string occurredAt, string? id = null)
        => new(id ?? $"u-{kind}-{quantity}-{occurredAt}", seller, hub, kind, quantity, DateTimeOffset.Parse(occurredAt, System.Globalization.CultureInfo.InvariantCulture));

    public static IEnumerable<StorageSnapshot> Daily(DateOnly from, DateOnly to, decimal cubicMeters)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            yield return new StorageSnapshot(d, cubicMeters);
        }
    }

}
