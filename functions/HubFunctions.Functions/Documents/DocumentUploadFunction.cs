using HubFunctions.Core.Access;
using HubFunctions.Core.Documents;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Documents;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Documents;

/// <summary>Document upload (DOC-2, API.md "Documents and sellers").</summary>
public sealed class DocumentUploadFunction(DocumentQueries access, MultipartDocumentReader reader, DocumentIntake intake, IDocumentFiles files)
{
    /// <summary>The file (20 MiB) plus room for the other parts and the multipart framing.</summary>
    public const long MaxBody = FileKinds.MaxBytes + (64 * 1024);

    /// <summary>
    /// POST /api/sellers/{sellerId}/documents (platform, seller): 201 new version, 200 the stored
    /// version for identical bytes, 415 not multipart/form-data, 422 every field and file error.
    /// </summary>
    [Function("UploadDocument")]
    [AllowRoles(HubRole.Platform, HubRole.Seller)]
    [MaxRequestBody(MaxBody)]
    [StreamedBody]
    public async Task<IActionResult> Upload(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sellers/{sellerId}/documents")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        if (SellerAccessProblems.ToProblem(await access.CheckAsync(request.GetCaller(), sellerId, upload: true, cancellationToken)) is { } denied)
        {
            return denied;
        }

        if (MultipartDocumentReader.Boundary(request.ContentType) is not { } boundary)
        {
            return new ProblemResult(new Problem(415, ProblemCodes.UnsupportedMediaType, Problems.TitleFor(415),
                "Send the document as multipart/form-data with a boundary (parts: file, type, issuedOn, documentNumber, sealed, brand, entityName)."));
        }

        var blobName = intake.NewBlobName();
        DocumentUpload upload;
        try
        {
            upload = await reader.ReadAsync(request.Body, boundary, blobName, cancellationToken);
        }
        catch
        {
            await files.DiscardAsync(blobName, CancellationToken.None);
            throw;
        }

        var outcome = await intake.ReceiveAsync(sellerId, upload, cancellationToken);
        return outcome switch
        {
            { Created: { } created } => HubResults.Created(DocumentView.Receipt(created), $"/api/sellers/{sellerId}/documents/{created.DocumentId}"),
            { Existing: { } existing } => HubResults.Ok(DocumentView.Receipt(existing)),
            _ => new ProblemResult(Problems.Validation(outcome.Errors)),
        };
    }
}
