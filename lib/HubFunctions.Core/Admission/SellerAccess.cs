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
            return SellerAccessResult.Forbidden($"Client '{caller.ClientId}' may not act on seller '{sellerId}' (SEC-2).");
        }

        var seller = Ids.IsKeySafe(sellerId) ? await sellers.FindAsync(sellerId, cancellationToken).ConfigureAwait(false) : null;
        if (seller is null)
        {
            return SellerAccessResult.NotFound($"There is no seller '{sellerId}'.");
        }

        if (hub is not null && !string.Equals(seller.Hub, hub, StringComparison.Ordinal))
        {
            return SellerAccessResult.Forbidden($"Seller '{sellerId}' is not registered at hub '{hub}' (SEC-2).");
        }

        return caller.ActsForHub(seller.Hub)
            ? SellerAccessResult.Allow(seller)
            : SellerAccessResult.Forbidden($"Client '{caller.ClientId}' acts for hub '{caller.Hub}', not for seller '{sellerId}' of hub '{seller.Hub}' (SEC-2).");
    }
}
