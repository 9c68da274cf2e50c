using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Admission;

/// <summary>Seller applications (API.md "Admission", ADM-1..11).</summary>
public sealed class ApplicationFunctions(ApplicationIntake intake, IApplicationRepository applications)
{
    /// <summary>POST /api/applications, by the platform: 202, 422 with every field error, 409 while one is open or for a seller admitted already.</summary>
    [Function("SubmitApplication")]
    [AllowRoles(HubRole.Platform)]
    public async Task<IActionResult> Submit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<ApplicationSubmission>(cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        IntakeResult result;
        try
        {
            result = await intake.SubmitAsync(body.Value!, cancellationToken);
        }
        catch (CalendarOutOfRangeException e)
        {
            return new ProblemResult(Problems.Validation([new FieldError("reviewDueOn", ProblemCodes.CalendarOutOfRange, e.Message)], ProblemCodes.CalendarOutOfRange));
        }

        return result switch
        {
            { Application: { } a } => HubResults.Accepted(ApplicationView.Accepted(a)),
            { OpenApplicationId: { } open } => ApplicationView.OpenExists(body.Value!.SellerId!, open),
            { ExistingSeller: { } seller } => ApplicationView.SellerExists(seller),
            _ => new ProblemResult(Problems.Validation(result.Errors)),
        };
    }

    /// <summary>GET /api/applications/{applicationId}, by the platform or a reviewer.</summary>
    [Function("GetApplication")]
    [AllowRoles(HubRole.Platform, HubRole.Reviewer)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "applications/{applicationId}")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
        => await applications.GetAsync(applicationId, cancellationToken) is { } stored
            ? HubResults.Ok(ApplicationView.Full(stored.Application))
            : new ProblemResult(Problems.NotFound($"There is no application '{applicationId}'."));
}
