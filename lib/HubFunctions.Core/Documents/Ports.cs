using HubFunctions.Core.Events;

namespace HubFunctions.Core.Documents;

/// <summary>A version as stored, with the ETag a conditional update must match.</summary>
public sealed record StoredDocument(DocumentVersion Document, string ETag);

/// <summary>The newest version of one type, and the ETag of the "latest" pointer (null when there is none yet).</summary>
public sealed record LatestOfType(DocumentVersion? Document, string? PointerETag);

/// <summary>A seller's latest approved version of one type and when it was approved (CMP-1's input).</summary>
public sealed record ApprovedDocument(string SellerId, string Type, string DocumentId, int Version, DateTimeOffset ApprovedAt, DateOnly ApprovedOn);

/// <summary>
/// Where document versions live: one partition per seller. Every write carries its events
/// (transactional outbox). Every version is kept (DOC-5).
/// </summary>
public interface IDocumentRepository
{
    Task<StoredDocument?> GetAsync(string sellerId, string documentId, CancellationToken cancellationToken);

    /// <summary>The version of <paramref name="type"/> with these bytes (DOC-2), if the seller uploaded them before.</summary>
    Task<DocumentVersion?> FindByContentAsync(string sellerId, string type, string sha256, CancellationToken cancellationToken);

    /// <summary>The newest version of <paramref name="type"/>, with the pointer's ETag for <see cref="AddAsync"/>.</summary>
    Task<LatestOfType> LatestOfTypeAsync(string sellerId, string type, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new version if the type's newest version is still the one read
    /// (<paramref name="pointerETag"/>) and no version of the type has the same bytes: returns null.
    /// When another version with the same bytes exists (a racing identical upload), stores nothing
    /// and returns that version. Throws <see cref="Common.ConcurrencyConflictException"/> when a
    /// different version was added meanwhile (read again and retry).
    /// </summary>
    Task<DocumentVersion?> AddAsync(DocumentVersion document, string? pointerETag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the version if it is still at <paramref name="etag"/> (else
    /// <see cref="Common.ConcurrencyConflictException"/>); an approval also moves the type's
    /// "latest approved" row when this version is newer than the one it names.
    /// </summary>
    Task UpdateAsync(DocumentVersion document, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The newest version of each type the seller has uploaded.</summary>
    Task<IReadOnlyList<DocumentVersion>> LatestAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>The latest approved version of each type (one single-partition range read).</summary>
    Task<IReadOnlyList<ApprovedDocument>> LatestApprovedAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>The latest approved version of <paramref name="type"/>, or null (one point read: the compliance sweep's per-entry check).</summary>
    Task<ApprovedDocument?> LatestApprovedOfTypeAsync(string sellerId, string type, CancellationToken cancellationToken);
}

/// <summary>A read-only download link (DOC-4).</summary>
public sealed record DownloadLink(Uri Url, DateTimeOffset ExpiresOn);

/// <summary>The documents' bytes (Blob Storage). Uploads are staged by the HTTP adapter while it streams.</summary>
public interface IDocumentFiles
{
    /// <summary>Makes staged bytes (<paramref name="length"/> bytes under <paramref name="blobName"/>) a stored file.</summary>
    Task KeepAsync(string blobName, long length, FileKind kind, CancellationToken cancellationToken);

    /// <summary>Removes whatever was staged or kept under <paramref name="blobName"/>; no error when there is nothing.</summary>
    Task DiscardAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>A read-only link to the file, valid for the configured lifetime (at most 15 minutes).</summary>
    Task<DownloadLink> LinkAsync(string blobName, string downloadName, CancellationToken cancellationToken);
}

/// <summary>Automatic validations wait here (a queue): one message per document version.</summary>
public interface IDocumentValidationQueue
{
    Task EnqueueAsync(string sellerId, string documentId, CancellationToken cancellationToken);
}

/// <summary>The document events (issue 9).</summary>
public static class DocumentEventTypes
{
    public const string Received = "hub.document.received";
    public const string Validated = "hub.document.validated";
    public const string Rejected = "hub.document.rejected";
    public const string Approved = "hub.document.approved";
}
