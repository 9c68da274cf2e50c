namespace HubFunctions.Core.Admission;

/// <summary>
/// The documents pre-review requires (ADM-9), by their DOC-1 type names. Which documents count as
/// present (latest version <c>validated</c> or <c>approved</c>, DOC-5; a customs declaration of the
/// last 3 months bearing the seal, DOC-3) is the Documents capability's judgement; pre-review takes
/// the set of present types as input.
/// </summary>
public static class AdmissionDocuments
{
    public const string BusinessLicence = "business-licence";
    public const string CustomsDeclaration = "customs-declaration";
    public const string VatInvoice = "vat-invoice";
    public const string BrandAuthorization = "brand-authorization";
    public const string WmsIntegrationPlan = "wms-integration-plan";
    public const string ApiSecurityCommitment = "api-security-commitment";
    public const string Iso14001Certificate = "iso14001-certificate";

    /// <summary>
    /// The DOC-1 types an application needs before it can pass pre-review (ADM-9):
    /// <list type="bullet">
    /// <item>every applicant: business licence, customs export declaration, WMS integration technical
    /// plan, API security commitment letter;</item>
    /// <item>manufacturers also: VAT invoices;</item>
    /// <item>a brand authorisation letter unless the applicant stated it owns its brand
    /// (<paramref name="ownBrand"/> true). Defined here: an applicant that did not say (null) is
    /// treated as not owning it, so the letter is required;</item>
    /// <item>an ISO 14001 certificate when the green channel was claimed (<paramref name="iso14001"/>
    /// true). Defined here: ADM-9 calls it optional, and it is, unless the applicant claims the
    /// 7-day channel on the strength of it.</item>
    /// </list>
    /// Returned in this order, without duplicates.
    /// </summary>
    public static IReadOnlyList<string> Required(string category, bool? ownBrand, bool? iso14001)
    {
        var required = new List<string> { BusinessLicence, CustomsDeclaration };
        if (category == SellerCategories.Manufacturer)
        {
            required.Add(VatInvoice);
        }

        if (ownBrand is not true)
        {
            required.Add(BrandAuthorization);
        }

        required.Add(WmsIntegrationPlan);
        required.Add(ApiSecurityCommitment);
        if (iso14001 is true)
        {
            required.Add(Iso14001Certificate);
        }

        return required;
    }
}
