using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Orders;

/// <summary>
/// Stage events (<c>POST /api/orders/{orderId}/events</c>) and the held-order diagnosis (DIA-1, DIA-2). The caller has
/// read the order and checked who may see it (SEC-2).
/// </summary>
public sealed class OrderTimelineHandler(IOrderTimeline timeline, ISellerDirectory sellers, TimeProvider clock, OrderOptions options)
{
    /// <summary>
    /// Records a checked stage event for <paramref name="order"/> (<see cref="StageEventRules.Check"/>); the same stage at
    /// the same instant again is the stored record (<c>Created</c> false), nothing new.
    /// </summary>
    public Task<(RecordedStageEvent Event, bool Created)> RecordAsync(Order order, StageEvent stageEvent, IReadOnlyList<WmsHsCode> items, string recordedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(stageEvent);
        return timeline.AddAsync(new RecordedStageEvent(order.OrderId, stageEvent.Stage, stageEvent.At, items, clock.GetUtcNow(), recordedBy), cancellationToken);
    }

    /// <summary>The order's findings (HS codes from the order's declared codes and the WMS codes of its stage events; the seller's freeze) and its stage timeline, now.</summary>
    public async Task<(OrderDiagnosisResult Result, IReadOnlyList<RecordedStageEvent> Events)> DiagnoseAsync(Order order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var eventsRead = timeline.ListAsync(order.OrderId, cancellationToken);
        var sellerRead = sellers.FindAsync(order.SellerId, cancellationToken);
        await Task.WhenAll(eventsRead, sellerRead).ConfigureAwait(false);
        var events = eventsRead.Result;
        var seller = sellerRead.Result ?? throw new InvalidOperationException($"Order '{order.OrderId}' names seller '{order.SellerId}', who is not in the seller store.");
        var result = OrderDiagnosis.Diagnose(order, events.Select(e => e.ToStageEvent()).ToList(), StageEventRules.HsCodesOf(order, events), seller, clock.GetUtcNow(), options.Diagnosis());
        return (result, events);
    }
}
