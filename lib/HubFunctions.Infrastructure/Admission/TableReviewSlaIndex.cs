using System.Globalization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>
/// The ADM-7 date index in its own table (<see cref="StorageNames.ApplicationSlaTable"/>): one partition
/// per Asia/Shanghai date (<c>yyyy-MM-dd</c>, so partition order is date order), one row per application
/// id with the kind of look due (<c>at-risk</c> on the at-risk day, <c>breached</c> on the day after the
/// due date). The sweep reads a range of date partitions, never the applications table. The checkpoint
/// is the row <see cref="Checkpoint"/> (partition <c>checkpoint</c>: letters sort after digits, so it is outside
/// every date range), kept by the shared <see cref="ForwardCheckpoint"/> (forward only, under its ETag). Every
/// write goes through the <see cref="TableOutbox"/> (without events).
/// </summary>
public sealed class TableReviewSlaIndex(HubStorage storage, TableOutbox outbox, ForwardCheckpoint checkpoint) : IReviewSlaIndex
{
    public static readonly CheckpointRow Checkpoint = new("checkpoint", "adm-7");
    private const string DateFormat = "yyyy-MM-dd";

    public static string Partition(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    public async Task AddAsync(SellerApplication application, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        foreach (var (date, kind) in new[] { (application.AtRiskOn, "at-risk"), (application.ReviewDueOn.AddDays(1), "breached") })
        {
            var entity = new TableEntity(Partition(date), application.ApplicationId) { ["Kind"] = kind, ["SellerId"] = application.SellerId };
            await outbox.CommitAsync(table, entity.PartitionKey, [new(TableTransactionActionType.UpsertReplace, entity)], [], cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<DateOnly?> CheckpointAsync(CancellationToken cancellationToken)
        => await checkpoint.ReadDayAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, cancellationToken).ConfigureAwait(false);

    public async Task<DateOnly?> EarliestAsync(CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        // Dates sort before the checkpoint partition ('0'-'9' < 'c'); the first row in key order is the earliest date.
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey lt {"a"}"), maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return ParseDate(e.PartitionKey);
        }

        return null;
    }

    public async Task<IReadOnlyList<SlaIndexEntry>> DueAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        string low = Partition(from), high = Partition(to);
        var entries = new List<SlaIndexEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {low} and PartitionKey le {high}"),
            select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ParseDate(e.PartitionKey) is { } date)
            {
                entries.Add(new SlaIndexEntry(date, e.RowKey));
            }
        }

        return [.. entries.OrderBy(e => e.Date)];
    }

    public async Task AdvanceCheckpointAsync(DateOnly sweptThrough, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), Checkpoint, sweptThrough, cancellationToken).ConfigureAwait(false);

    private static DateOnly? ParseDate(string? text)
        => DateOnly.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.ApplicationSlaTable, cancellationToken);
}
