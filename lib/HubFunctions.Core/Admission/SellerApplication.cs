using System.Diagnostics.CodeAnalysis;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Admission;

/// <summary>The reviewer's record of the on-site factory audit (ADM-5 stage 2; API.md <c>site-audit</c> body).</summary>
/// <param name="Passed">Result <c>pass</c> (true) or <c>fail</c>.</param>
/// <param name="AuditedOn">The audit date (Asia/Shanghai).</param>
/// <param name="Auditor">Who audited.</param>
/// <param name="Notes">Findings; required when the audit failed (it becomes the rejection reason).</param>
public sealed record SiteAuditReport(bool Passed, DateOnly AuditedOn, string Auditor, string? Notes)
{
    /// <summary>Longest auditor name.</summary>
    public const int MaxAuditorLength = 100;

    /// <summary>Longest notes.</summary>
    public const int MaxNotesLength = 4000;

    /// <summary>
    /// Field errors for a 422: auditor non-blank and at most 100 characters; notes at most 4,000 and
    /// required on a fail; the audit date not before the submission date nor after today.
    /// </summary>
    public IReadOnlyList<Common.FieldError> Validate(DateOnly submittedOn, DateOnly today)
    {
        var errors = new List<Common.FieldError>();
        if (string.IsNullOrWhiteSpace(Auditor))
        {
            errors.Add(new("auditor", "required", "auditor is required."));
        }
        else if (Auditor.Length > MaxAuditorLength)
        {
            errors.Add(new("auditor", "too-long", $"auditor is at most {MaxAuditorLength} characters."));
        }

        if (!Passed && string.IsNullOrWhiteSpace(Notes))
        {
            errors.Add(new("notes", "required", "notes are required when the audit failed: they are the rejection reason."));
        }
        else if (Notes is { Length: > MaxNotesLength })
        {
            errors.Add(new("notes", "too-long", $"notes are at most {MaxNotesLength} characters."));
        }

        if (AuditedOn < submittedOn || AuditedOn > today)
        {
            errors.Add(new("auditedOn", "out-of-range", $"auditedOn must be between the submission date {submittedOn:yyyy-MM-dd} and today {today:yyyy-MM-dd}."));
        }

        return errors;
    }
}

/// <summary>The platform's record of a signed test call from the applicant's system (ADM-5 stage 3).</summary>
/// <param name="Passed">Result <c>pass</c> (true) or <c>fail</c>.</param>
/// <param name="TestedAt">When the test call was received.</param>
/// <param name="Details">What was tested or what went wrong.</param>
public sealed record IntegrationTestReport(bool Passed, DateTimeOffset TestedAt, string? Details);

/// <summary>A reviewer's decision (API.md <c>decision</c> body).</summary>
/// <param name="Approved">Approve (true) or reject.</param>
/// <param name="Reviewer">Who decided.</param>
/// <param name="DecidedAt">When.</param>
/// <param name="Reason">Why; required for a rejection.</param>
public sealed record ReviewerDecision(bool Approved, string Reviewer, DateTimeOffset DecidedAt, string? Reason);

/// <summary>
/// A transition the current status does not allow: answered 409 with <see cref="Code"/> and the
/// current status.
/// </summary>
/// <param name="CurrentStatus">The application's status when the transition was tried.</param>
/// <param name="Attempted">The transition, e.g. <c>site-audit</c>, <c>approve</c>.</param>
/// <param name="Message">For a person: what was tried and why it is not possible now.</param>
public sealed record TransitionRefusal(ApplicationStatus CurrentStatus, string Attempted, string Message)
{
    /// <summary>The problem <c>code</c> of a refused transition.</summary>
    public const string ProblemCode = "illegal-transition";

    /// <summary><see cref="ProblemCode"/>.</summary>
    public string Code => ProblemCode;
}

/// <summary>Either the application after a transition, or why the transition was refused.</summary>
public sealed record ApplicationTransition
{
    private ApplicationTransition(SellerApplication? application, TransitionRefusal? refusal)
    {
        Application = application;
        Refusal = refusal;
    }

    /// <summary>The new state, when the transition happened.</summary>
    public SellerApplication? Application { get; }

