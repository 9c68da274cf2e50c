using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class TaxRecheckRegistration
{
    /// <summary>Settings of the CMP-5 re-check (<c>Hub:TaxAuthority:Recheck</c>: <c>PageSize</c>, <c>RetryDelay</c>).</summary>
    public const string Section = "Hub:TaxAuthority:Recheck";

    /// <summary>CMP-5: the monthly tax rating re-check (timer, fan-out queue, per-seller check, freeze on a drop).</summary>
    public static IServiceCollection AddHubTaxRecheck(this IServiceCollection services)
    {
        services.AddOptions<TaxRecheckSettings>().BindConfiguration(Section)
            .Validate(s => s.PageSize is >= 1 and <= 1000 && s.RetryDelay >= TimeSpan.Zero && s.RetryDelay <= TimeSpan.FromDays(7),
                $"{Section}: PageSize must be 1..1000 and RetryDelay 0..7 days (a queue message's longest delay).")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<TaxRecheckSettings>>().Value);
        services.TryAddSingleton<ISellerTaxRatings, TableSellerTaxRatings>();
        services.TryAddSingleton<ITaxRecheckQueue, StorageTaxRecheckQueue>();
        services.TryAddSingleton<ITaxRatingFreeze, ComplianceTaxRatingFreeze>();
        services.TryAddSingleton<TaxRecheckHandler>();
        return services;
    }
}

