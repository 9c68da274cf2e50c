using HubFunctions.Core.Documents;

namespace HubFunctions.Functions.Documents;

/// <summary>The JSON shapes of documents.</summary>
public static class DocumentView
{
    /// <summary>The upload answer (API.md: documentId, status, sha256), the same for a repeated upload of the same bytes.</summary>
    public static object Receipt(DocumentVersion d) => new
    {
        documentId = d.DocumentId,
        status = d.Status.ToWire(),
        sha256 = d.File.Sha256,
        type = d.Type,
        version = d.Version,
    };

    public static object Full(DocumentVersion d, DownloadLink? link = null) => new
    {
        documentId = d.DocumentId,
        sellerId = d.SellerId,
        type = d.Type,
        version = d.Version,
        status = d.Status.ToWire(),
        reasons = d.Reasons.Select(r => new { code = r.Code, message = r.Message }),
        issuedOn = d.Facts.IssuedOn,
        documentNumber = d.Facts.DocumentNumber,
        @sealed = d.Facts.Sealed,
        brand = d.Facts.Brand,
        entityName = d.Facts.EntityName,
        contentType = FileKinds.ContentType(d.File.Kind),
        length = d.File.Length,
        sha256 = d.File.Sha256,
        fileName = d.File.FileName,
        receivedAt = d.ReceivedAt,
        validatedAt = d.ValidatedAt,
        reviewedBy = d.ReviewedBy,
        reviewedAt = d.ReviewedAt,
        downloadUrl = link?.Url.ToString(),
        downloadUrlExpiresAt = link?.ExpiresOn,
    };

    public static object Entry(DocumentListEntry e) => new
    {
        type = e.Latest.Type,
        documentId = e.Latest.DocumentId,
        version = e.Latest.Version,
        status = e.Latest.Status.ToWire(),
        reasons = e.Latest.Reasons.Select(r => new { code = r.Code, message = r.Message }),
        receivedAt = e.Latest.ReceivedAt,
        approvedDocumentId = e.LatestApproved?.DocumentId,
        approvedOn = e.LatestApproved?.ApprovedOn,
        renewalDueOn = e.RenewalDueOn,
    };

    public static string DownloadName(DocumentVersion d) => $"{d.Type}-v{d.Version}{d.File.Kind switch { FileKind.Pdf => ".pdf", FileKind.Png => ".png", _ => ".jpg" }}";
}
