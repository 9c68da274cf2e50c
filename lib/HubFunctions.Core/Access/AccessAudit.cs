namespace HubFunctions.Core.Access;

/// <summary>A refused call worth auditing (SEC-1: usage data from a client that is not the WMS integration or a hub operator).</summary>
public sealed record AccessRefusal(string ClientId, HubRole Role, string Method, string Path, string Rule, string Reason, DateTimeOffset At);

/// <summary>The audit trail of refused calls.</summary>
public interface IAccessAudit
{
    Task RecordAsync(AccessRefusal refusal, CancellationToken cancellationToken);

    /// <summary>The refusals recorded on one UTC day, oldest first.</summary>
    Task<IReadOnlyList<AccessRefusal>> OnDayAsync(DateOnly utcDay, CancellationToken cancellationToken);
}
