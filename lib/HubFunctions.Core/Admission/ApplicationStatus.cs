namespace HubFunctions.Core.Admission;

/// <summary>
/// Where an application stands (ADM-5). The stages run in order; <see cref="Approved"/> and
/// <see cref="Rejected"/> are terminal. Wire names (API, storage) are kebab-case:
/// <see cref="ApplicationStatuses.ToWire"/>.
/// </summary>
public enum ApplicationStatus
{
    /// <summary>Stage 1, automatic: waiting for documents (or not evaluated yet).</summary>
    PreReview,

    /// <summary>Stage 1, automatic: everything else is settled but the tax authority could not answer (ADM-10); retried.</summary>
    TaxCheckPending,

    /// <summary>Stage 2: waiting for the reviewer's on-site factory audit.</summary>
    SiteAudit,

    /// <summary>Stage 3: waiting for a passing signed test call from the applicant's system.</summary>
    IntegrationTest,

    /// <summary>All three stages passed: waiting for the reviewer's decision.</summary>
    Decision,

    /// <summary>Terminal: approved (ADM-8 follows).</summary>
    Approved,

    /// <summary>Terminal: rejected, with reasons.</summary>
    Rejected,
}

/// <summary>Names and groupings of <see cref="ApplicationStatus"/>.</summary>
public static class ApplicationStatuses
{
    /// <summary><c>pre-review</c>, <c>tax-check-pending</c>, <c>site-audit</c>, <c>integration-test</c>, <c>decision</c>, <c>approved</c>, <c>rejected</c>.</summary>
    public static string ToWire(this ApplicationStatus status) => status switch
    {
        ApplicationStatus.PreReview => "pre-review",
        ApplicationStatus.TaxCheckPending => "tax-check-pending",
        ApplicationStatus.SiteAudit => "site-audit",
        ApplicationStatus.IntegrationTest => "integration-test",
        ApplicationStatus.Decision => "decision",
        ApplicationStatus.Approved => "approved",
        ApplicationStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>The status of a wire name; false for anything else.</summary>
    public static bool TryParse(string? wire, out ApplicationStatus status)
    {
        foreach (var candidate in Enum.GetValues<ApplicationStatus>())
        {
            if (string.Equals(candidate.ToWire(), wire, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>
    /// The ADM-5 stage a status belongs to (API.md's <c>stage</c>): <c>pre-review</c> (both stage-1
    /// statuses), <c>site-audit</c>, <c>integration-test</c>, <c>decision</c>; null once terminal.
    /// </summary>
    public static string? Stage(this ApplicationStatus status) => status switch
    {
        ApplicationStatus.PreReview or ApplicationStatus.TaxCheckPending => "pre-review",
        ApplicationStatus.SiteAudit => "site-audit",
        ApplicationStatus.IntegrationTest => "integration-test",
        ApplicationStatus.Decision => "decision",
        _ => null,
    };

    /// <summary>True for <see cref="ApplicationStatus.Approved"/> and <see cref="ApplicationStatus.Rejected"/>.</summary>
    public static bool IsTerminal(this ApplicationStatus status) => status is ApplicationStatus.Approved or ApplicationStatus.Rejected;
}
