namespace HubFunctions.Core.Admission;

/// <summary>What an approval returns once (API.md <c>decision</c>): the secret is never shown again.</summary>
public sealed record SellerCredentials(string SellerId, string HubSellerId, string ClientId, string Secret);

/// <summary>Signed clients created at approval (ADM-8), beside the configured ones.</summary>
public interface ISellerClientStore
{
    /// <summary>A new <c>whsec_</c> signing secret.</summary>
    string NewSecret();

    /// <summary>
    /// Stores the seller client <paramref name="clientId"/> with <paramref name="secret"/>,
    /// insert-only. Returns the secret the stored client holds when this operation stored it: this
    /// call's, or the one an earlier attempt of the same operation stored (its answer lost, so never
    /// shown). Null, storing nothing, when another operation's client exists already: its secret
    /// belongs to that operation's answer alone, and is never replaced nor shown again.
    /// </summary>
    Task<string?> TryAddAsync(string clientId, string sellerId, string secret, CancellationToken cancellationToken);
}
