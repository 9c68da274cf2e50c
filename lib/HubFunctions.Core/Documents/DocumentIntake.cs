using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Documents;

/// <summary>The file part of an upload as the HTTP adapter streamed it into staging (DOC-2).</summary>
/// <param name="BlobName">Where the bytes were staged (from <see cref="DocumentIntake.NewBlobName"/>).</param>
/// <param name="Length">Bytes read; when <paramref name="TooLarge"/>, reading stopped past the limit.</param>
/// <param name="TooLarge">More than <see cref="FileKinds.MaxBytes"/>.</param>
/// <param name="Kind">The kind by magic bytes, or null when not a PDF, JPEG or PNG.</param>
/// <param name="DeclaredType">The kind the part's Content-Type names, if any.</param>
/// <param name="DeclaredByName">The kind the file name's extension names, if any.</param>
/// <param name="FileName">The uploaded file name, if any.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the bytes (of those read, when too large or refused).</param>
public sealed record UploadedFile(string BlobName, long Length, bool TooLarge, FileKind? Kind, FileKind? DeclaredType, FileKind? DeclaredByName, string? FileName, string Sha256);

/// <summary>An upload as read from the request: its fields, its file (if exactly one came), and form errors (missing or repeated parts).</summary>
public sealed record DocumentUpload(DocumentSubmission Fields, UploadedFile? File, IReadOnlyList<FieldError> FormErrors);

/// <summary>How an upload ended: exactly one of the members is set.</summary>
/// <param name="Created">A new version (201).</param>
/// <param name="Existing">The same bytes were uploaded before for this seller and type (200, DOC-2).</param>
/// <param name="Errors">Refused (422), nothing stored.</param>
public sealed record IntakeOutcome(DocumentVersion? Created, DocumentVersion? Existing, IReadOnlyList<FieldError> Errors);

