using Azure;
using Azure.Storage.Blobs.Models;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Billing documents in the container <see cref="StorageNames.BillingDocumentsContainer"/>, insert-only: a
/// document is written once (<c>If-None-Match: *</c>) and never overwritten, so the stored bytes are the
/// document of record; a request that loses a race reads the winner's bytes.
/// </summary>
public sealed class BlobBillingDocumentFiles(HubStorage storage) : IBillingDocumentFiles
{
    public async Task<byte[]?> FindAsync(string name, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.BillingDocumentsContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await container.GetBlobClient(name).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task<byte[]> KeepAsync(string name, byte[] content, string contentType, CancellationToken cancellationToken)
    {
        var container = await storage.ContainerAsync(storage.Names.BillingDocumentsContainer, cancellationToken).ConfigureAwait(false);
        try
        {
            await container.GetBlobClient(name).UploadAsync(new BinaryData(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
            return content;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Stored already: by a concurrent request, or by this one when the SDK re-sent an upload whose answer was lost.
            return await FindAsync(name, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Billing document {name} was reported as existing but cannot be read.", e);
        }
    }
}