    /// <summary>Why not, when it was refused.</summary>
    public TransitionRefusal? Refusal { get; }

    /// <summary>True when the transition happened.</summary>
    [MemberNotNullWhen(true, nameof(Application))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool Succeeded => Refusal is null;

    internal static ApplicationTransition To(SellerApplication application) => new(application, null);

    internal static ApplicationTransition Refused(SellerApplication current, string attempted, string why) =>
        new(null, new TransitionRefusal(current.Status, attempted,
            $"Cannot {attempted}: application {current.ApplicationId} is {current.Status.ToWire()}; {why}"));
}

/// <summary>What an hourly SLA check found (ADM-7): the application with its flags set, and which events to raise now.</summary>
/// <param name="Application">The application, flags updated.</param>
/// <param name="RaiseAtRisk">Raise <c>hub.application.sla-at-risk</c> now (never twice).</param>
/// <param name="RaiseBreached">Raise <c>hub.application.sla-breached</c> now (never twice).</param>
public sealed record SlaCheck(SellerApplication Application, bool RaiseAtRisk, bool RaiseBreached)
{
    /// <summary>True when anything is to be raised (and so the application must be saved).</summary>
    public bool Changed => RaiseAtRisk || RaiseBreached;
}

/// <summary>
/// A seller's application and its review (ADM-5): an immutable state machine. Each transition
/// method returns either the new state or a <see cref="TransitionRefusal"/> naming the current
/// status (a 409). Storage and concurrency (ETag) are the repository's (<see cref="IApplicationRepository"/>).
/// <code>
/// pre-review ⇄ tax-check-pending ──pre-review passed──▶ site-audit ──pass──▶ integration-test ──pass──▶ decision ──approve──▶ approved
///      │ pre-review failed                                  │ fail                     │ fail: stays, may retry     │
///      ▼                                                     ▼                                                        ▼
///   rejected ◀────────────── reviewer reject from any non-terminal status ─────────────────────────────────────── rejected
/// </code>
/// </summary>
public sealed record SellerApplication
{
    /// <summary>The application's id.</summary>
    public required string ApplicationId { get; init; }

    /// <summary>The platform's seller id.</summary>
    public required string SellerId { get; init; }

    /// <summary>The hub applied for.</summary>
    public required string Hub { get; init; }

    /// <summary>ADM-1 category.</summary>
    public required string Category { get; init; }

    public required string StoreName { get; init; }

    public required string EntityName { get; init; }

    /// <summary>The USCC, upper case (ADM-11).</summary>
    public required string UnifiedSocialCreditCode { get; init; }

    /// <summary>As stated on the application (decides whether a brand authorisation letter is required, ADM-9).</summary>
    public bool? OwnBrand { get; init; }

    /// <summary>ISO 14001 claimed: 7 working days instead of 15 (ADM-6).</summary>
    public required bool GreenChannel { get; init; }

    /// <summary>The submission date (Asia/Shanghai).</summary>
    public required DateOnly SubmittedOn { get; init; }

    /// <summary>ADM-7 at-risk day (<see cref="ReviewSla.AtRiskOn"/>).</summary>
    public required DateOnly AtRiskOn { get; init; }

    /// <summary>ADM-6 due date (<see cref="ReviewSla.DueOn"/>).</summary>
    public required DateOnly ReviewDueOn { get; init; }

    /// <summary>The category rules' failures judged at intake (ADM-2..4); applied by pre-review.</summary>
    public required IReadOnlyList<ReviewReason> CategoryFailures { get; init; }

    /// <summary>Where the application stands.</summary>
    public ApplicationStatus Status { get; init; } = ApplicationStatus.PreReview;

    /// <summary>The latest pre-review evaluation, if any.</summary>
    public PreReviewResult? PreReview { get; init; }

    /// <summary>The site audit, once recorded.</summary>
    public SiteAuditReport? SiteAudit { get; init; }

    /// <summary>The latest integration test, if any.</summary>
    public IntegrationTestReport? IntegrationTest { get; init; }

    /// <summary>How many integration tests were recorded (failed ones may be retried).</summary>
    public int IntegrationTestAttempts { get; init; }