/// <summary>
/// Upload (DOC-2): checks the fields and the file (every error at once), answers an identical
/// upload with the stored version, otherwise keeps the staged bytes, stores the version with
/// <c>hub.document.received</c> and queues its automatic validation. Whatever is refused or fails
/// leaves no file behind: the staged bytes are discarded, and a kept file whose row was definitely
/// not committed (refused, a conflict, a failure before the commit) is deleted. When the commit
/// failed without an answer (it may be stored), the file is left for the row that may name it.
/// Before the file is kept, a <see cref="PendingFile"/> marker names it and the version it is for
/// (written while the DOC-2 lookup runs): should the process die between the blob commit and the row
/// commit, <see cref="OrphanFileSweep"/> finds the marker after the grace period and deletes the blob.
/// </summary>
public sealed class DocumentIntake(IDocumentRepository documents, IDocumentFiles files, IPendingFiles pending, IDocumentValidationQueue validation, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    /// <summary>A random blob name (derived from the request, so a retried request reuses it). Drawn before the document id.</summary>
    public string NewBlobName() => ids.NewId("blob").ToLowerInvariant();

    public async Task<IntakeOutcome> ReceiveAsync(string sellerId, DocumentUpload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var receivedAt = clock.GetUtcNow();
        var (facts, fieldErrors) = DocumentRules.CheckSubmission(upload.Fields, receivedAt);
        var errors = upload.FormErrors.Concat(fieldErrors).Concat(FileErrors(upload.File)).ToList();
        if (errors.Count > 0 || facts is null || upload.File is not { Kind: { } kind } file)
        {
            if (upload.File is { } staged)
            {
                await files.DiscardAsync(staged.BlobName, CancellationToken.None).ConfigureAwait(false);
            }

            return new IntakeOutcome(null, null, errors);
        }

        var documentId = ids.NewId("DOC");
        var marking = pending.RecordAsync(new PendingFile(file.BlobName, sellerId, documentId, receivedAt), cancellationToken);
        DocumentVersion? existing;
        try
        {
            existing = await documents.FindByContentAsync(sellerId, facts.Type, file.Sha256, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await marking.ConfigureAwait(false);
        }

        if (existing is not null && existing.DocumentId != documentId)
        {
            await files.DiscardAsync(file.BlobName, CancellationToken.None).ConfigureAwait(false);
            return new IntakeOutcome(null, existing, []);
        }

        await files.KeepAsync(file.BlobName, file.Length, kind, cancellationToken).ConfigureAwait(false);
        DocumentVersion stored;
        DocumentVersion? duplicate;
        var commitInDoubt = false;
        try
        {
            (stored, duplicate) = await retry.RunAsync(async (_, ct) =>
            {
                var latest = await documents.LatestOfTypeAsync(sellerId, facts.Type, ct).ConfigureAwait(false);
                var document = new DocumentVersion
                {
                    DocumentId = documentId,
                    SellerId = sellerId,
                    Version = (latest.Document?.Version ?? 0) + 1,
                    Facts = facts,
                    File = new StoredFile(file.BlobName, kind, file.Length, file.Sha256, file.FileName),
                    ReceivedAt = receivedAt,
                };
                var received = HubEvent.Create(DocumentEventTypes.Received, Subject(document), new
                {
                    documentId,
                    sellerId,
                    type = facts.Type,
                    version = document.Version,
                    sha256 = file.Sha256,
                }, clock, ids, sellerId);
                commitInDoubt = true;
                DocumentVersion? found;
                try
                {
                    found = await documents.AddAsync(document, latest.PointerETag, [received], ct).ConfigureAwait(false);
                }
                catch (ConcurrencyConflictException)
                {
                    commitInDoubt = false; // a genuine conflict: this attempt stored nothing
                    throw;
                }

                commitInDoubt = false;
                return (document, found);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch when (!commitInDoubt)
        {
            // Only when no commit may have landed: a commit that failed without an answer may be
            // stored, and its row names this file; the sender's retry (same webhook-id, same ids)
            // finds that row and keeps the file.

            await files.DiscardAsync(file.BlobName, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        if (duplicate is not null)
        {
            await files.DiscardAsync(file.BlobName, CancellationToken.None).ConfigureAwait(false);
            return new IntakeOutcome(null, duplicate, []);
        }

        // Validation runs from the queue. A crash before this line leaves the version received
        // until the sender retries the request (same ids: it meets its own commit and queues it).
        await validation.EnqueueAsync(sellerId, documentId, cancellationToken).ConfigureAwait(false);
        return new IntakeOutcome(stored, null, []);
    }

    public static string Subject(DocumentVersion document) => $"sellers/{document.SellerId}/documents/{document.DocumentId}";

    /// <summary>DOC-2 for the file part (a missing part is a form error of the adapter's).</summary>
    public static IEnumerable<FieldError> FileErrors(UploadedFile? file)
    {
        if (file is null)
        {
            yield break;
        }

        if (file.FileName is { } name && FileKinds.FileNameProblem(name) is { } problem)
        {
            yield return new FieldError("file", "invalid-file-name", $"The file name is refused: {problem}.");
        }

        if (file.TooLarge)
        {
            yield return new FieldError("file", "DOC-2", $"The file is larger than {FileKinds.MaxBytes:N0} bytes (20 MiB).");
            yield break;
        }

        if (file.Length == 0)
        {
            yield return new FieldError("file", "DOC-2", "The file is empty.");
            yield break;
        }

        if (file.Kind is not { } kind)
        {
            yield return new FieldError("file", "DOC-2", "The file is not a PDF, JPEG or PNG (judged by its first bytes).");
            yield break;
        }

        foreach (var (declared, how) in new[] { (file.DeclaredType, "its Content-Type"), (file.DeclaredByName, "its file name") })
        {
            if (declared is { } d && d != kind)
            {
                yield return new FieldError("file", "DOC-2",
                    $"The file is declared as {FileKinds.ContentType(d)} by {how}, but its bytes are {FileKinds.ContentType(kind)}: declare it as what it is (or as application/octet-stream).");
            }
        }
    }
}
