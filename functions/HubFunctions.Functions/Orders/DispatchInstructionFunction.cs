using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Orders;

/// <summary>Dispatch instructions (DSP-2, DSP-4, DSP-6): on time until the deadline inclusive, idempotent per <c>instructionId</c>.</summary>
public sealed class DispatchInstructionFunction(OrderHandler handler, SellerAccess access)
{
    public const string Name = "IssueDispatchInstruction";

    public sealed record InstructionBody(string? InstructionId);

    /// <summary>POST /api/orders/{orderId}/dispatch-instructions, by the order's seller or its WMS: 201; 409 DSP-4 / DSP-2 / already-instructed; 403 CMP-3.</summary>
    [Function(Name)]
    [AllowRoles(HubRole.Seller, HubRole.Wms)]
    public async Task<IActionResult> Instruct(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/dispatch-instructions")] HttpRequest request,
        string orderId,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<InstructionBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var errors = new List<FieldError>();
        Ids.RequireKey("instructionId", body.Value!.InstructionId, errors);
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        var stored = await handler.FindOrderRowAsync(orderId, cancellationToken);
        if (stored is null || !request.GetCaller().ActsForSeller(stored.Order.SellerId))
        {
            return OrderAnswers.NotFound(orderId);
        }

        var (seller, refused) = await access.CheckAsync(request, stored.Order.SellerId, stored.Order.Hub, cancellationToken);
        if (refused is not null)
        {
            return refused;
        }

        var outcome = await handler.InstructAsync(stored, body.Value.InstructionId!, seller!, cancellationToken);
        if (outcome?.Kind == InstructionOutcomeKind.Accepted)
        {
            // The answer is the outcome row this request inserted: a retry is answered from it (DispatchInstructionReplay).
            request.MarkAnswerDerivable();
        }

        return outcome?.Kind switch
        {
            null => OrderAnswers.NotFound(orderId),
            InstructionOutcomeKind.Accepted or InstructionOutcomeKind.AlreadyApplied => OrderAnswers.Instructed(outcome.Order),
            InstructionOutcomeKind.Frozen => SellerAccessProblems.Frozen(seller!, FrozenActions.IssueDispatchInstruction)!,
            _ => OrderAnswers.Refused(outcome),
        };
    }
}
