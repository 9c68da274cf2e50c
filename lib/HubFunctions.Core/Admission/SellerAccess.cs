using HubFunctions.Core.Access;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Admission;

/// <summary>Why <see cref="SellerAccess"/> refused, or <see cref="None"/>.</summary>
public enum SellerAccessDenial
{
    /// <summary>Allowed.</summary>
    None,

    /// <summary>No such seller (→ 404).</summary>
    NotFound,

    /// <summary>The caller may not act for this seller, or the seller is not at the hub (→ 403, SEC-2).</summary>
    Forbidden,
}

/// <summary>The outcome of <see cref="SellerAccess.CheckAsync"/>: the seller when allowed, else why not.</summary>
public sealed record SellerAccessResult(Seller? Seller, SellerAccessDenial Denial, string? Reason)
{
    public bool Allowed => Denial == SellerAccessDenial.None;

    public static SellerAccessResult Allow(Seller seller) => new(seller, SellerAccessDenial.None, null);

    /// <summary>Allowed by <see cref="SellerAccess.CheckRegistrationAsync"/>, which does not read the seller itself.</summary>
    public static SellerAccessResult AllowRegistered() => new(null, SellerAccessDenial.None, null);

    public static SellerAccessResult NotFound(string reason) => new(null, SellerAccessDenial.NotFound, reason);

    public static SellerAccessResult Forbidden(string reason) => new(null, SellerAccessDenial.Forbidden, reason);
}

/// <summary>
/// The one check every endpoint taking a <c>sellerId</c> makes (SEC-2), in this order:
/// <list type="number">
/// <item>a seller or WMS client bound to another seller: forbidden, without reading the store (so a
/// client learns nothing about other sellers' existence);</item>
/// <item>an id that cannot be a key, or no such seller in the seller store: not found;</item>
/// <item>when the endpoint names a hub: the seller is registered at another hub: forbidden;</item>
/// <item>a hub operator of another hub than the seller's: forbidden.</item>
/// </list>
/// </summary>
public sealed class SellerAccess(ISellerDirectory sellers)
{
    /// <param name="caller">The authenticated client.</param>
    /// <param name="sellerId">The seller the request is about (route or body).</param>
    /// <param name="hub">The hub the request is about (e.g. <c>/hubs/{hub}/...</c>), or null when the endpoint names none.</param>
    /// <param name="cancellationToken">Cancels the store read.</param>
    public async Task<SellerAccessResult> CheckAsync(HubCaller caller, string sellerId, string? hub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.ActsForSeller(sellerId))
        {
            return ActsForOther(caller, sellerId);
        }

        var seller = Ids.IsKeySafe(sellerId) ? await sellers.FindAsync(sellerId, cancellationToken).ConfigureAwait(false) : null;
        return Decide(caller, sellerId, seller?.Hub, hub) ?? SellerAccessResult.Allow(seller!);
    }

    /// <summary>
    /// The same checks as <see cref="CheckAsync"/>, made on what never changes once a seller is stored: that it exists and its
    /// hub (<see cref="ISellerDirectory.FindHubAsync"/>, which may answer from memory). For an endpoint that uses nothing else
    /// of the seller (order intake: a frozen seller's orders are still taken, DSP-6); an allowed result carries no seller.
    /// </summary>
    public async Task<SellerAccessResult> CheckRegistrationAsync(HubCaller caller, string sellerId, string? hub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (!caller.ActsForSeller(sellerId))
        {
            return ActsForOther(caller, sellerId);
        }

        var sellerHub = Ids.IsKeySafe(sellerId) ? await sellers.FindHubAsync(sellerId, cancellationToken).ConfigureAwait(false) : null;
        return Decide(caller, sellerId, sellerHub, hub) ?? SellerAccessResult.AllowRegistered();
    }

    private static SellerAccessResult ActsForOther(HubCaller caller, string sellerId)
        => SellerAccessResult.Forbidden($"Client '{caller.ClientId}' may not act on seller '{sellerId}' (SEC-2).");

    /// <summary>The refusal for a seller registered at <paramref name="sellerHub"/> (null: none), or null when allowed.</summary>
    private static SellerAccessResult? Decide(HubCaller caller, string sellerId, string? sellerHub, string? hub)
    {
        if (sellerHub is null)
        {
            return SellerAccessResult.NotFound($"There is no seller '{sellerId}'.");
        }

        if (hub is not null && !string.Equals(sellerHub, hub, StringComparison.Ordinal))
        {
            return SellerAccessResult.Forbidden($"Seller '{sellerId}' is not registered at hub '{hub}' (SEC-2).");
        }

        return caller.ActsForHub(sellerHub)
            ? null
            : SellerAccessResult.Forbidden($"Client '{caller.ClientId}' acts for hub '{caller.Hub}', not for seller '{sellerId}' of hub '{sellerHub}' (SEC-2).");
    }
}
