using HubFunctions.Core.Admission;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>
/// Settings of the simulated tax authority (<c>Hub:TaxAuthority:Simulated</c>): a rating per USCC
/// (<c>Hub__TaxAuthority__Simulated__Ratings__{uscc}</c> = <c>A</c>..<c>D</c> or <c>unavailable</c>).
/// </summary>
public sealed class SimulatedTaxAuthorityOptions
{
    public const string Section = "Hub:TaxAuthority:Simulated";

    public Dictionary<string, string> Ratings { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A stand-in for the tax authority's credit rating service (ADM-10) for local runs and tests:
/// rating A for every code unless configured otherwise (<c>Hub:TaxAuthority:Mode</c> <c>simulated</c>).
/// The HTTP adapter is <see cref="TaxAuthority.HttpTaxCreditService"/>; to exercise it locally, point it
/// at the simulated authority over HTTP (lib/HubFunctions.Infrastructure/TaxAuthority/README.md).
/// </summary>
public sealed class SimulatedTaxCreditService(IOptionsMonitor<SimulatedTaxAuthorityOptions> options) : ITaxCreditService
{
    public Task<TaxRatingResult> GetRatingAsync(string unifiedSocialCreditCode, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var configured = options.CurrentValue.Ratings.GetValueOrDefault(unifiedSocialCreditCode);
        return Task.FromResult(configured switch
        {
            null => TaxRatingResult.Rated(TaxRating.A),
            "unavailable" => TaxRatingResult.Unavailable("simulated tax authority: configured unavailable"),
            _ when Enum.TryParse<TaxRating>(configured, ignoreCase: false, out var rating) && Enum.IsDefined(rating) => TaxRatingResult.Rated(rating),
            _ => TaxRatingResult.Unavailable($"simulated tax authority: unreadable rating '{configured}'"),
        });
    }
}
