using HubFunctions.Core.Orders;
using HubFunctions.Functions.Orders;
using HubFunctions.Infrastructure.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class OrderRegistration
{
    /// <summary>Configuration section of <see cref="OrderOptions"/> (<c>Hub__Orders__ShardCount</c>, <c>Hub__Orders__SweepSchedule</c>, ...).</summary>
    public const string Section = "Hub:" + OrderOptions.Section;

    /// <summary>Orders and the dispatch cutoff (issue 11): the settings (checked at start-up), the order store and deadline index, intake, instructions and the cutoff sweep, DSP-5 counters, stage events and the diagnosis.</summary>
    public static IServiceCollection AddHubOrders(this IServiceCollection services)
    {
        services.AddOptions<OrderOptions>().BindConfiguration(Section)
            .Validate(o => o.Problems().Count == 0, "Hub:Orders settings are not usable (see OrderOptions.Problems).")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<OrderOptions>>().Value);
        services.TryAddSingleton<IOrderStore, TableOrderStore>();
        services.TryAddSingleton<ISweepCheckpoint, TableCutoffCheckpoint>();
        services.TryAddSingleton<IOrderCutoffQueue, StorageOrderCutoffQueue>();
        services.TryAddSingleton<ISellerMetricsStore, TableSellerMetricsStore>();
        // Commits the DSP-5 counts that intakes and accepted instructions gather (Orders/DECISIONS.md, "Counting gathered per seller and month").
        services.AddHostedService<SellerMetricsFlusher>();
        services.TryAddSingleton<IOrderTimeline, TableOrderTimeline>();
        services.TryAddSingleton<OrderTimelineHandler>();
        services.TryAddSingleton<OrderHandler>();
        services.TryAddSingleton<CutoffSweep>();
        // Retries of created intakes and accepted instructions are answered from the rows they wrote (Idempotency/DECISIONS.md, part 3).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDerivedReplay, SubmitOrderReplay>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDerivedReplay, DispatchInstructionReplay>());
        return services;
    }
}
