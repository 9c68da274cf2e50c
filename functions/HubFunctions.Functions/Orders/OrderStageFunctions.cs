using HubFunctions.Core.Access;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Orders;

/// <summary>Stage events from hub operators and the held-order diagnosis (DIA-1, DIA-2).</summary>
public sealed class OrderStageFunctions(OrderHandler orders, OrderTimelineHandler timeline, TimeProvider clock)
{
    /// <summary>POST /api/orders/{orderId}/events, by the operator of the order's hub: 201 recorded, 200 the same event again; 422 every field error; 404 unknown order; 403 another hub's order (SEC-2).</summary>
    [Function("RecordOrderStageEvent")]
    [AllowRoles(HubRole.HubOperator)]
    public async Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/events")] HttpRequest request,
        string orderId,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<StageEventRequest>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var (stageEvent, items, errors) = StageEventRules.Check(body.Value!, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors, errors[0].Code));
        }

        var stored = await orders.FindAsync(orderId, cancellationToken);
        if (stored is null)
        {
            return OrderAnswers.NotFound(orderId);
        }

        var caller = request.GetCaller();
        if (!caller.ActsForHub(stored.Order.Hub))
        {
            return new ProblemResult(Problems.Forbidden(ProblemCodes.Forbidden, $"Client '{caller.ClientId}' acts for hub '{caller.Hub}'; order '{orderId}' is handled at another hub (SEC-2)."));
        }

        var (recorded, created) = await timeline.RecordAsync(stored.Order, stageEvent!, items, caller.ClientId, cancellationToken);
        return created ? HubResults.Created(OrderAnswers.StageEvent(recorded)) : HubResults.Ok(OrderAnswers.StageEvent(recorded));
    }

    /// <summary>GET /api/orders/{orderId}/diagnosis: the seller (own orders; another seller's: 404, as unknown), the platform, reviewers.</summary>
    [Function("DiagnoseOrder")]
    [AllowRoles(HubRole.Seller, HubRole.Platform, HubRole.Reviewer)]
    [SideEffectFree]
    public async Task<IActionResult> Diagnose(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders/{orderId}/diagnosis")] HttpRequest request,
        string orderId,
        CancellationToken cancellationToken)
    {
        var stored = await orders.FindAsync(orderId, cancellationToken);
        if (stored is null || !request.GetCaller().ActsForSeller(stored.Order.SellerId))
        {
            return OrderAnswers.NotFound(orderId);
        }

        var (result, events) = await timeline.DiagnoseAsync(stored.Order, cancellationToken);
        return HubResults.Ok(OrderAnswers.Diagnosis(stored.Order, result, events));
    }
}
