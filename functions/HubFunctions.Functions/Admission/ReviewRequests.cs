using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.Functions.Admission;

/// <summary>The review bodies (API.md "Admission"), their checks, and how review results answer.</summary>
public static class ReviewRequests
{
    public const string ConcurrentUpdate = "concurrent-update";

    public sealed record SiteAuditRequest(string? Result, DateOnly? AuditedOn, string? Auditor, string? Notes);

    public sealed record IntegrationTestRequest(string? Result, DateTimeOffset? TestedAt, string? Details);

    public sealed record DecisionRequest(string? Decision, string? Reason);

    public const int MaxTextLength = 4000;

    public static (SiteAuditReport? Report, List<FieldError> Errors) Parse(SiteAuditRequest r)
    {
        var errors = new List<FieldError>();
        var passed = PassFail("result", r.Result, errors);
        Require("auditedOn", r.AuditedOn, errors);
        return errors.Count > 0 ? (null, errors) : (new SiteAuditReport(passed!.Value, r.AuditedOn!.Value, r.Auditor ?? "", r.Notes), errors);
    }

    public static (IntegrationTestReport? Report, List<FieldError> Errors) Parse(IntegrationTestRequest r)
    {
        var errors = new List<FieldError>();
        var passed = PassFail("result", r.Result, errors);
        Require("testedAt", r.TestedAt, errors);
        if (r.Details is { Length: > MaxTextLength })
        {
            errors.Add(new("details", "too-long", $"details are at most {MaxTextLength} characters."));
        }

        return errors.Count > 0 ? (null, errors) : (new IntegrationTestReport(passed!.Value, r.TestedAt!.Value, r.Details), errors);
    }

    public static (ReviewerDecision? Decision, List<FieldError> Errors) Parse(DecisionRequest r, string reviewer, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        if (r.Decision is not ("approve" or "reject"))
        {
            errors.Add(new("decision", "invalid-decision", "decision must be approve or reject."));
        }
        else if (r.Decision == "reject" && string.IsNullOrWhiteSpace(r.Reason))
        {
            errors.Add(new("reason", "required", "A rejection needs a reason."));
        }

        if (r.Reason is { Length: > MaxTextLength })
        {
            errors.Add(new("reason", "too-long", $"reason is at most {MaxTextLength} characters."));
        }

        return errors.Count > 0 ? (null, errors) : (new ReviewerDecision(r.Decision == "approve", reviewer, now, r.Reason), errors);
    }

    /// <summary>200 with the application (or, on approval, the credentials shown once), or the problem: 404, 422, 409 naming the current status, 409 lost race.</summary>
    public static Microsoft.AspNetCore.Mvc.IActionResult Answer(string applicationId, ReviewResult result) => result.Outcome switch
    {
        ReviewOutcome.Done => HubResults.Ok(ApplicationView.Full(result.Application!)),
        ReviewOutcome.NotFound => new ProblemResult(Problems.NotFound($"There is no application '{applicationId}'.")),
        ReviewOutcome.Invalid => new ProblemResult(Problems.Validation(result.Errors!)),
        ReviewOutcome.Refused => WithStatus(Problems.Conflict(result.Refusal!.Code, result.Refusal.Message), result.Application!),
        ReviewOutcome.Conflict => WithStatus(Problems.Conflict(ConcurrentUpdate,
            $"Application {applicationId} changed meanwhile; it is now {result.Application!.Status.ToWire()}."), result.Application!),
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

    private static bool? PassFail(string field, string? value, List<FieldError> errors)
    {
        if (value is "pass" or "fail")
        {
            return value == "pass";
        }

        errors.Add(new(field, "invalid-result", $"{field} must be pass or fail."));
        return null;
    }

    private static void Require<T>(string field, T? value, List<FieldError> errors)
        where T : struct
    {
        if (value is null)
        {
            errors.Add(new(field, ApplicationRules.Required, $"{field} is required."));
        }
    }
}
