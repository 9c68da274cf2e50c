using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Documents;

/// <summary>Document settings (<c>Hub:Documents</c>).</summary>
public sealed class DocumentsOptions
{
    public const string Section = "Hub:Documents";

    /// <summary>DOC-4: longest validity of a download link.</summary>
    public static readonly TimeSpan MaxLinkLifetime = TimeSpan.FromMinutes(15);

    /// <summary>How long a download link is valid (default and maximum 15 minutes).</summary>
    public TimeSpan DownloadLinkLifetime { get; set; } = MaxLinkLifetime;

    /// <summary>
    /// How old a pending-file marker must be before the orphan sweep resolves it (default 1 hour):
    /// far longer than the few storage calls between the marker and the document's row commit.
    /// </summary>
    public TimeSpan OrphanGracePeriod { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Document files in the documents container (<see cref="StorageNames.DocumentsContainer"/>) as block
/// blobs under random names. An upload is staged as uncommitted blocks of <see cref="BlockSize"/>
/// while it streams (no blob exists yet; nothing is listed); <see cref="KeepAsync"/> commits the
/// block list once the bytes are complete and valid; <see cref="DiscardAsync"/> drops staged blocks
/// (by committing an empty list) and deletes the blob. Download links are read-only SAS URLs: signed
/// with the account key when the client has one (Azurite, connection strings), else with a
/// user-delegation key (managed identity in Azure).
/// </summary>
public sealed class BlobDocumentFiles(HubStorage storage, IOptions<DocumentsOptions> options, TimeProvider clock) : IDocumentFiles
{
    /// <summary>Bytes per staged block: the most an upload holds in memory at once.</summary>
    public const int BlockSize = 1024 * 1024;

    public static string BlockId(int index) => Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{index:D6}"));

    /// <summary>Stages block <paramref name="index"/> from the first <paramref name="count"/> bytes of <paramref name="buffer"/>.</summary>
    public async Task StageAsync(string blobName, int index, byte[] buffer, int count, CancellationToken cancellationToken)
    {
        var blob = await Blob(blobName, cancellationToken).ConfigureAwait(false);
        using var content = new MemoryStream(buffer, 0, count, writable: false);
        await blob.StageBlockAsync(BlockId(index), content, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task KeepAsync(string blobName, long length, FileKind kind, CancellationToken cancellationToken)
    {
        var blocks = (int)((length + BlockSize - 1) / BlockSize);
        var blob = await Blob(blobName, cancellationToken).ConfigureAwait(false);
        await blob.CommitBlockListAsync(Enumerable.Range(0, blocks).Select(BlockId), new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = FileKinds.ContentType(kind) },
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DiscardAsync(string blobName, CancellationToken cancellationToken)
    {
        var blob = await Blob(blobName, cancellationToken).ConfigureAwait(false);
        await blob.CommitBlockListAsync([], cancellationToken: cancellationToken).ConfigureAwait(false);
        await blob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<DownloadLink> LinkAsync(string blobName, string downloadName, CancellationToken cancellationToken)
    {
        var lifetime = options.Value.DownloadLinkLifetime;
        var expiresOn = clock.GetUtcNow() + (lifetime > TimeSpan.Zero && lifetime <= DocumentsOptions.MaxLinkLifetime ? lifetime : DocumentsOptions.MaxLinkLifetime);
        var blob = await Blob(blobName, cancellationToken).ConfigureAwait(false);
        var sas = new BlobSasBuilder(BlobSasPermissions.Read, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            ContentDisposition = $"attachment; filename=\"{downloadName}\"",
        };
        if (blob.CanGenerateSasUri)
        {
            return new DownloadLink(blob.GenerateSasUri(sas), expiresOn);
        }

        var key = await storage.BlobService.GetUserDelegationKeyAsync(null, expiresOn, cancellationToken).ConfigureAwait(false);
        var uri = new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key.Value, storage.BlobService.AccountName) };
        return new DownloadLink(uri.ToUri(), expiresOn);
    }

    private async Task<BlockBlobClient> Blob(string blobName, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.DocumentsContainer, cancellationToken).ConfigureAwait(false);
        return container.GetBlockBlobClient(blobName);
    }
}
