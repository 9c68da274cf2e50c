using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
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
        => await ReviewAsync<SiteAuditRequest, SiteAuditReport>(request, applicationId, Parse,
            report => review.RecordSiteAuditAsync(applicationId, report, cancellationToken), cancellationToken);

    /// <summary>POST /api/applications/{applicationId}/integration-test, by the platform.</summary>
    [Function("RecordIntegrationTest")]
    [AllowRoles(HubRole.Platform)]
    public async Task<IActionResult> IntegrationTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{applicationId}/integration-test")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
        => await ReviewAsync<IntegrationTestRequest, IntegrationTestReport>(request, applicationId, Parse,
            report => review.RecordIntegrationTestAsync(applicationId, report, cancellationToken), cancellationToken);

    /// <summary>POST /api/applications/{applicationId}/decision, by a reviewer. A replay of an approval has no secret.</summary>
    [Function("DecideApplication")]
    [AllowRoles(HubRole.Reviewer)]
    [RedactOnReplay("secret")]
    public async Task<IActionResult> Decide(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "applications/{applicationId}/decision")] HttpRequest request,
        string applicationId,
        CancellationToken cancellationToken)
        => await ReviewAsync<DecisionRequest, ReviewerDecision>(request, applicationId, r => Parse(r, request.GetCaller().ClientId, clock.GetUtcNow()),
            decision => review.DecideAsync(applicationId, decision, cancellationToken), cancellationToken);

    /// <summary>Body (400/415/422), its field checks (422), then the review step and its answer.</summary>
    private static async Task<IActionResult> ReviewAsync<TBody, TInput>(HttpRequest request, string applicationId,
        Func<TBody, (TInput? Input, List<FieldError> Errors)> parse, Func<TInput, Task<ReviewResult>> run, CancellationToken cancellationToken)
        where TBody : class
        where TInput : class
    {
        var body = await request.ReadJsonAsync<TBody>(cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var (input, errors) = parse(body.Value!);
        return errors.Count > 0 ? new ProblemResult(Problems.Validation(errors)) : Answer(applicationId, await run(input!));
    }
}
