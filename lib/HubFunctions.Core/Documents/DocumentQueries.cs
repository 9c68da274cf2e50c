using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Documents;

/// <summary>One row of a seller's document list: the newest version of a type, and when the type needs renewal.</summary>
/// <param name="Latest">The newest version (any status).</param>
/// <param name="LatestApproved">The newest approved version, if any.</param>
/// <param name="RenewalDueOn">CMP-1: 12 calendar months after <paramref name="LatestApproved"/>'s approval, for the renewable types.</param>
public sealed record DocumentListEntry(DocumentVersion Latest, ApprovedDocument? LatestApproved, DateOnly? RenewalDueOn);

/// <summary>
/// Who may see and add a seller's documents, and the per-type list. Access: a seller in the
/// seller store through <see cref="SellerAccess"/> (SEC-2); for an applicant (a seller id with an
/// open application and no seller yet) only the platform may upload and only reviewers may read.
/// </summary>
public sealed class DocumentQueries(SellerAccess sellers, IOpenApplications applications, IDocumentRepository documents)
{
    /// <summary>Allowed (with the seller, or without one for an applicant), or why not.</summary>
    public async Task<SellerAccessResult> CheckAsync(HubCaller caller, string sellerId, bool upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var result = await sellers.CheckAsync(caller, sellerId, hub: null, cancellationToken).ConfigureAwait(false);
        var applicantRole = upload ? HubRole.Platform : HubRole.Reviewer;
        if (result.Denial == SellerAccessDenial.NotFound && caller.Role == applicantRole && Ids.IsKeySafe(sellerId)
            && await applications.FindOpenAsync(sellerId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return new SellerAccessResult(null, SellerAccessDenial.None, null);
        }

        return result;
    }

    /// <summary>The newest version of each type, in DOC-1 order, with renewal dates.</summary>
    public async Task<IReadOnlyList<DocumentListEntry>> ListAsync(string sellerId, CancellationToken cancellationToken)
    {
        var latest = await documents.LatestAsync(sellerId, cancellationToken).ConfigureAwait(false);
        var approved = (await documents.LatestApprovedAsync(sellerId, cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.Type, StringComparer.Ordinal);
        return [.. latest
            .OrderBy(d => DocumentTypes.All.ToList().IndexOf(d.Type))
            .Select(d =>
            {
                var a = approved.GetValueOrDefault(d.Type);
                return new DocumentListEntry(d, a, a is null ? null : DocumentTypes.RenewalDueOn(d.Type, a.ApprovedOn));
            })];
    }
}

/// <summary>
/// Pre-review's documents (ADM-9): the DOC-1 types whose newest version is <c>validated</c> or
/// <c>approved</c>, and the licence's facts from the newest licence when it counts.
/// </summary>
public sealed class DocumentAdmissionFacts(IDocumentRepository documents) : IAdmissionDocumentSource
{
    public async Task<AdmissionDocumentFacts> GetAsync(string sellerId, CancellationToken cancellationToken)
    {
        var present = (await documents.LatestAsync(sellerId, cancellationToken).ConfigureAwait(false))
            .Where(d => d.Status is DocumentStatus.Validated or DocumentStatus.Approved)
            .ToList();
        var licence = present.FirstOrDefault(d => d.Type == AdmissionDocuments.BusinessLicence);
        return new AdmissionDocumentFacts(
            present.Select(d => d.Type).ToHashSet(StringComparer.Ordinal),
            licence is { Facts: { EntityName: { } name, DocumentNumber: { } uscc } } ? new BusinessLicenceFacts(name, uscc) : null);
    }
}
