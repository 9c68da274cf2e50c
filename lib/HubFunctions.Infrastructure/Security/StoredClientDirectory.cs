using Azure.Data.Tables;
using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Security;

/// <summary>
/// Seller clients created at approval (ADM-8), in <see cref="StorageNames.ClientsTable"/>, one
/// partition per client id. Read on every request (a point read), so a new client signs at once on
/// every instance. The secret is stored as given: HMAC verification needs the key itself. A client
/// is written once, insert-only through the <see cref="TableOutbox"/> (whose commit stamp tells an
/// earlier attempt of the same operation from another operation), and never replaced.
/// </summary>
public sealed class StoredClientDirectory(HubStorage storage, TableOutbox outbox) : IClientDirectory, ISellerClientStore
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

    public async Task<string?> TryAddAsync(string clientId, string sellerId, string secret, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(clientId))
        {
            throw new ArgumentException($"Client id '{clientId}' cannot be a table key.", nameof(clientId));
        }

        var table = await storage.TableAsync(storage.Names.ClientsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            var row = new TableEntity(clientId, ClientRow) { ["SellerId"] = sellerId, ["Secret"] = secret };
            var outcome = await outbox.CommitAsync(table, clientId, [new(TableTransactionActionType.Add, row)], [], cancellationToken).ConfigureAwait(false);
            if (outcome == CommitOutcome.Committed)
            {
                return secret;
            }

            // An earlier attempt of this operation stored it and its answer was lost: that secret
            // was never shown, and it is the one that verifies.
            var stored = await table.GetEntityAsync<TableEntity>(clientId, ClientRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stored.Value.GetString("Secret");
        }
        catch (ConcurrencyConflictException)
        {
            return null;
        }
    }
}

/// <summary>Configured clients first (API.md), then stored ones.</summary>
public sealed class CompositeClientDirectory(ConfiguredClientDirectory configured, StoredClientDirectory stored) : IClientDirectory
{
    public async ValueTask<RegisteredClient?> FindAsync(string clientId, CancellationToken cancellationToken)
        => await configured.FindAsync(clientId, cancellationToken).ConfigureAwait(false)
            ?? await stored.FindAsync(clientId, cancellationToken).ConfigureAwait(false);
}
