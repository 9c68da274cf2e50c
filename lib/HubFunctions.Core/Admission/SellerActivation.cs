namespace HubFunctions.Core.Admission;

/// <summary>What an approval returns once (API.md <c>decision</c>): the secret is never shown again.</summary>
public sealed record SellerCredentials(string SellerId, string HubSellerId, string ClientId, string Secret);

/// <summary>Signed clients created at approval (ADM-8), beside the configured ones.</summary>
public interface ISellerClientStore
{
    /// <summary>A new <c>whsec_</c> signing secret.</summary>
    string NewSecret();

    /// <summary>Stores (or replaces) the seller client <paramref name="clientId"/> with <paramref name="secret"/>.</summary>
    Task SaveAsync(string clientId, string sellerId, string secret, CancellationToken cancellationToken);
}
