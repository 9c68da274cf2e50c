using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

public static class AdmissionRegistration
{
    /// <summary>
    /// Seller admission (issue 8): the seller store, the seller access check (SEC-2), application
    /// intake, the hourly ADM-7 SLA sweep with its date index, pre-review from its queue (with the simulated tax authority unless another
    /// <see cref="ITaxCreditService"/> is registered first) and the review stages.
    /// </summary>
    public static IServiceCollection AddHubAdmission(this IServiceCollection services)
    {
        // Approved sellers' clients beside the configured ones (replaces the configured-only directory).
        services.TryAddSingleton<ConfiguredClientDirectory>();
        services.TryAddSingleton<StoredClientDirectory>();
        services.TryAddSingleton<ISellerClientStore>(sp => sp.GetRequiredService<StoredClientDirectory>());
        services.Replace(ServiceDescriptor.Singleton<IClientDirectory, CompositeClientDirectory>());
        services.TryAddSingleton<TableSellerDirectory>();
        services.TryAddSingleton<ISellerDirectory>(sp => sp.GetRequiredService<TableSellerDirectory>());
        services.TryAddSingleton<SellerAccess>();
        services.TryAddSingleton<TableHubSellerIdAllocator>();
        services.TryAddSingleton<IHubSellerIdAllocator>(sp => sp.GetRequiredService<TableHubSellerIdAllocator>());
        services.TryAddSingleton<IApplicationRepository, TableApplicationRepository>();
        services.TryAddSingleton<IReviewSlaIndex, TableReviewSlaIndex>();
        services.TryAddSingleton<ReviewSlaSweep>();
        services.TryAddSingleton<IPreReviewQueue, StoragePreReviewQueue>();
        services.AddOptions<SimulatedTaxAuthorityOptions>().BindConfiguration(SimulatedTaxAuthorityOptions.Section);
        services.TryAddSingleton<ITaxCreditService, SimulatedTaxCreditService>();
        services.TryAddSingleton<ApplicationIntake>();
        services.TryAddSingleton<PreReviewHandler>();
        services.TryAddSingleton<ApplicationReview>();
        return services;
    }
}
