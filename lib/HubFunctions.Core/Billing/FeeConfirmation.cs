using HubFunctions.Core.Common;
using HubFunctions.Core.Hubs;

namespace HubFunctions.Core.Billing;

/// <summary>
/// What the fee confirmation letter (费用确认书, BIL-8) lists: every rate that applies to the seller at the hub,
/// that is the card in force on <see cref="IssuedOn"/> and every card already set to take effect later, each
/// with its <c>effectiveFrom</c>, so every invoice line can be traced to a rate on the letter.
/// </summary>
/// <param name="SellerId">The seller (API.md <c>sellerId</c>).</param>
/// <param name="HubSellerId">The seller's id at the hub (e.g. <c>HGH-000001</c>).</param>
/// <param name="SellerName">The seller's registered entity name.</param>
/// <param name="Hub">The hub id (H-1).</param>
/// <param name="IssuedOn">The Asia/Shanghai date of the letter.</param>
/// <param name="Cards">The cards listed, oldest first; never empty.</param>
public sealed record FeeConfirmationLetter(string SellerId, string HubSellerId, string SellerName, string Hub, DateOnly IssuedOn, IReadOnlyList<RateCard> Cards);

/// <summary>The letter, or the H-1 refusal when the hub has no card that applies.</summary>
public sealed record FeeConfirmationResult(FeeConfirmationLetter? Letter, string? ErrorMessage)
{
    public bool Prepared => Letter is not null;
}

/// <summary>The rules of the fee confirmation letter (BIL-8, H-1).</summary>
public static class FeeConfirmation
{
    /// <summary>The hub of the request: one of the four hubs (H-1), else a field error with code <c>H-1</c>.</summary>
    public static FieldError? CheckHub(string? hub) => Hubs.Hubs.Exists(hub)
        ? null
        : new FieldError("hub", BillingCodes.NoRateCard,
            $"hub must be one of {string.Join(", ", Hubs.Hubs.All.Select(h => h.Id))} (H-1); '{hub}' is not a hub of the network.");

    /// <summary>
    /// The letter for a seller at <paramref name="hub"/> on <paramref name="today"/> (Asia/Shanghai): the card in
    /// force today plus every later card. No card in force and none scheduled (Tianjin and Xi'an until a
    /// reviewer sets one): refused with H-1, nothing is invented.
    /// </summary>
    public static FeeConfirmationResult Prepare(string sellerId, string hubSellerId, string sellerName, string hub, RateCardHistory history, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (!string.Equals(history.Hub, hub, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The rate card history is of hub {history.Hub}, not {hub}.", nameof(history));
        }

        var inForce = history.InForceOn(today);
        var cards = history.Cards.Where(c => c == inForce || c.EffectiveFrom > today).ToList();
        return cards.Count == 0
            ? new FeeConfirmationResult(null,
                $"Hub {hub} has no rate card (H-1): no storage rent is published for it, so no fee confirmation letter can be issued until a reviewer sets a card (PUT /api/hubs/{hub}/rate-cards).")
            : new FeeConfirmationResult(new FeeConfirmationLetter(sellerId, hubSellerId, sellerName, hub, today, cards), null);
    }
}
