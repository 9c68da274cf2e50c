using System.Collections.Concurrent;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Sellers by hub seller id (ADM-8 ids never change once allocated). The seller store has no index by that id yet, so the
/// first lookup of an id queries the sellers table by property (a scan of that table), and the answer is kept for the
/// life of the process. Known limit: an index row written at approval would make this a point read.
/// </summary>
public sealed class TableBillingSellers(HubStorage storage, ISellerDirectory directory) : IBillingSellers
{
    private readonly ConcurrentDictionary<string, string> _sellerIds = new(StringComparer.Ordinal);

    public async Task<Seller?> FindByHubSellerIdAsync(string hubSellerId, CancellationToken cancellationToken)
    {
        if (!_sellerIds.TryGetValue(hubSellerId, out var sellerId))
        {
            var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
            await foreach (var e in table.QueryAsync<TableEntity>($"{TableSellerDirectory.SellerRowsFilter} and {TableClient.CreateQueryFilter($"HubSellerId eq {hubSellerId}")}",
                maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                sellerId = e.PartitionKey;
                break;
            }

            if (sellerId is null)
            {
                return null;
            }

            _sellerIds[hubSellerId] = sellerId;
        }

        // The seller itself is read fresh: its status may change.
        return await directory.FindAsync(sellerId, cancellationToken).ConfigureAwait(false);
    }
}
