namespace HubFunctions.Core.Admission;

/// <summary>A seller id's undecided application, if any (the applications store's "open" row).</summary>
public interface IOpenApplications
{
    /// <summary>The open (non-terminal) application of <paramref name="sellerId"/>, or null.</summary>
    Task<SellerApplication?> FindOpenAsync(string sellerId, CancellationToken cancellationToken);
}

/// <summary>What the seller's documents say for pre-review (ADM-9).</summary>
/// <param name="Present">DOC-1 types whose latest version is <c>validated</c> or <c>approved</c>.</param>
/// <param name="Licence">The facts of the latest business licence, when that version is validated or approved.</param>
public sealed record AdmissionDocumentFacts(IReadOnlySet<string> Present, BusinessLicenceFacts? Licence);

/// <summary>The documents port of pre-review: implemented by the Documents capability.</summary>
public interface IAdmissionDocumentSource
{
    Task<AdmissionDocumentFacts> GetAsync(string sellerId, CancellationToken cancellationToken);
}
