using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Documents;

/// <summary>DOC-5 statuses.</summary>
public enum DocumentStatus
{
    Received,
    Validated,
    Rejected,
    Approved,
}

public static class DocumentStatusWire
{
    public static string ToWire(this DocumentStatus status) => status switch
    {
        DocumentStatus.Received => "received",
        DocumentStatus.Validated => "validated",
        DocumentStatus.Rejected => "rejected",
        DocumentStatus.Approved => "approved",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>The facts an uploader states about a document (API.md upload fields), parsed.</summary>
/// <param name="Type">DOC-1 type.</param>
/// <param name="IssuedOn">Issue date; for a customs declaration its declaration date (DOC-3 month).</param>
/// <param name="DocumentNumber">Customs declaration number (DOC-3), the licence's USCC (ADM-9), or any reference.</param>
/// <param name="Sealed">Marked as bearing the company seal (DOC-3).</param>
/// <param name="Brand">The brand a brand authorisation is for.</param>
/// <param name="EntityName">The registered entity name printed on a business licence (ADM-9).</param>
public sealed record DocumentFacts(string Type, DateOnly IssuedOn, string? DocumentNumber, bool? Sealed, string? Brand, string? EntityName);

/// <summary>The stored file of a document version (DOC-2).</summary>
/// <param name="BlobName">The random blob name it is stored under (never the uploaded name).</param>
/// <param name="Kind">What its magic bytes say.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes.</param>
/// <param name="FileName">The uploaded file name, a label only (checked by <see cref="FileKinds.FileNameProblem"/>), or null.</param>
public sealed record StoredFile(string BlobName, FileKind Kind, long Length, string Sha256, string? FileName);

/// <summary>
/// One version of a seller's document (DOC-5: every version is kept). Immutable; the transitions
/// return the next state.
/// <code>
/// received ──automatic checks pass──▶ validated ──reviewer approves──▶ approved
///     │ automatic checks fail              │ reviewer rejects
///     ▼                                    ▼
///  rejected                             rejected
/// </code>
/// </summary>
public sealed record DocumentVersion
{
    public required string DocumentId { get; init; }

    public required string SellerId { get; init; }

    /// <summary>1 for the first upload of this type by this seller, then 2, 3...</summary>
    public required int Version { get; init; }

    public required DocumentFacts Facts { get; init; }

    public required StoredFile File { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public DocumentStatus Status { get; init; } = DocumentStatus.Received;

    /// <summary>Why it was rejected (rule ids with messages), automatically or by the reviewer.</summary>
    public IReadOnlyList<DocumentReason> Reasons { get; init; } = [];

    public DateTimeOffset? ValidatedAt { get; init; }

    /// <summary>The reviewer's client id, once reviewed.</summary>
    public string? ReviewedBy { get; init; }

    public DateTimeOffset? ReviewedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public string Type => Facts.Type;

    /// <summary>The approval date (Asia/Shanghai) of an approved version.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateOnly? ApprovedOn => Status == DocumentStatus.Approved && ReviewedAt is { } at ? ChinaTime.DateOf(at) : null;

    /// <summary>The automatic checks' outcome: <c>validated</c> without reasons, else <c>rejected</c>. Only from <c>received</c>.</summary>
    public DocumentVersion? Validate(IReadOnlyList<DocumentReason> failures, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(failures);
        return Status != DocumentStatus.Received
            ? null
            : this with { Status = failures.Count == 0 ? DocumentStatus.Validated : DocumentStatus.Rejected, Reasons = failures, ValidatedAt = at };
    }

    /// <summary>A reviewer's decision (DOC-5), only on a <c>validated</c> version; null otherwise.</summary>
    public DocumentVersion? Review(bool approve, string? reason, string reviewer, DateTimeOffset at)
        => Status != DocumentStatus.Validated
            ? null
            : this with
            {
                Status = approve ? DocumentStatus.Approved : DocumentStatus.Rejected,
                Reasons = approve ? [] : [new DocumentReason(DocumentRules.ReviewerRejection, reason ?? "")],
                ReviewedBy = reviewer,
                ReviewedAt = at,
            };
}

/// <summary>Why a document was rejected: a rule id (<c>DOC-3</c>, <c>ADM-9</c>, <c>reviewer-decision</c>) and a message.</summary>
public sealed record DocumentReason(string Code, string Message);
