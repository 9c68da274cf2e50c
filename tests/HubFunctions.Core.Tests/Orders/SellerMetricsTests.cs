using HubFunctions.Core.Admission;
using HubFunctions.Core.Orders;
using static HubFunctions.Core.Tests.Orders.OrderTestData;

namespace HubFunctions.Core.Tests.Orders;

/// <summary>DSP-5: per-seller monthly counters as pure increments.</summary>
public sealed class SellerMetricsTests
{
    private static readonly SellerMonthlyMetrics Empty = SellerMonthlyMetrics.Empty("seller-1", new CalendarMonth(2026, 12));

    [Fact]
    public void DSP_5_counts_orders_on_time_instructions_conversions_and_the_on_time_rate()
    {
        var m = Empty
            .Apply(OrderMetricEvent.Received, false).Apply(OrderMetricEvent.Received, false)
            .Apply(OrderMetricEvent.Received, false).Apply(OrderMetricEvent.Received, false)
            .Apply(OrderMetricEvent.InstructedOnTime, false).Apply(OrderMetricEvent.InstructedOnTime, false)
            .Apply(OrderMetricEvent.InstructedOnTime, false).Apply(OrderMetricEvent.Converted, false);

        Assert.Equal((4L, 3L, 1L, 0L), (m.Orders, m.OnTimeInstructions, m.Conversions, m.PremiumPoolOrders));
        Assert.Equal(0.75m, m.OnTimeRate);
    }

    [Fact]
    public void DSP_5_only_hub_fulfilled_premium_orders_count_toward_the_premium_pool()
    {
        var m = Empty.Apply(OrderMetricEvent.Received, true).Apply(OrderMetricEvent.Converted, true)
            .Apply(OrderMetricEvent.Received, true).Apply(OrderMetricEvent.InstructedOnTime, true)
            .Apply(OrderMetricEvent.InstructedOnTime, false);

        Assert.Equal(1, m.PremiumPoolOrders);
    }

    [Fact]
    public void DSP_5_the_rate_is_null_while_no_order_is_decided() =>
        Assert.Null(Empty.Apply(OrderMetricEvent.Received, false).OnTimeRate);

    [Fact]
    public void DSP_5_an_order_counts_in_the_china_month_of_its_creation()
    {
        var lateNightUtc = new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero);

        Assert.Equal(new CalendarMonth(2026, 12), SellerMonthlyMetrics.MonthOf(Open(lateNightUtc)));
    }
}
