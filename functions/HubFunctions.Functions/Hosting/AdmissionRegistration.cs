using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Admission;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

public static class AdmissionRegistration
{
    /// <summary>Seller admission (issue 8): the seller store, the seller access check (SEC-2), application intake and review.</summary>
    public static IServiceCollection AddHubAdmission(this IServiceCollection services)
    {
        services.TryAddSingleton<TableSellerDirectory>();
        services.TryAddSingleton<ISellerDirectory>(sp => sp.GetRequiredService<TableSellerDirectory>());
        services.TryAddSingleton<SellerAccess>();
        services.TryAddSingleton<IApplicationRepository, TableApplicationRepository>();
        services.TryAddSingleton<ApplicationIntake>();
        services.TryAddSingleton<ApplicationReview>();
        return services;
    }
}
