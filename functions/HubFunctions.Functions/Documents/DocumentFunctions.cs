using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Documents;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Documents;

/// <summary>Reading and reviewing documents (DOC-4, DOC-5, CMP-1 renewal dates).</summary>
public sealed class DocumentFunctions(DocumentQueries queries, IDocumentRepository documents, IDocumentFiles files, DocumentReview review)
{
    /// <summary>GET /api/sellers/{sellerId}/documents: the newest version per type with status and renewal date.</summary>
    [Function("ListDocuments")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer)]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/documents")] HttpRequest request, string sellerId, CancellationToken cancellationToken)
        => SellerAccessProblems.ToProblem(await queries.CheckAsync(request.GetCaller(), sellerId, upload: false, cancellationToken)) is { } denied
            ? denied
            : HubResults.Ok(new { sellerId, documents = (await queries.ListAsync(sellerId, cancellationToken)).Select(DocumentView.Entry) });

    /// <summary>GET /api/sellers/{sellerId}/documents/{documentId}: metadata and a read-only download link valid at most 15 minutes (DOC-4).</summary>
    [Function("GetDocument")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/documents/{documentId}")] HttpRequest request,
        string sellerId, string documentId, CancellationToken cancellationToken)
    {
        if (SellerAccessProblems.ToProblem(await queries.CheckAsync(request.GetCaller(), sellerId, upload: false, cancellationToken)) is { } denied)
        {
            return denied;
        }

        if (await documents.GetAsync(sellerId, documentId, cancellationToken) is not { Document: var d })
        {
            return new ProblemResult(Problems.NotFound($"Seller '{sellerId}' has no document '{documentId}'."));
        }

        return HubResults.Ok(DocumentView.Full(d, await files.LinkAsync(d.File.BlobName, DocumentView.DownloadName(d), cancellationToken)));
    }

    /// <summary>POST /api/sellers/{sellerId}/documents/{documentId}/review (reviewer): <c>{ decision: approve/reject, reason }</c> on a validated version (DOC-5).</summary>
    [Function("ReviewDocument")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Review(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sellers/{sellerId}/documents/{documentId}/review")] HttpRequest request,
        string sellerId, string documentId, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<DocumentDecision>(cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await review.ReviewAsync(sellerId, documentId, body.Value!, request.GetCaller().ClientId, cancellationToken);
        return outcome switch
        {
            { NotFound: true } => new ProblemResult(Problems.NotFound($"Seller '{sellerId}' has no document '{documentId}'.")),
            { Errors.Count: > 0 } => new ProblemResult(Problems.Validation(outcome.Errors)),
            { RefusedIn: { } status } => new ProblemResult(Problems.Conflict(TransitionRefusal.ProblemCode,
                $"Document {documentId} is {status.ToWire()}; only a validated document is reviewed (DOC-5).") with
            { Extensions = new() { ["currentStatus"] = status.ToWire() } }),
            _ => HubResults.Ok(DocumentView.Full(outcome.Reviewed!)),
        };
    }
}
