using HubFunctions.Core.Calendar;
using HubFunctions.Core.Labels;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Labels;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

/// <summary>One registration per capability; <see cref="AddHub"/> calls them all.</summary>
public static class HubServiceCollectionExtensions
{
    /// <summary>Everything the functions need; called by the Functions app and the DevHost alike.</summary>
    /// <param name="configuration">Unused: every setting is bound through the options pattern from the host's configuration.</param>
    public static IServiceCollection AddHub(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddHubCommon();
        services.AddHubStorage();
        services.AddHubEvents();
        services.AddHubSecurity();
        services.AddHubCalendar();
        services.AddHubLabels();
        services.AddHubAdmission();
        services.AddHubCompliance();
        services.AddHubDocuments();
        services.AddHubAppointments();
        services.AddHubTaxRecheck();
        services.AddHubBillingDocuments();
        services.AddHubOrders();
        services.AddHubBilling();
        services.AddOptions<Health.HealthOptions>().BindConfiguration(Health.HealthOptions.Section);
        services.TryAddSingleton(_ => FunctionCatalog.ForApp());
        return services;
    }

    /// <summary>Signed clients (<c>Hub:Clients</c>), the <c>webhook-id</c> idempotency store and its purge settings (<c>Hub:Idempotency</c>), and the request pipeline.</summary>
    public static IServiceCollection AddHubSecurity(this IServiceCollection services)
    {
        services.AddOptions<HubClientsOptions>().BindConfiguration(HubClientsOptions.Section);
        services.AddOptions<IdempotencyPurgeOptions>().BindConfiguration(IdempotencyPurgeOptions.Section)
            .Validate(o => o.Problems().Count == 0, "Hub:Idempotency settings are not usable (see IdempotencyPurgeOptions.Problems).")
            .ValidateOnStart();
        services.TryAddSingleton<IClientDirectory, ConfiguredClientDirectory>();
        services.TryAddSingleton<TableIdempotencyStore>();
        services.TryAddSingleton<HubHttpPipeline>();
        return services;
    }

    /// <summary>ADM-6: the mainland China working-day calendar.</summary>
    public static IServiceCollection AddHubCalendar(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => ChinaWorkingCalendar.Default);
        return services;
    }

    /// <summary>LBL-1..5: label validation, receipts (stock serials) and inspections.</summary>
    public static IServiceCollection AddHubLabels(this IServiceCollection services)
    {
        services.TryAddSingleton<LabelValidator>();
        services.TryAddSingleton<IStockLabelRepository, TableStockLabelRepository>();
        services.TryAddSingleton<LabelReceiptHandler>();
        services.TryAddSingleton<IInspectionRepository, TableInspectionRepository>();
        services.TryAddSingleton<InspectionHandler>();
        return services;
    }
}
