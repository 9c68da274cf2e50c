using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.Functions.Admission;

/// <summary>How review results answer (the bodies and their checks are <see cref="ReviewInputs"/> in Core).</summary>
public static class ReviewRequests
{
    public const string ConcurrentUpdate = "concurrent-update";

    /// <summary>The approval was completed by another request, which alone was shown the secret.</summary>
    public const string CredentialsAlreadyIssued = "credentials-already-issued";

    /// <summary>200 with the application (or, on approval, the credentials shown once), or the problem: 404, 422, 409 naming the current status, 409 lost race, 409 credentials issued to another request.</summary>
    public static Microsoft.AspNetCore.Mvc.IActionResult Answer(string applicationId, ReviewResult result) => result.Outcome switch
    {
        ReviewOutcome.Done => HubResults.Ok(ApplicationView.Full(result.Application!)),
        ReviewOutcome.NotFound => new ProblemResult(Problems.NotFound($"There is no application '{applicationId}'.")),
        ReviewOutcome.Invalid => new ProblemResult(Problems.Validation(result.Errors!)),
        ReviewOutcome.Refused => WithStatus(Problems.Conflict(result.Refusal!.Code, result.Refusal.Message), result.Application!),
        ReviewOutcome.Conflict => WithStatus(Problems.Conflict(ConcurrentUpdate,
            $"Application {applicationId} changed meanwhile; it is now {result.Application!.Status.ToWire()}."), result.Application!),
        ReviewOutcome.CredentialsIssued => WithStatus(Problems.Conflict(CredentialsAlreadyIssued,
            $"Application {applicationId} is approved and its credentials were issued to another request; a secret is shown only once."), result.Application!),
        _ => HubResults.Ok(new
        {
            sellerId = result.Credentials!.SellerId,
            hubSellerId = result.Credentials.HubSellerId,
            clientId = result.Credentials.ClientId,
            secret = result.Credentials.Secret,
        }),
    };

    private static ProblemResult WithStatus(Problem problem, SellerApplication current)
        => new(problem with { Extensions = new() { ["currentStatus"] = current.Status.ToWire(), ["stage"] = current.Status.Stage() } });
}
