using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

public static class ComplianceRegistration
{
    /// <summary>
    /// Compliance (issue 9, CMP-1..4, CMP-6): freeze and unfreeze of sellers with their audit trail, the renewal index and its daily sweep, the unfreeze request, in the
    /// seller store (<see cref="AdmissionRegistration.AddHubAdmission"/> registers the store itself).
    /// </summary>
    public static IServiceCollection AddHubCompliance(this IServiceCollection services)
    {
        services.TryAddSingleton<ISellerComplianceStore, TableSellerComplianceStore>();
        services.TryAddSingleton<SellerCompliance>();
        services.TryAddSingleton<IRenewalIndex, TableRenewalIndex>();
        services.TryAddSingleton<RenewalSweep>();
        services.TryAddSingleton<UnfreezeRequest>();
        return services;
    }
}
