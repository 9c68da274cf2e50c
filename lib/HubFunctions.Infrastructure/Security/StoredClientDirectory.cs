using Azure.Data.Tables;
using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Security;

/// <summary>
/// Seller clients created at approval (ADM-8), in <see cref="StorageNames.ClientsTable"/>, one
/// partition per client id. Read on every request (a point read), so a new client signs at once on
/// every instance. The secret is stored as given: HMAC verification needs the key itself.
/// </summary>
public sealed class StoredClientDirectory(HubStorage storage) : IClientDirectory, ISellerClientStore
{
    public const string ClientRow = "client";

    public async ValueTask<RegisteredClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(clientId))
        {
            return null;
        }

        var table = await storage.TableAsync(storage.Names.ClientsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(clientId, ClientRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e && e.GetString("Secret") is { } secret
            ? new RegisteredClient(new HubCaller(clientId, HubRole.Seller, e.GetString("SellerId"), null), [WebhookSignature.DecodeSecret(secret)])
            : null;
    }

    public string NewSecret() => WebhookSignature.NewSecret();

    public async Task SaveAsync(string clientId, string sellerId, string secret, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.ClientsTable, cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(clientId, ClientRow) { ["SellerId"] = sellerId, ["Secret"] = secret }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Configured clients first (API.md), then stored ones.</summary>
public sealed class CompositeClientDirectory(ConfiguredClientDirectory configured, StoredClientDirectory stored) : IClientDirectory
{
    public async ValueTask<RegisteredClient?> FindAsync(string clientId, CancellationToken cancellationToken)
        => await configured.FindAsync(clientId, cancellationToken).ConfigureAwait(false)
            ?? await stored.FindAsync(clientId, cancellationToken).ConfigureAwait(false);
}
