using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Orders;

/// <summary>Order intake from the platform (DSP-1, BIL-10, DSP-2 deadline and index) and reading an order.</summary>
public sealed class OrderFunctions(OrderHandler handler, SellerAccess access, TimeProvider clock)
{
    public const string SubmitOrderName = "SubmitOrder";

    /// <summary>POST /api/orders, by the platform: 202 with the order; 422 every field error (DSP-1, BIL-10 first); 404/403 SEC-2; 409 order-conflict.</summary>
    [Function(SubmitOrderName)]
    [AllowRoles(HubRole.Platform)]
    public async Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<OrderRequest>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var check = OrderSubmission.Check(body.Value!, clock.GetUtcNow());
        if (!check.Accepted)
        {
            return new ProblemResult(Problems.Validation(check.Errors, check.Code));
        }

        var valid = check.Order!;
        // SEC-2 on the seller's registration only (exists, hub): intake uses nothing else of the seller (DSP-6).
        if (await access.CheckRegistrationAsync(request, valid.SellerId, valid.Hub, cancellationToken) is { } refused)
        {
            return refused;
        }

        var result = await handler.SubmitAsync(valid, cancellationToken);
        if (result.Outcome is OrderIntakeOutcome.Created or OrderIntakeOutcome.StoredByEarlierAttempt)
        {
            // The answer is the order row this request (this attempt or an earlier one) inserted: a retry is answered from it (SubmitOrderReplay).
            request.MarkAnswerDerivable();
        }

        return result.Outcome == OrderIntakeOutcome.Conflict
            ? new ProblemResult(Problems.Conflict(OrderCodes.DifferentBody, $"Order '{valid.OrderId}' was submitted before with a different body."))
            : OrderAnswers.Submitted(result.Order);
    }

    /// <summary>GET /api/orders/{orderId}: the platform any order, a seller (or its WMS) only its own (another seller's: 404, as an unknown one).</summary>
    [Function("GetOrder")]
    [AllowRoles(HubRole.Platform, HubRole.Seller, HubRole.Wms)]
    [SideEffectFree]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders/{orderId}")] HttpRequest request,
        string orderId,
        CancellationToken cancellationToken)
    {
        var stored = await handler.FindAsync(orderId, cancellationToken);
        return stored is not null && request.GetCaller().ActsForSeller(stored.Order.SellerId)
            ? HubResults.Ok(OrderAnswers.View(stored.Order))
            : OrderAnswers.NotFound(orderId);
    }
}
