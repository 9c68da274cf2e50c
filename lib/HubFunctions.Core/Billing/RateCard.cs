using System.Collections.Frozen;

namespace HubFunctions.Core.Billing;

/// <summary>
/// The rates of one hub from <see cref="EffectiveFrom"/> (an Asia/Shanghai date) until the next card of that
/// hub takes effect (BIL-1). A card is complete or absent: it always names a storage rent (H-1) and a rate for
/// every <see cref="UsageKind"/>, so an invoice never meets a missing rate on a day a card covers.
/// </summary>
public sealed record RateCard
{
    public RateCard(string hub, DateOnly effectiveFrom, decimal storagePerCubicMetreMonth, IReadOnlyDictionary<string, decimal> usageRates)
    {
        ArgumentException.ThrowIfNullOrEmpty(hub);
        ArgumentNullException.ThrowIfNull(usageRates);
        ArgumentOutOfRangeException.ThrowIfNegative(storagePerCubicMetreMonth);
        foreach (var kind in UsageKind.All)
        {
            if (!usageRates.TryGetValue(kind.Code, out var rate))
            {
                throw new ArgumentException($"The rate card of {hub} from {effectiveFrom:yyyy-MM-dd} has no rate for '{kind.Code}'.", nameof(usageRates));
            }

            ArgumentOutOfRangeException.ThrowIfNegative(rate, nameof(usageRates));
        }

        var unknown = usageRates.Keys.FirstOrDefault(k => UsageKind.Find(k) is null);
        if (unknown is not null)
        {
            throw new ArgumentException($"Unknown usage kind '{unknown}' in a rate card.", nameof(usageRates));
        }

        Hub = hub;
        EffectiveFrom = effectiveFrom;
        StoragePerCubicMetreMonth = storagePerCubicMetreMonth;
        UsageRates = usageRates.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public string Hub { get; }

    /// <summary>The first Asia/Shanghai date this card is in force.</summary>
    public DateOnly EffectiveFrom { get; }

    /// <summary>Storage rent, CNY per m³ per month (BIL-4, H-1).</summary>
    public decimal StoragePerCubicMetreMonth { get; }

    /// <summary>CNY per unit of each usage kind (BIL-2, BIL-3).</summary>
    public IReadOnlyDictionary<string, decimal> UsageRates { get; }

    /// <summary>The rate of one usage kind.</summary>
    public decimal RateOf(string kind) => UsageRates[kind];
}

/// <summary>The rates published in the article, effective 2024-01-01 (H-1, BIL-2, BIL-3, BIL-4).</summary>
public static class PublishedRates
{
    /// <summary>The date the published rates take effect (decided here: the start of the shipped calendar data).</summary>
    public static readonly DateOnly EffectiveFrom = new(2024, 1, 1);

    /// <summary>BIL-2 and BIL-3 per-unit rates, the same at every hub that publishes a storage rent.</summary>
    public static readonly IReadOnlyDictionary<string, decimal> UsageRates = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        [UsageKind.InboundQc] = 0.30m,
        [UsageKind.Shelving] = 0.20m,
        [UsageKind.Picking] = 0.40m,
        [UsageKind.Labelling] = 0.15m,
        [UsageKind.Assembly] = 0.80m,
        [UsageKind.Return] = 5.00m,
    };

    /// <summary>
    /// The seed cards: Hangzhou 18.00 and Dongguan 15.00 CNY per m³ per month. Tianjin and Xi'an publish no
    /// storage rent, so they get no card at all: billing there fails with H-1 until a reviewer sets one.
    /// </summary>
    public static IReadOnlyList<RateCard> Cards { get; } =
    [
        new("hangzhou", EffectiveFrom, 18.00m, UsageRates),
        new("dongguan", EffectiveFrom, 15.00m, UsageRates),
    ];
}

/// <summary>The versioned cards of one hub: which card is in force on a date (BIL-1).</summary>
public sealed class RateCardHistory
{
    private readonly RateCard[] _cards;

    /// <summary>Builds the history of <paramref name="hub"/> from any cards (other hubs' are ignored).</summary>
    /// <exception cref="ArgumentException">Two cards of the hub share an <c>effectiveFrom</c>.</exception>
    public RateCardHistory(string hub, IEnumerable<RateCard> cards)
    {
        ArgumentNullException.ThrowIfNull(cards);
        Hub = hub;
        _cards = [.. cards.Where(c => c.Hub == hub).OrderBy(c => c.EffectiveFrom)];
        for (var i = 1; i < _cards.Length; i++)
        {
            if (_cards[i].EffectiveFrom == _cards[i - 1].EffectiveFrom)
            {
                throw new ArgumentException($"Two rate cards of {hub} take effect on {_cards[i].EffectiveFrom:yyyy-MM-dd}.", nameof(cards));
            }
        }
    }

    public string Hub { get; }

    public IReadOnlyList<RateCard> Cards => _cards;

    /// <summary>The card in force on <paramref name="date"/>: the latest with <c>effectiveFrom ≤ date</c>, or null (H-1).</summary>
    public RateCard? InForceOn(DateOnly date)
    {
        RateCard? found = null;
        foreach (var card in _cards)
        {
            if (card.EffectiveFrom > date)
            {
                break;
            }

            found = card;
        }

        return found;
    }
}
