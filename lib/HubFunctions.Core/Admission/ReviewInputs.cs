using HubFunctions.Core.Common;

namespace HubFunctions.Core.Admission;

/// <summary>
/// The review bodies of API.md "Admission" (site audit, integration test, decision) as they arrive,
/// and their checks (ADM-5): every field error at once, or the report the state machine takes.
/// </summary>
public static class ReviewInputs
{
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