    /// <summary>The reviewer's decision, once made.</summary>
    public ReviewerDecision? Decision { get; init; }

    /// <summary>Why it was rejected (empty unless <see cref="ApplicationStatus.Rejected"/>).</summary>
    public IReadOnlyList<ReviewReason> RejectionReasons { get; init; } = [];

    /// <summary>
    /// ADM-10: while <c>tax-check-pending</c>, when the one queued tax retry is due (see
    /// <see cref="PreReviewHandler"/>); null when none is pending.
    /// </summary>
    public DateTimeOffset? TaxRetryAt { get; init; }

    /// <summary>ADM-7: the at-risk event has been raised.</summary>
    public bool SlaAtRiskRaised { get; init; }

    /// <summary>ADM-7: the breached event has been raised.</summary>
    public bool SlaBreachedRaised { get; init; }

    /// <summary>
    /// A new application in <c>pre-review</c>, from a submission <see cref="ApplicationRules.Validate"/>
    /// accepted: the SLA dates are computed (ADM-6, ADM-7) and the category rules judged (ADM-2..4) on
    /// <paramref name="submittedOn"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The submission has field errors.</exception>
    /// <exception cref="CalendarOutOfRangeException">The SLA runs outside the calendar data.</exception>
    public static SellerApplication Open(string applicationId, ApplicationSubmission submission, DateOnly submittedOn, ChinaWorkingCalendar calendar)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationId);
        ArgumentNullException.ThrowIfNull(submission);
        var errors = ApplicationRules.Validate(submission, submittedOn);
        if (errors.Count > 0)
        {
            throw new ArgumentException($"The submission has field errors: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Code}"))}", nameof(submission));
        }

        Identifiers.UnifiedSocialCreditCode.Validate(submission.UnifiedSocialCreditCode, out var uscc);
        var green = submission.Iso14001 is true;
        return new SellerApplication
        {
            ApplicationId = applicationId,
            SellerId = submission.SellerId!,
            Hub = submission.Hub!,
            Category = submission.Category!,
            StoreName = submission.StoreName!,
            EntityName = submission.EntityName!,
            UnifiedSocialCreditCode = uscc!,
            OwnBrand = submission.OwnBrand,
            GreenChannel = green,
            SubmittedOn = submittedOn,
            AtRiskOn = ReviewSla.AtRiskOn(submittedOn, green, calendar),
            ReviewDueOn = ReviewSla.DueOn(submittedOn, green, calendar),
            CategoryFailures = ApplicationRules.CheckCategory(submission, submittedOn),
        };
    }

    /// <summary>
    /// Stage 1 (re-)evaluated (<see cref="Admission.PreReview.Evaluate"/>); allowed in <c>pre-review</c> and
    /// <c>tax-check-pending</c>. Failed → <c>rejected</c> with the failures; tax unavailable →
    /// <c>tax-check-pending</c>; documents missing → <c>pre-review</c>; passed → <c>site-audit</c>.
    /// </summary>
    public ApplicationTransition RecordPreReview(PreReviewInput input)
    {
        if (Status is not (ApplicationStatus.PreReview or ApplicationStatus.TaxCheckPending))
        {
            return ApplicationTransition.Refused(this, "pre-review", "pre-review is only evaluated in pre-review or tax-check-pending.");
        }

        var result = Admission.PreReview.Evaluate(this, input);
        return ApplicationTransition.To(result.Outcome switch
        {
            PreReviewOutcome.Failed => this with { PreReview = result, Status = ApplicationStatus.Rejected, RejectionReasons = result.Failures },
            PreReviewOutcome.TaxCheckPending => this with { PreReview = result, Status = ApplicationStatus.TaxCheckPending },
            PreReviewOutcome.AwaitingDocuments => this with { PreReview = result, Status = ApplicationStatus.PreReview },
            _ => this with { PreReview = result, Status = ApplicationStatus.SiteAudit },
        });
    }

    /// <summary>
    /// Stage 2 recorded by a reviewer; only in <c>site-audit</c>. Pass → <c>integration-test</c>;
    /// fail → <c>rejected</c> with reason <c>ADM-5</c> and the notes (defined here: a failed factory
    /// audit ends the application; the applicant applies again).
    /// </summary>
    public ApplicationTransition RecordSiteAudit(SiteAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (Status != ApplicationStatus.SiteAudit)
        {
            return ApplicationTransition.Refused(this, "site-audit", "the site audit is recorded only after pre-review passed and before it is recorded once.");
        }

        return ApplicationTransition.To(report.Passed
            ? this with { SiteAudit = report, Status = ApplicationStatus.IntegrationTest }
            : this with
            {
                SiteAudit = report,
                Status = ApplicationStatus.Rejected,
                RejectionReasons = [new ReviewReason("ADM-5", $"On-site factory audit failed ({report.AuditedOn:yyyy-MM-dd}, {report.Auditor}): {report.Notes}")],
            });
    }

    /// <summary>
    /// Stage 3 recorded by the platform; only in <c>integration-test</c>. Pass → <c>decision</c>;
    /// fail → stays in <c>integration-test</c> with the report recorded (defined here: a failed test
    /// call is a technical problem the applicant may fix and test again; a reviewer may still reject).
    /// </summary>
    public ApplicationTransition RecordIntegrationTest(IntegrationTestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (Status != ApplicationStatus.IntegrationTest)
        {
            return ApplicationTransition.Refused(this, "integration-test", "the integration test is recorded only after the site audit passed and before it passed.");
        }

        var recorded = this with { IntegrationTest = report, IntegrationTestAttempts = IntegrationTestAttempts + 1 };
        return ApplicationTransition.To(report.Passed ? recorded with { Status = ApplicationStatus.Decision } : recorded);
    }

    /// <summary>
    /// A reviewer's decision. Approve: only in <c>decision</c>, i.e. after all three stages passed
    /// (ADM-5) → <c>approved</c>. Reject: in any non-terminal status → <c>rejected</c> with the
    /// reviewer's reason (code <see cref="ReviewerRejectionCode"/>).
    /// </summary>
    /// <exception cref="ArgumentException">No reviewer, or a rejection without a reason.</exception>
    public ApplicationTransition Decide(ReviewerDecision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentException.ThrowIfNullOrWhiteSpace(decision.Reviewer);
        if (decision.Approved)
        {
            return Status == ApplicationStatus.Decision
                ? ApplicationTransition.To(this with { Decision = decision, Status = ApplicationStatus.Approved })
                : ApplicationTransition.Refused(this, "approve", "approval needs pre-review, site audit and integration test all passed (ADM-5).");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(decision.Reason);
        return Status.IsTerminal()
            ? ApplicationTransition.Refused(this, "reject", "the application is already decided.")
            : ApplicationTransition.To(this with
            {
                Decision = decision,
                Status = ApplicationStatus.Rejected,
                RejectionReasons = [new ReviewReason(ReviewerRejectionCode, decision.Reason)],
            });
    }

    /// <summary>The reason code of a reviewer's rejection.</summary>
    public const string ReviewerRejectionCode = "reviewer-decision";

    /// <summary>
    /// The hourly SLA check (ADM-7) for <paramref name="today"/> (Asia/Shanghai). An undecided
    /// application raises at-risk from its <see cref="AtRiskOn"/> day and breached from the day after
    /// <see cref="ReviewDueOn"/>, each once (the flags remember). A check that first runs after the due
    /// date raises both, at-risk first. Decided applications raise nothing. Never refused.
    /// </summary>
    public SlaCheck CheckSla(DateOnly today)
    {
        if (Status.IsTerminal())
        {
            return new SlaCheck(this, false, false);
        }

        var atRisk = !SlaAtRiskRaised && ReviewSla.IsAtRisk(today, AtRiskOn);
        var breached = !SlaBreachedRaised && ReviewSla.IsBreached(today, ReviewDueOn);
        var updated = atRisk || breached
            ? this with { SlaAtRiskRaised = SlaAtRiskRaised || atRisk, SlaBreachedRaised = SlaBreachedRaised || breached }
            : this;
        return new SlaCheck(updated, atRisk, breached);
    }
}
