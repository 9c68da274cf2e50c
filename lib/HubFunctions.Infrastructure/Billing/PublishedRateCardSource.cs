using HubFunctions.Core.Billing;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// The published rate cards (<see cref="PublishedRates.Cards"/>: Hangzhou and Dongguan from 2024-01-01, none for
/// Tianjin and Xi'an, H-1) as each hub's history. Registered with <c>TryAddSingleton</c> as the fallback source:
/// the rate-card table store, registered with <c>AddSingleton</c>, replaces it.
/// </summary>
public sealed class PublishedRateCardSource : IRateCardSource
{
    public Task<RateCardHistory> HistoryAsync(string hub, CancellationToken cancellationToken)
        => Task.FromResult(new RateCardHistory(hub, PublishedRates.Cards));
}
