using HubFunctions.Core.Access;
using HubFunctions.Core.Labels;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Labels;

/// <summary>Sampling inspections and rectification orders (LBL-4).</summary>
public sealed class InspectionFunctions(InspectionHandler handler)
{
    public sealed record FailureRequest(string? Label, string? Reason);

    public sealed record InspectionRequest(string? ReceiptId, string? SellerId, int? Sampled, List<FailureRequest?>? Failures);

    /// <summary>POST /api/hubs/{hub}/inspections, by the hub's operator.</summary>
    [Function("RecordInspection")]
    [AllowRoles(HubRole.HubOperator)]
    public async Task<IActionResult> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/inspections")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        var command = await request.ReadHubCommandAsync<InspectionRequest>(hub,
            r => InspectionRules.Validate(r.ReceiptId, r.SellerId, r.Sampled, r.Failures?.Select(f => f?.Reason).ToList()), r => r.SellerId!, cancellationToken);
        if (command.Problem is { } problem)
        {
            return problem;
        }

        var r = command.Body!;
        var failures = r.Failures!.Select(f => new InspectionFailure(f!.Label ?? "", f.Reason!)).ToList();
        var result = await handler.HandleAsync(new InspectionCommand(hub, r.SellerId!, r.ReceiptId!, r.Sampled!.Value, failures, command.Caller.ClientId), cancellationToken);
        return HubResults.Created(new
        {
            inspectionId = result.InspectionId,
            failureRate = result.Outcome.FailureRateRounded,
            rectificationRequired = result.Outcome.RectificationRequired,
            rectificationId = result.RectificationId,
            rectification = result.Transition switch
            {
                RectificationTransition.Open => "opened",
                RectificationTransition.RemainOpen => "still-open",
                RectificationTransition.Close => "closed",
                _ => "none",
            },
        });
    }
}
