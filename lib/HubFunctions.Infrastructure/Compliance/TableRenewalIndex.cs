using System.Globalization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Common;
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
/// <item>partition <c>checkpoint</c>, row <c>compliance-sweep</c>: the last day swept, kept by the shared
/// <see cref="ForwardCheckpoint"/> (forward only, under its ETag, retried with <see cref="OptimisticRetry"/>).</item>
/// </list>
/// Day partitions (digits) sort before <c>checkpoint</c> and <c>sent|…</c> (letters), so the first row in
/// key order below <c>a</c> is the earliest entry.
/// Every write goes through <see cref="TableOutbox.CommitAsync"/>.
/// </summary>
public sealed class TableRenewalIndex(HubStorage storage, TableOutbox outbox, ForwardCheckpoint checkpoint) : IRenewalIndex
{
    public const string SentPrefix = "sent|";
    public static readonly CheckpointRow Checkpoint = new("checkpoint", RenewalSweep.Job);

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
        => await checkpoint.ReadDayAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, cancellationToken).ConfigureAwait(false) is { } done
            ? new SweepCheckpoint(done)
            : null;

    public async Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {"a"}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return ParseDay(row.PartitionKey);
        }

        return null;
    }

    public async Task<DateOnly> AdvanceAsync(DateOnly done, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, done, cancellationToken).ConfigureAwait(false);

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

    private static DateOnly? ParseDay(string? text)
        => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.RenewalIndexTable, cancellationToken);
}
