using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Billing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class BillingRegistration
{
    /// <summary>Settings of the billing run (<c>Hub:Billing</c>: <c>PageSize</c>, <c>SellerHubsPerMessage</c>, <c>BatchParallelism</c>, <c>CheckStaleAfter</c>, <c>CheckRetryInterval</c>, <c>CheckRetries</c>; the timer's <c>RunSchedule</c> is read by the host).</summary>
    public const string Section = "Hub:Billing";

    /// <summary>
    /// Billing (H-1, BIL-1..9): rate cards, usage/snapshot/claim intake with rollups, the SEC-1 access audit, the monthly
    /// run (fan-out queue) and invoice documents. The PDF renderer (<see cref="IBillingPdfRenderer"/>) is registered by
    /// <c>AddHubBillingDocuments</c>.
    /// </summary>
    public static IServiceCollection AddHubBilling(this IServiceCollection services)
    {
        services.AddOptions<BillingRunSettings>().BindConfiguration(Section)
            .Validate(s => s.PageSize is >= 1 and <= 1000, $"{Section}:PageSize must be 1..1000.")
            .Validate(s => s.SellerHubsPerMessage is >= 1 and <= 100 && s.BatchParallelism is >= 1 and <= 64,
                $"{Section}:SellerHubsPerMessage must be 1..100, {Section}:BatchParallelism 1..64.")
            .Validate(s => s.CheckStaleAfter > TimeSpan.Zero, $"{Section}:CheckStaleAfter must be over 0.")
            .Validate(s => s.CheckRetryInterval > TimeSpan.Zero && s.CheckRetryInterval <= TimeSpan.FromMinutes(10) && s.CheckRetries >= 0,
                $"{Section}:CheckRetryInterval must be over 0 and at most 10 minutes, {Section}:CheckRetries at least 0.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<BillingRunSettings>>().Value);
        services.TryAddSingleton<TableRateCards>();
        services.TryAddSingleton<IRateCardStore>(sp => sp.GetRequiredService<TableRateCards>());
        services.TryAddSingleton<IRateCardSource>(sp => sp.GetRequiredService<TableRateCards>());
        services.TryAddSingleton<IBillingLedger, TableBillingLedger>();
        services.TryAddSingleton<TableBillingRuns>();
        services.TryAddSingleton<IBillingRunStore>(sp => sp.GetRequiredService<TableBillingRuns>());
        services.TryAddSingleton<IBillingActivity>(sp => sp.GetRequiredService<TableBillingRuns>());
        services.TryAddSingleton<IBillingRunQueue, StorageBillingRunQueue>();
        services.TryAddSingleton<IBillingSellers, TableBillingSellers>();
        services.TryAddSingleton<IUsageIds, TableUsageIds>();
        services.TryAddSingleton<IInvoiceDocuments, BlobInvoiceDocuments>();
        services.TryAddSingleton<IAccessAudit, TableAccessAudit>();
        services.TryAddSingleton<IBillingRunFaults, NoBillingRunFaults>();
        services.TryAddSingleton<BillingIntake>();
        services.TryAddSingleton<RunRateCards>();
        services.TryAddSingleton<BillingRunHandler>();
        return services;
    }
}
