using System.Collections.Concurrent;

namespace HubFunctions.Core.Billing;

/// <summary>
/// The rate cards a billing run uses (BIL-1, H-1): each hub's history is read once per period and process and kept for
/// <see cref="Lifetime"/>, instead of once per seller-hub. Only a history that has a card in force on every day of the period
/// is kept: a hub that cannot be billed (H-1) is read again by every seller-hub, so a card a reviewer adds is used by the next
/// attempt (the H-1 retry) at once. A card added for a period while its run is billing is a race with or without this cache
/// (seller-hubs billed before it use the cards they read).
/// </summary>
public sealed class RunRateCards(IRateCardSource cards, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(BillingPeriod Period, string Hub), (RateCardHistory History, DateTimeOffset Until)> _kept = new();

    public async Task<RateCardHistory> HistoryAsync(BillingPeriod period, string hub, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_kept.TryGetValue((period, hub), out var kept) && kept.Until > now)
        {
            return kept.History;
        }

        var history = await cards.HistoryAsync(hub, cancellationToken).ConfigureAwait(false);
        if (period.Dates().All(d => history.InForceOn(d) is not null))
        {
            foreach (var stale in _kept.Where(k => k.Value.Until <= now).Select(k => k.Key).ToList())
            {
                _kept.TryRemove(stale, out _);
            }

            _kept[(period, hub)] = (history, now + Lifetime);
        }

        return history;
    }
}
