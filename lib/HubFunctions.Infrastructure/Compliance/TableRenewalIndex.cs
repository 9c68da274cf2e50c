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
/// The renewal index, built for the daily sweep's one question, "what falls due on day D":
/// <list type="bullet">
/// <item>one <b>day table</b> per due day, <c>{RenewalIndexTable}d{yyyyMMdd}</c> (<see cref="DayTable"/>;
/// Asia/Shanghai), created on its first entry, partition <c>yyyy-MM-dd</c>, row
/// <c>{seller}|{type}|{documentId}|{kind}</c>: an entry, upserted. The sweep reads the whole table and
/// drops it whole once the checkpoint has passed its day (<see cref="ForgetAsync"/>); a day table whose drop failed is
/// found by name behind the checkpoint by the next sweep (<see cref="KeptDaysAsync"/>) and dropped then;</item>
/// <item>in <see cref="StorageNames.RenewalIndexTable"/>, partition <c>sent|yyyy-MM-dd</c>, same row key: a
/// reminder's "sent" marker, insert-only, committed with the reminder event's outbox row (so a reminder is
/// raised at most once; the markers outlive the day tables);</item>
/// <item>in <see cref="StorageNames.RenewalIndexTable"/>, partition <c>checkpoint</c>, row
/// <c>compliance-sweep</c>: the last day swept, kept by the shared <see cref="ForwardCheckpoint"/>
/// (forward only, under its ETag, retried with <see cref="OptimisticRetry"/>).</item>
/// </list>
/// Why a table per day: reading a day must cost what is due that day, not what the index holds. In
/// Azure a partition query is that already; Azurite (local runs, tests, benchmarks) scans and sorts
/// the whole table for any query, so one index table for every day made the sweep grow with the
/// sellers. A dropped table is also cheaper than deleting its rows one by one. Entries for a day the
/// checkpoint has passed are not written (the sweep would never read them: it goes forward). The
/// earliest day (a first run's start) is the first day table by name. Every entity write goes through
/// <see cref="TableOutbox.CommitAsync"/>.
/// </summary>
public sealed class TableRenewalIndex(HubStorage storage, TableOutbox outbox, ForwardCheckpoint checkpoint) : IRenewalIndex
{
    public const string SentPrefix = "sent|";
    public const string DaySeparator = "d";
    public static readonly CheckpointRow Checkpoint = new("checkpoint", RenewalSweep.Job);

    /// <summary>Characters a day table adds to <see cref="StorageNames.RenewalIndexTable"/> (<c>d</c> and the date); table names stop at 63.</summary>
    public const int DayTableSuffixLength = 9;

    public static string SentPartition(DateOnly day) => SentPrefix + RenewalSchedule.Iso(day);

    /// <summary>The name of <paramref name="day"/>'s table: <c>{indexTable}d{yyyyMMdd}</c>.</summary>
    public static string DayTable(string indexTable, DateOnly day) => indexTable + DaySeparator + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public async Task AddAsync(IReadOnlyList<RenewalEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var swept = (await CheckpointAsync(cancellationToken).ConfigureAwait(false))?.Done;
        foreach (var day in entries.Where(e => swept is null || e.Day > swept).GroupBy(e => e.Day))
        {
            var table = await storage.TableAsync(DayTable(storage.Names.RenewalIndexTable, day.Key), cancellationToken).ConfigureAwait(false);
            var partition = RenewalSchedule.Iso(day.Key);
            foreach (var chunk in day.DistinctBy(e => e.Key).Chunk(TableOutbox.MaxTransactionEntities))
            {
                var changes = chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(partition, e.Key)
                {
                    ["SellerId"] = e.SellerId,
                    ["DocumentType"] = e.DocumentType,
                    ["DocumentId"] = e.DocumentId,
                    ["Kind"] = RenewalSchedule.KindName(e.Kind),
                })).ToList();
                await outbox.CommitAsync(table, partition, changes, [], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<RenewalEntry>> DayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        // Read without creating: a day nothing falls due on has no table.
        var table = storage.TableService.GetTableClient(DayTable(storage.Names.RenewalIndexTable, day));
        var entries = new List<RenewalEntry>();
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (RenewalSchedule.Parse(day, row.RowKey) is { } entry)
                {
                    entries.Add(entry);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }

        return entries;
    }

    public async Task<SweepCheckpoint?> CheckpointAsync(CancellationToken cancellationToken)
        => await checkpoint.ReadDayAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, cancellationToken).ConfigureAwait(false) is { } done
            ? new SweepCheckpoint(done)
            : null;

    public async Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken)
    {
        // Day tables sort by their date; the first one holding an entry is the earliest day.
        var prefix = storage.Names.RenewalIndexTable + DaySeparator;
        var end = prefix[..^1] + (char)(prefix[^1] + 1);
        await foreach (var item in storage.TableService.QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {prefix} and TableName lt {end}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseDayTable(prefix, item.Name) is { } day && (await DayAsync(day, cancellationToken).ConfigureAwait(false)).Count > 0)
            {
                return day;
            }
        }

        return null;
    }

    public async Task<DateOnly> AdvanceAsync(DateOnly done, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, done, cancellationToken).ConfigureAwait(false);

    public async Task ForgetAsync(DateOnly day, CancellationToken cancellationToken)
    {
        if (await CheckpointAsync(cancellationToken).ConfigureAwait(false) is not { } swept || swept.Done < day)
        {
            throw new InvalidOperationException($"The renewal index keeps {RenewalSchedule.Iso(day)} until the checkpoint has passed it.");
        }

        await storage.DropTableAsync(DayTable(storage.Names.RenewalIndexTable, day), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DateOnly>> KeptDaysAsync(DateOnly through, CancellationToken cancellationToken)
    {
        // The day tables by name (they sort by date), from the first up to the one of `through`: one query of the table list.
        var prefix = storage.Names.RenewalIndexTable + DaySeparator;
        var last = DayTable(storage.Names.RenewalIndexTable, through);
        var days = new List<DateOnly>();
        await foreach (var item in storage.TableService.QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {prefix} and TableName le {last}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseDayTable(prefix, item.Name) is { } day && day <= through)
            {
                days.Add(day);
            }
        }

        return days;
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

    private static DateOnly? ParseDayTable(string prefix, string name)
        => name.Length == prefix.Length + 8 && name.StartsWith(prefix, StringComparison.Ordinal)
            && DateOnly.TryParseExact(name[prefix.Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.RenewalIndexTable, cancellationToken);
}
