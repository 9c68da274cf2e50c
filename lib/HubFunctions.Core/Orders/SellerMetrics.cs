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

    /// <summary>
    /// Everything <paramref name="order"/> contributes to its month's counters in the state it is in: every order
    /// was received; an instructed order was instructed on time (a late instruction is refused, DSP-2); a converted
    /// order was converted. The set only grows as the order moves on, so the store counts the difference between
    /// this and what it counted for the order before (<see cref="ISellerMetricsStore.CountAsync"/>).
    /// </summary>
    public static IReadOnlyList<OrderMetricEvent> EventsOf(Order order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Status switch
        {
            OrderStatus.Instructed => [OrderMetricEvent.Received, OrderMetricEvent.InstructedOnTime],
            OrderStatus.Converted => [OrderMetricEvent.Received, OrderMetricEvent.Converted],
            _ => [OrderMetricEvent.Received],
        };
    }

    /// <summary>The sum of counter shards of one seller and month (each shard a <see cref="SellerMonthlyMetrics"/> of its own).</summary>
    public static SellerMonthlyMetrics Sum(string sellerId, CalendarMonth month, IEnumerable<SellerMonthlyMetrics> shards)
    {
        ArgumentNullException.ThrowIfNull(shards);
        return shards.Aggregate(Empty(sellerId, month), (total, s) => total with
        {
            Orders = total.Orders + s.Orders,
            OnTimeInstructions = total.OnTimeInstructions + s.OnTimeInstructions,
            Conversions = total.Conversions + s.Conversions,
            PremiumPoolOrders = total.PremiumPoolOrders + s.PremiumPoolOrders,
        });
    }
}

/// <summary>
/// DSP-5 counters, kept as events happen (never by a scan at read time). Counting is exactly once per order and
/// contribution: the store keeps, per order, which of <see cref="SellerMonthlyMetrics.EventsOf"/> it has counted, in
/// the same transaction as the counters (see <c>Orders/DECISIONS.md</c>, "DSP-5 counters").
/// </summary>
public interface ISellerMetricsStore
{
    /// <summary>Counts what <paramref name="order"/> contributes in its current state and was not counted for it yet; repeatable.</summary>
    Task CountAsync(Order order, CancellationToken cancellationToken) => CountAsync([order], cancellationToken);

    /// <summary>
    /// <see cref="CountAsync(Order, CancellationToken)"/> for many orders (the sweep's finished orders of one index partition):
    /// orders sharing a counter row are counted together, in as few commits as a transaction allows, so a sweep that
    /// finishes a busy seller's orders by the hundred does not make each of them race for the same row.
    /// </summary>
    Task CountAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="CountAsync(IReadOnlyList{Order}, CancellationToken)"/> where the caller has just committed the latest transition
    /// of the orders in <paramref name="changedNow"/> (an accepted instruction, the sweep's own conversions): their latest
    /// contribution is most likely not counted yet, the others' most likely is (a re-check). Only a hint of what to expect, so a
    /// store can write blind in the common case; a wrong hint costs a round trip or two, never a wrong count.
    /// </summary>
    Task CountAsync(IReadOnlyList<Order> orders, IReadOnlySet<string> changedNow, CancellationToken cancellationToken) => CountAsync(orders, cancellationToken);

    /// <summary>
    /// <see cref="CountAsync(Order, CancellationToken)"/> for an order this call has just created: nothing can have been
    /// counted for it yet, so a store may skip reading what it counted before and write as if nothing was (a conditional
    /// insert), falling back to the full read only when that insert meets a row. Same result, one round trip less.
    /// </summary>
    Task CountNewAsync(Order order, CancellationToken cancellationToken) => CountAsync(order, cancellationToken);

    /// <summary>
    /// The counting that follows a change this process has just committed: the intake that created <paramref name="order"/>
    /// (<paramref name="created"/>), or its latest transition (an accepted instruction). A store may gather such counts for a
    /// moment and commit those of one seller and month together, without the caller waiting for that commit; it then answers
    /// <see cref="ReadAsync"/> with what it gathered included. A count lost with the process before its commit is made by the
    /// cutoff sweep, which re-checks every order it finishes. Default: counted now, as <see cref="CountNewAsync"/> /
    /// <see cref="CountAsync(IReadOnlyList{Order}, IReadOnlySet{string}, CancellationToken)"/> with the order changed now.
    /// </summary>
    Task CountSoonAsync(Order order, bool created, CancellationToken cancellationToken)
        => created ? CountNewAsync(order, cancellationToken) : CountAsync([order], new HashSet<string>(StringComparer.Ordinal) { order.OrderId }, cancellationToken);

    /// <summary>The counters of <paramref name="sellerId"/> in <paramref name="month"/> (zeros when none).</summary>
    Task<SellerMonthlyMetrics> ReadAsync(string sellerId, CalendarMonth month, CancellationToken cancellationToken);
}
