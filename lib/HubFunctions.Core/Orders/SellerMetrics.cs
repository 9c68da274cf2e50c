using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Orders;

/// <summary>What happened to an order, as the metrics count it (DSP-5).</summary>
public enum OrderMetricEvent
{
    /// <summary>The order was taken in (<c>hub.order.received</c>).</summary>
    Received,

    /// <summary>An on-time instruction was accepted (<c>hub.order.instructed</c>).</summary>
    InstructedOnTime,

    /// <summary>The order was converted to the non-hub path (<c>hub.order.converted-to-non-hub</c>).</summary>
    Converted,
}

/// <summary>
/// DSP-5: one seller's counters for one month. <see cref="PremiumPoolOrders"/> counts only hub-fulfilled
/// (instructed) Premium orders. The on-time rate = on-time instructions ÷ (on-time instructions +
/// conversions), i.e. of the orders decided so far; null while none is decided (<b>decided here</b>:
/// open orders do not pull the rate down before their deadline).
/// </summary>
public sealed record SellerMonthlyMetrics(string SellerId, CalendarMonth Month, long Orders, long OnTimeInstructions, long Conversions, long PremiumPoolOrders)
{
    /// <summary>Empty counters.</summary>
    public static SellerMonthlyMetrics Empty(string sellerId, CalendarMonth month) => new(sellerId, month, 0, 0, 0, 0);

    /// <summary>On-time instructions ÷ decided orders, or null when none is decided.</summary>
    public decimal? OnTimeRate
    {
        get
        {
            var decided = OnTimeInstructions + Conversions;
            return decided == 0 ? null : (decimal)OnTimeInstructions / decided;
        }
    }

    /// <summary>
    /// The counters after one event of an order of this seller and month: a pure increment. Applying each
    /// event once is the caller's part (the store keeps the applied event ids with the counters under an
    /// ETag).
    /// </summary>
    public SellerMonthlyMetrics Apply(OrderMetricEvent happened, bool premium) => happened switch
    {
        OrderMetricEvent.Received => this with { Orders = Orders + 1 },
        OrderMetricEvent.InstructedOnTime => this with { OnTimeInstructions = OnTimeInstructions + 1, PremiumPoolOrders = PremiumPoolOrders + (premium ? 1 : 0) },
        OrderMetricEvent.Converted => this with { Conversions = Conversions + 1 },
        _ => throw new ArgumentOutOfRangeException(nameof(happened), happened, null),
    };

    /// <summary>
    /// The month an order counts in: the China (+08:00) calendar month of its creation (<b>decided here</b>),
    /// so all counters of one order land in the same month, even when it converts after midnight.
    /// </summary>
    public static CalendarMonth MonthOf(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return CalendarMonth.Of(ChinaTime.DateOf(order.CreatedAt));
    }
}
