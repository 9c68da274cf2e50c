using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Compliance;

/// <summary>
/// The CMP-5 re-check's view of the seller store (<see cref="StorageNames.SellersTable"/>, the row
/// <see cref="TableSellerDirectory.SellerRow"/> of each seller's partition). Recording merges only
/// the rating and the check month, under the ETag read, through the <see cref="TableOutbox"/>.
/// Active sellers are read a page at a time (a filtered query returning only keys), never all at once.
/// </summary>
public sealed class TableSellerTaxRatings(HubStorage storage, TableOutbox outbox) : ISellerTaxRatings
{
    public const string CheckedMonthProperty = "TaxRatingCheckedMonth";

    public async Task<SellerTaxRecord?> GetAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return null;
        }

        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, TableSellerDirectory.SellerRow(sellerId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e
            ? new SellerTaxRecord(TableSellerDirectory.FromEntity(e), e.GetString(CheckedMonthProperty), e.ETag.ToString())
            : null;
    }

    public async Task RecordAsync(string sellerId, TaxRating rating, string month, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        var change = new TableEntity(sellerId, TableSellerDirectory.SellerRow(sellerId))
        {
            ["TaxRating"] = rating.ToString(),
            [CheckedMonthProperty] = month,
        };
        await outbox.CommitAsync(table, sellerId, [new(TableTransactionActionType.UpdateMerge, change, new ETag(etag))], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<ActiveSellerPage> ActivePageAsync(string? continuation, int pageSize, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.SellersTable, cancellationToken).ConfigureAwait(false);
        var filter = $"{TableSellerDirectory.SellerRowsFilter} and {TableClient.CreateQueryFilter($"Status eq {TableSellerDirectory.Wire(SellerStatus.Active)}")}";
        var pages = table.QueryAsync<TableEntity>(filter, pageSize, ["PartitionKey"], cancellationToken).AsPages(continuation, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return new ActiveSellerPage(page.Values.Select(e => e.PartitionKey).ToList(), page.ContinuationToken);
        }

        return new ActiveSellerPage([], null);
    }
}
