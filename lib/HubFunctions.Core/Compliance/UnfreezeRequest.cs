using HubFunctions.Core.Admission;
using HubFunctions.Core.Documents;

namespace HubFunctions.Core.Compliance;

/// <summary>
/// <c>POST /api/sellers/{sellerId}/unfreeze</c> (CMP-4): gathers the evidence (the latest approved
/// version of each document type from the document store, the seller's latest tax rating) and asks
/// <see cref="SellerCompliance.UnfreezeAsync"/> with the reviewer as actor.
/// </summary>
public sealed class UnfreezeRequest(SellerCompliance compliance, IDocumentRepository documents, ISellerDirectory sellers)
{
    public async Task<UnfreezeResult> UnfreezeAsync(string sellerId, string reviewerClientId, CancellationToken cancellationToken)
    {
        var seller = await sellers.FindAsync(sellerId, cancellationToken).ConfigureAwait(false);
        if (seller is null)
        {
            return new UnfreezeResult(UnfreezeOutcome.UnknownSeller, null, null, null);
        }

        var approved = await documents.LatestApprovedAsync(sellerId, cancellationToken).ConfigureAwait(false);
        var evidence = new UnfreezeEvidence(approved.ToDictionary(a => a.Type, a => a.ApprovedAt, StringComparer.Ordinal), seller.TaxRating);
        return await compliance.UnfreezeAsync(sellerId, ComplianceActor.Reviewer(reviewerClientId), evidence, cancellationToken).ConfigureAwait(false);
    }
}
