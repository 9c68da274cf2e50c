using HubFunctions.Core.Admission;

namespace HubFunctions.Core.Documents;

/// <summary>The DOC-1 document types (the names are <see cref="AdmissionDocuments"/>'s).</summary>
public static class DocumentTypes
{
    /// <summary>Every DOC-1 type, in the order of DOMAIN.md.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        AdmissionDocuments.BusinessLicence,
        AdmissionDocuments.CustomsDeclaration,
        AdmissionDocuments.VatInvoice,
        AdmissionDocuments.BrandAuthorization,
        AdmissionDocuments.WmsIntegrationPlan,
        AdmissionDocuments.ApiSecurityCommitment,
        AdmissionDocuments.Iso14001Certificate,
    ];

    /// <summary>The types CMP-1 watches: they need renewal 12 calendar months after their latest approved version.</summary>
    public static readonly IReadOnlyList<string> Renewable = [AdmissionDocuments.BrandAuthorization, AdmissionDocuments.CustomsDeclaration];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type, StringComparer.Ordinal);

    /// <summary>
    /// The day by which a renewable document needs a new approved version (CMP-1): 12 calendar months
    /// after the approval date of its latest approved version (Asia/Shanghai). On that day the seller
    /// is still current; from the next day it is "older than 12 calendar months". Null for a type
    /// that needs no renewal. A 29 February approval is due on 28 February of the next year.
    /// </summary>
    public static DateOnly? RenewalDueOn(string type, DateOnly approvedOn)
        => Renewable.Contains(type, StringComparer.Ordinal) ? approvedOn.AddMonths(12) : null;
}
