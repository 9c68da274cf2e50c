using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using static HubFunctions.Core.Admission.ReviewInputs;
using static HubFunctions.Functions.Admission.ReviewRequests;

namespace HubFunctions.Functions.Admission;

/// <summary>Stages 2 and 3 and the decision (ADM-5), each conditional on the state read (ETag).</summary>
public sealed class ReviewFunctions(ApplicationReview review, TimeProvider clock)
{
    /// <summary>POST /api/applications/{applicationId}/site-audit, by a reviewer.</summary>
    [Function("RecordSiteAudit")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> SiteAudit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{applicationId}/site-audit")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<SiteAuditRequest>(cancellationToken);
        var (report, errors) = body.Value is { } r ? Parse(r) : (null, []);
        return body.Problem ?? (errors.Count > 0 ? new ProblemResult(Problems.Validation(errors))
            : Answer(applicationId, await review.RecordSiteAuditAsync(applicationId, report!, cancellationToken)));
    }

    /// <summary>POST /api/applications/{applicationId}/integration-test, by the platform.</summary>
    [Function("RecordIntegrationTest")]
    [AllowRoles(HubRole.Platform)]
    public async Task<IActionResult> IntegrationTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{applicationId}/integration-test")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<IntegrationTestRequest>(cancellationToken);
        var (report, errors) = body.Value is { } r ? Parse(r) : (null, []);
        return body.Problem ?? (errors.Count > 0 ? new ProblemResult(Problems.Validation(errors))
            : Answer(applicationId, await review.RecordIntegrationTestAsync(applicationId, report!, cancellationToken)));
    }

    /// <summary>POST /api/applications/{applicationId}/decision, by a reviewer.</summary>
    [Function("DecideApplication")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{applicationId}/decision")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<DecisionRequest>(cancellationToken);
        var (decision, errors) = body.Value is { } r ? Parse(r, request.GetCaller().ClientId, clock.GetUtcNow()) : (null, []);
        return body.Problem ?? (errors.Count > 0 ? new ProblemResult(Problems.Validation(errors))
            : Answer(applicationId, await review.DecideAsync(applicationId, decision!, cancellationToken)));
    }
}
