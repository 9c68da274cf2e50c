using System.Globalization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Documents;

/// <summary>
/// Pending-file markers in <see cref="StorageNames.PendingFilesTable"/>: partition = the UTC hour the
/// marker was written (<c>yyyyMMddHH</c>), row = the blob name, with the seller and document id. The
/// orphan sweep asks for the partitions up to the cutoff's hour only (a key range, oldest first), so
/// it reads the markers older than the grace period and not the others, and never lists the
/// container. Writes go through <see cref="TableOutbox.CommitAsync"/> (no events).
/// </summary>
public sealed class TablePendingFiles(HubStorage storage, TableOutbox outbox) : IPendingFiles
{
    public static string Partition(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    public async Task RecordAsync(PendingFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = Partition(file.CreatedAt);
        var row = new TableEntity(partition, file.BlobName)
        {
            ["SellerId"] = file.SellerId,
            ["DocumentId"] = file.DocumentId,
            ["CreatedAt"] = file.CreatedAt,
        };
        await outbox.CommitAsync(table, partition, [new(TableTransactionActionType.UpsertReplace, row)], [], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PendingFile>> OlderThanAsync(DateTimeOffset cutoff, int max, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Partition(cutoff)} and CreatedAt le {cutoff}");
        var found = new List<PendingFile>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: max, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(new PendingFile(row.RowKey, row.GetString("SellerId")!, row.GetString("DocumentId")!, row.GetDateTimeOffset("CreatedAt")!.Value));
            if (found.Count >= max)
            {
                break;
            }
        }

        return found;
    }

    public async Task RemoveAsync(PendingFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = Partition(file.CreatedAt);
        try
        {
            await outbox.CommitAsync(table, partition, [new(TableTransactionActionType.Delete, new TableEntity(partition, file.BlobName), ETag.All)], [], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Gone already: an overlapping run removed it.
        }
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.PendingFilesTable, cancellationToken);
}
