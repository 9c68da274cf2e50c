using HubFunctions.Core.Calendar;
using HubFunctions.Core.Labels;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Labels;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Functions.Hosting;

public static class HubServiceCollectionExtensions
{
    /// <summary>Everything the functions need; called by the Functions app and the DevHost alike.</summary>
    public static IServiceCollection AddHub(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddHubStorage();
        services.AddHubEvents();
        services.Configure<HubClientsOptions>(configuration.GetSection("Hub"));
        services.TryAddSingleton<IClientDirectory, ConfiguredClientDirectory>();
        services.TryAddSingleton<TableIdempotencyStore>();
        services.TryAddSingleton(_ => ChinaWorkingCalendar.Default);
        services.TryAddSingleton(_ => FunctionCatalog.ForApp());
        services.TryAddSingleton<HubHttpPipeline>();
        services.TryAddSingleton<LabelValidator>();
        services.TryAddSingleton<IStockLabelRepository, TableStockLabelRepository>();
        services.TryAddSingleton<LabelReceiptHandler>();
        services.TryAddSingleton<IInspectionRepository, TableInspectionRepository>();
        services.TryAddSingleton<InspectionHandler>();
        return services;
    }
}
