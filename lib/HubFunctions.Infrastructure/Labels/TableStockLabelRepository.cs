using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Labels;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Labels;

/// <summary>
/// A seller's stock serials in <c>stocklabels</c>: partition <c>{sellerId}|{gtin}</c>, row = serial
/// (percent-escaping the characters row keys cannot hold), with the receipt that brought it; and the
/// seller's receipts: partition <c>{sellerId}</c>, row <c>receipt|{receiptId}</c>, with the hub and
/// the content's fingerprint. Insert only: the table itself refuses a second copy of a serial
/// (LBL-3) or of a receipt id, so two receipts racing cannot both store it.
/// </summary>
public sealed class TableStockLabelRepository(HubStorage storage) : IStockLabelRepository
{
    private const int Parallelism = 16;

    public async Task<ReceiptRecord?> RecordReceiptAsync(string sellerId, string receiptId, ReceiptRecord receipt, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.StockLabelsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(new TableEntity(sellerId, ReceiptRowKey(receiptId))
            {
                ["Hub"] = receipt.Hub,
                ["Fingerprint"] = receipt.Fingerprint,
                ["LabelCount"] = receipt.LabelCount,
            }, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var existing = await table.GetEntityAsync<TableEntity>(sellerId, ReceiptRowKey(receiptId), cancellationToken: cancellationToken).ConfigureAwait(false);
            var stored = existing.Value;
            return new ReceiptRecord(stored.GetString("Hub")!, stored.GetString("Fingerprint")!, stored.GetInt32("LabelCount") ?? 0);
        }
    }

    public async Task<IReadOnlySet<GtinSerial>> FindStoredAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.StockLabelsTable, cancellationToken).ConfigureAwait(false);
        var found = new ConcurrentBag<GtinSerial>();
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (item, ct) =>
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(Partition(sellerId, item.Gtin), RowKey(item.Serial), ["ReceiptId"], ct).ConfigureAwait(false);
            if (existing.HasValue && existing.Value!.GetString("ReceiptId") != receiptId)
            {
                found.Add(item);
            }
        }).ConfigureAwait(false);
        return found.ToHashSet();
    }

    public async Task<IReadOnlySet<GtinSerial>> AddAsync(string sellerId, string receiptId, IReadOnlyCollection<GtinSerial> items, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.StockLabelsTable, cancellationToken).ConfigureAwait(false);
        var raced = new ConcurrentBag<GtinSerial>();
        var batches = items.GroupBy(i => i.Gtin).SelectMany(g => g.Chunk(100)).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(i => new TableTransactionAction(TableTransactionActionType.Add, Entity(sellerId, receiptId, i))), ct).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (e.Status == 409)
            {
                // Some serial is already there: store one by one to learn which.
                foreach (var item in batch)
                {
                    try
                    {
                        await table.AddEntityAsync(Entity(sellerId, receiptId, item), ct).ConfigureAwait(false);
                    }
                    catch (RequestFailedException conflict) when (conflict.Status == 409)
                    {
                        var existing = await table.GetEntityAsync<TableEntity>(Partition(sellerId, item.Gtin), RowKey(item.Serial), ["ReceiptId"], ct).ConfigureAwait(false);
                        if (existing.Value.GetString("ReceiptId") != receiptId)
                        {
                            raced.Add(item);
                        }
                    }
                }
            }
        }).ConfigureAwait(false);
        return raced.ToHashSet();
    }

    private static TableEntity Entity(string sellerId, string receiptId, GtinSerial item)
        => new(Partition(sellerId, item.Gtin), RowKey(item.Serial)) { ["ReceiptId"] = receiptId, ["Serial"] = item.Serial };

    public static string Partition(string sellerId, string gtin) => $"{sellerId}|{gtin}";

    /// <summary>The receipt's row in the seller's own partition (<c>{sellerId}</c>, no GTIN: never a stock partition).</summary>
    public static string ReceiptRowKey(string receiptId) => "receipt|" + receiptId;

    /// <summary>GS1 serials may hold '/', '?' and '%' (character set 82); row keys may not hold the first two.</summary>
    public static string RowKey(string serial) => serial.Replace("%", "%25", StringComparison.Ordinal)
        .Replace("/", "%2F", StringComparison.Ordinal).Replace("?", "%3F", StringComparison.Ordinal);
}
