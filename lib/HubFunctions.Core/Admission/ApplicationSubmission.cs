namespace HubFunctions.Core.Admission;

/// <summary>
/// An application as the platform submits it (<c>POST /api/applications</c>, API.md "Admission").
/// Every member is nullable because the body may omit it; <see cref="ApplicationRules.Validate"/> says
/// which are required.
/// </summary>
/// <param name="SellerId">The platform's seller id (key-safe, see <see cref="Common.Identifiers"/>).</param>
/// <param name="StoreName">The AliExpress store's name.</param>
/// <param name="EntityName">The registered entity name; must equal the business licence's (ADM-9).</param>
/// <param name="Category">One of <see cref="SellerCategories"/> (ADM-1).</param>
/// <param name="UnifiedSocialCreditCode">The entity's USCC (ADM-11).</param>
/// <param name="Hub">The hub applied for: <c>hangzhou</c>, <c>dongguan</c>, <c>tianjin</c> or <c>xian</c>.</param>
/// <param name="AnnualExportCny">Annual export value in CNY (manufacturers, ADM-2).</param>
/// <param name="OwnBrand">The applicant owns its brand (brand traders, ADM-3; decides whether a brand authorisation letter is required, ADM-9).</param>
/// <param name="BrandAuthorizationCertified">Holds AliExpress Brand Authorization certification (brand traders, ADM-3).</param>
/// <param name="CainiaoWms">Already connected to Cainiao WMS (WMS providers, ADM-4).</param>
/// <param name="MonthlyFulfilmentRates">Fulfilment-compliance rate per calendar month (WMS providers, ADM-4).</param>
/// <param name="Iso14001">Claims a valid ISO 14001 certificate: the 7-working-day green channel (ADM-6).</param>
public sealed record ApplicationSubmission(
    string? SellerId,
    string? StoreName,
    string? EntityName,
    string? Category,
    string? UnifiedSocialCreditCode,
    string? Hub,
    decimal? AnnualExportCny = null,
    bool? OwnBrand = null,
    bool? BrandAuthorizationCertified = null,
    bool? CainiaoWms = null,
    IReadOnlyList<MonthlyFulfilmentRate?>? MonthlyFulfilmentRates = null,
    bool? Iso14001 = null);

/// <summary>One month's fulfilment-compliance rate, a fraction in 0..1 (0.985 = 98.5 %).</summary>
/// <param name="Month"><c>YYYY-MM</c>.</param>
/// <param name="Rate">The rate as a fraction; compared exactly as <see cref="decimal"/>.</param>
public sealed record MonthlyFulfilmentRate(string? Month, decimal? Rate);

/// <summary>The three categories that may apply (ADM-1).</summary>
public static class SellerCategories
{
    /// <summary>Production enterprise (生产型企业), ADM-2.</summary>
    public const string Manufacturer = "manufacturer";

    /// <summary>Trading company with its own brand, ADM-3.</summary>
    public const string BrandTrader = "brand-trader";

    /// <summary>Head service provider already on Cainiao WMS, ADM-4.</summary>
    public const string WmsProvider = "wms-provider";

    public static readonly IReadOnlyList<string> All = [Manufacturer, BrandTrader, WmsProvider];

    public static bool Exists(string? category) => category is not null && All.Contains(category, StringComparer.Ordinal);
}
