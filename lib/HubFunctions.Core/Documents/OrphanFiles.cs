namespace HubFunctions.Core.Documents;

/// <summary>
/// A file about to be kept (its blob committed) for the version <paramref name="DocumentId"/> of
/// <paramref name="SellerId"/>: recorded before the blob commit, so that a crash between the blob
/// commit and the row commit leaves a marker that names the blob.
/// </summary>
public sealed record PendingFile(string BlobName, string SellerId, string DocumentId, DateTimeOffset CreatedAt);

/// <summary>The pending-file markers, keyed by when they were written, so a sweep reads only the old ones.</summary>
public interface IPendingFiles
{
    /// <summary>Records the marker (an idempotent upsert: a retried request writes the same marker again).</summary>
    Task RecordAsync(PendingFile file, CancellationToken cancellationToken);

    /// <summary>The markers written at or before <paramref name="cutoff"/> (at most <paramref name="max"/>), oldest first.</summary>
    Task<IReadOnlyList<PendingFile>> OlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken);

    /// <summary>Removes the marker; no error when it is gone.</summary>
    Task RemoveAsync(PendingFile file, CancellationToken cancellationToken);
}

/// <summary>What one orphan sweep did.</summary>
/// <param name="Checked">Markers older than the grace period that were resolved.</param>
/// <param name="Deleted">Blobs deleted because no document row names them.</param>
/// <param name="Kept">Blobs whose document row exists (the marker only was removed).</param>
public sealed record OrphanSweepReport(int Checked, int Deleted, int Kept);

/// <summary>
/// The orphan-file sweep (DOC-2 "a failed upload leaves no blob behind", for a crash between the
/// blob commit and the row commit). <see cref="DocumentIntake"/> records a <see cref="PendingFile"/>
/// before it commits a blob; nothing removes it on the upload path (one write per upload, no more).
/// The sweep reads only the markers older than the grace period, never the container: for each, the
/// version row it names decides: when the row exists and names the blob, the blob is a document and
/// stays; otherwise (a crash, a refused or duplicate upload whose blob was already discarded) the blob
/// is deleted if it exists. Then the marker goes. A marker is resolved the same way however often it
/// is read, so overlapping or repeated runs are safe.
/// </summary>
public sealed class OrphanFileSweep(IPendingFiles pending, IDocumentRepository documents, IDocumentFiles files, TimeProvider clock)
{
    /// <summary>Markers resolved per page (the sweep reads pages until none is left).</summary>
    public const int PageSize = 100;

    public async Task<OrphanSweepReport> RunAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (grace < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(grace), "The grace period cannot be negative.");
        }

        var cutoff = clock.GetUtcNow() - grace;
        int deleted = 0, kept = 0;
        while (true)
        {
            var page = await pending.OlderThanAsync(cutoff, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            foreach (var marker in page)
            {
                var stored = await documents.GetAsync(marker.SellerId, marker.DocumentId, cancellationToken).ConfigureAwait(false);
                if (stored?.Document.File.BlobName == marker.BlobName)
                {
                    kept++;
                }
                else
                {
                    await files.DiscardAsync(marker.BlobName, cancellationToken).ConfigureAwait(false);
                    deleted++;
                }

                await pending.RemoveAsync(marker, cancellationToken).ConfigureAwait(false);
            }
        }

        return new OrphanSweepReport(deleted + kept, deleted, kept);
    }
}
