using HubFunctions.Core.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Infrastructure.Common;

public static class CommonRegistration
{
    /// <summary>
    /// What every capability and every host needs: the clock, ids derived from the current
    /// <see cref="HubOperation"/> (<see cref="IIdSource"/>), jitter (<see cref="IRandomSource"/>) and the
    /// optimistic-concurrency loop (<see cref="OptimisticRetry"/>).
    /// </summary>
    public static IServiceCollection AddHubCommon(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IIdSource, OperationIdSource>();
        services.TryAddSingleton<IRandomSource, SharedRandomSource>();
        services.TryAddSingleton<OptimisticRetry>();
        return services;
    }
}
