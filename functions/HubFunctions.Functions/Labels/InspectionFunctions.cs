using HubFunctions.Core.Access;
using HubFunctions.Core.Common;
using HubFunctions.Core.Labels;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Labels;

/// <summary>Sampling inspections and rectification orders (LBL-4).</summary>
public sealed class InspectionFunctions(InspectionHandler handler)
{
    public const int MaxSampled = 100_000;
    public const int MaxReasonLength = 500;

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
        var body = await request.ReadJsonForHubAsync<InspectionRequest>(hub, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var caller = request.GetCaller();

        var r = body.Value!;
        var errors = Validate(r);
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        var failures = r.Failures!.Select(f => new InspectionFailure(f!.Label ?? "", f.Reason!)).ToList();
        var result = await handler.HandleAsync(new InspectionCommand(hub, r.SellerId!, r.ReceiptId!, r.Sampled!.Value, failures, caller.ClientId), cancellationToken);
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

    private static List<FieldError> Validate(InspectionRequest r)
    {
        var errors = new List<FieldError>();
        Ids.RequireKey("receiptId", r.ReceiptId, errors);
        Ids.RequireKey("sellerId", r.SellerId, errors);

        if (r.Sampled is not (>= 1 and <= MaxSampled))
        {
            errors.Add(new("sampled", InspectionRules.InvalidSampleSize, $"sampled must be a whole number from 1 to {MaxSampled:N0}."));
        }

        if (r.Failures is null)
        {
            errors.Add(new("failures", "failures-required", "failures must be a list (empty when every sampled unit passed)."));
        }
        else
        {
            if (r.Sampled is >= 1 && r.Failures.Count > r.Sampled)
            {
                errors.Add(new("failures", InspectionRules.InvalidFailureCount, $"{r.Failures.Count} failures but only {r.Sampled} units sampled."));
            }

            for (var i = 0; i < r.Failures.Count && errors.Count < 20; i++)
            {
                if (r.Failures[i] is not { Reason: { Length: > 0 and <= MaxReasonLength } reason } || string.IsNullOrWhiteSpace(reason))
                {
                    errors.Add(new($"failures[{i}].reason", "reason-required", $"Each failure needs a reason of 1-{MaxReasonLength} characters."));
                }
            }
        }

        return errors;
    }
}
