using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

public static class ComplianceRegistration
{
    /// <summary>
    /// Compliance (issue 9, CMP-3/4/6): freeze and unfreeze of sellers with their audit trail, in the
    /// seller store (<see cref="AdmissionRegistration.AddHubAdmission"/> registers the store itself).
    /// </summary>
    public static IServiceCollection AddHubCompliance(this IServiceCollection services)
    {
        services.TryAddSingleton<ISellerComplianceStore, TableSellerComplianceStore>();
        services.TryAddSingleton<SellerCompliance>();
        return services;
    }
}
