using System.Globalization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Compliance;

/// <summary>
/// The renewal index (<see cref="StorageNames.RenewalIndexTable"/>), built for the daily sweep's one
/// query, "what falls due on day D":
/// <list type="bullet">
/// <item>partition <c>yyyy-MM-dd</c> (Asia/Shanghai), row <c>{seller}|{type}|{documentId}|{kind}</c>: an entry, upserted;</item>
/// <item>partition <c>sent|yyyy-MM-dd</c>, same row key: a reminder's "sent" marker, insert-only, committed
/// with the reminder event's outbox row (so a reminder is raised at most once);</item>
/// <item>partition <c>checkpoint</c>, row <c>compliance-sweep</c>: the last day swept (ETag-guarded).</item>
/// </list>
/// Every write goes through <see cref="TableOutbox.CommitAsync"/>.
/// </summary>
public sealed class TableRenewalIndex(HubStorage storage, TableOutbox outbox) : IRenewalIndex
{
    public const string SentPrefix = "sent|";
    public const string CheckpointPartition = "checkpoint";
    public const string CheckpointRow = RenewalSweep.Job;

    public static string SentPartition(DateOnly day) => SentPrefix + RenewalSchedule.Iso(day);

    public async Task AddAsync(IReadOnlyList<RenewalEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        foreach (var day in entries.GroupBy(e => RenewalSchedule.Iso(e.Day)))
        {
            foreach (var chunk in day.DistinctBy(e => e.Key).Chunk(TableOutbox.MaxTransactionEntities))
            {
                var changes = chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(day.Key, e.Key)
                {
                    ["SellerId"] = e.SellerId,
                    ["DocumentType"] = e.DocumentType,
                    ["DocumentId"] = e.DocumentId,
                    ["Kind"] = RenewalSchedule.KindName(e.Kind),
                })).ToList();
                await outbox.CommitAsync(table, day.Key, changes, [], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<RenewalEntry>> DayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var entries = new List<RenewalEntry>();
        var partition = RenewalSchedule.Iso(day);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (RenewalSchedule.Parse(day, row.RowKey) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    public async Task<SweepCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(CheckpointPartition, CheckpointRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e
            ? new SweepCheckpoint(DateOnly.ParseExact(e.GetString("Done")!, "yyyy-MM-dd", CultureInfo.InvariantCulture), e.ETag.ToString())
            : null;
    }

    public async Task<string> AdvanceAsync(DateOnly done, string? etag, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = new TableEntity(CheckpointPartition, CheckpointRow) { ["Done"] = RenewalSchedule.Iso(done) };
        var change = etag is null
            ? new TableTransactionAction(TableTransactionActionType.Add, row)
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, new ETag(etag));
        await outbox.CommitAsync(table, CheckpointPartition, [change], [], cancellationToken).ConfigureAwait(false);
        var stored = await CheckpointAsync(cancellationToken).ConfigureAwait(false);
        return stored is not null && stored.Done == done ? stored.ETag : throw new ConcurrencyConflictException($"The sweep checkpoint moved to {stored?.Done} meanwhile.");
    }

    public async Task<bool> SendReminderAsync(RenewalEntry entry, HubEvent reminder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = SentPartition(entry.Day);
        var marker = new TableEntity(partition, entry.Key) { ["EventId"] = reminder.Id };
        try
        {
            return await outbox.CommitAsync(table, partition, [new(TableTransactionActionType.Add, marker)], [reminder], cancellationToken).ConfigureAwait(false)
                == CommitOutcome.Committed;
        }
        catch (ConcurrencyConflictException)
        {
            // The marker exists: an earlier or overlapping run sent this reminder.
            return false;
        }
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.RenewalIndexTable, cancellationToken);
}
