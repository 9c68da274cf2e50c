using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Sellers by hub seller id (ADM-8 ids never change once allocated) through the allocation index: the allocation row
/// <c>id|{hubSellerId}</c> names the seller (<see cref="IHubSellerIdAllocator.FindSellerIdAsync"/>, one point read), then the
/// seller is read fresh (its status may change). An id that was never allocated is unknown (null, 404) without reading anything else.
/// An allocation made before the index recorded seller ids is resolved once by a query of the sellers table and the seller id is
/// written onto the allocation row, so each such id costs one scan in the life of the data, never one per request.
/// </summary>
public sealed class TableBillingSellers(HubStorage storage, IHubSellerIdAllocator allocations, ISellerDirectory directory) : IBillingSellers
{
    public async Task<Seller?> FindByHubSellerIdAsync(string hubSellerId, CancellationToken cancellationToken)
    {
        if (await allocations.FindSellerIdAsync(hubSellerId, cancellationToken).ConfigureAwait(false) is not { } owner)
        {
            return null;
        }

        var sellerId = owner.SellerId ?? await ScanAsync(hubSellerId, cancellationToken).ConfigureAwait(false);
        if (sellerId is null)
        {
            // Allocated, but the approval that allocated it has not stored its seller yet.
            return null;
        }

        if (owner.SellerId is null)
        {
            await allocations.RecordSellerIdAsync(hubSellerId, sellerId, cancellationToken).ConfigureAwait(false);
        }

        return await directory.FindAsync(sellerId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The seller row carrying <paramref name="hubSellerId"/>: a query by property, for allocations older than the index only.</summary>
    private async Task<string?> ScanAsync(string hubSellerId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        await foreach (var e in table.QueryAsync<TableEntity>($"{TableSellerDirectory.SellerRowsFilter} and {TableClient.CreateQueryFilter($"HubSellerId eq {hubSellerId}")}",
            maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return e.PartitionKey;
        }

        return null;
    }
}
