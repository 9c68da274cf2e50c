using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Events;

namespace HubFunctions.Infrastructure.Common;

/// <summary>Where a sweep's checkpoint row is: its table's partition and row.</summary>
public sealed record CheckpointRow(string PartitionKey, string RowKey);

/// <summary>
/// The one forward-only sweep checkpoint (the ADM-7 SLA index, the CMP-1/2 renewal index and the APT-8
/// no-show index use it): a single row holding the last point a sweep fully covered, as a UTC instant in
/// <see cref="ThroughProperty"/> (a day is stored as its midnight, UTC). <see cref="AdvanceAsync(TableClient, CheckpointRow, DateTimeOffset, CancellationToken)"/>
/// reads the row and, only when the new point is later, writes it conditional on the ETag read (insert-only
/// when the row is new) through <see cref="TableOutbox.CommitAsync"/>, retrying conflicts with the shared
/// <see cref="OptimisticRetry"/>: two overlapping runs both end with the later of their points, and the
/// checkpoint never moves back. It returns where the checkpoint stands after the call.
/// </summary>
public sealed class ForwardCheckpoint(TableOutbox outbox, OptimisticRetry retry)
{
    /// <summary>The property holding the point swept through.</summary>
    public const string ThroughProperty = "SweptThrough";

    /// <summary>The point swept through, or null before the first advance.</summary>
    public async Task<DateTimeOffset?> ReadAsync(TableClient table, CheckpointRow row, CancellationToken cancellationToken)
        => Through(await ReadRowAsync(table, row, cancellationToken).ConfigureAwait(false));

    /// <summary>The day swept through, or null before the first advance.</summary>
    public async Task<DateOnly?> ReadDayAsync(TableClient table, CheckpointRow row, CancellationToken cancellationToken)
        => await ReadAsync(table, row, cancellationToken).ConfigureAwait(false) is { } through ? DateOnly.FromDateTime(through.UtcDateTime) : null;

    /// <summary>Moves the checkpoint to <paramref name="through"/> unless it is there or later already; returns where it stands.</summary>
    public async Task<DateTimeOffset> AdvanceAsync(TableClient table, CheckpointRow row, DateTimeOffset through, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(row);
        return await retry.RunAsync(async (_, ct) =>
        {
            var current = await ReadRowAsync(table, row, ct).ConfigureAwait(false);
            if (Through(current) is { } reached && reached >= through)
            {
                return reached; // An overlapping run got as far already: never move it back.
            }

            var entity = new TableEntity(row.PartitionKey, row.RowKey) { [ThroughProperty] = through.ToUniversalTime() };
            TableTransactionAction change = current is null
                ? new(TableTransactionActionType.Add, entity)
                : new(TableTransactionActionType.UpdateReplace, entity, current.ETag);
            await outbox.CommitAsync(table, row.PartitionKey, [change], [], ct).ConfigureAwait(false);
            return through;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The day form of <see cref="AdvanceAsync(TableClient, CheckpointRow, DateTimeOffset, CancellationToken)"/>.</summary>
    public async Task<DateOnly> AdvanceAsync(TableClient table, CheckpointRow row, DateOnly through, CancellationToken cancellationToken)
    {
        var reached = await AdvanceAsync(table, row, new DateTimeOffset(through.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), cancellationToken).ConfigureAwait(false);
        return DateOnly.FromDateTime(reached.UtcDateTime);
    }

    /// <summary>
    /// The stored point; a row in another layout reads as none, which makes the next run a first run.
    /// Older layouts did exist, for a few hours of development on 2026-11-28 before this class (commit
    /// 6f0599c) replaced three copies: ADM-7 kept <c>SweptThrough</c> as a date string in
    /// <c>checkpoint/adm-7</c>, the renewal sweep <c>Done</c> as an ISO day string, the no-show sweep
    /// <c>SweptThrough</c> as a DateTimeOffset (which this reads). There has been no deployment, so no
    /// stored row has them (only a developer's persistent local Azurite might; clear it), and none is
    /// converted here.
    /// </summary>
    private static DateTimeOffset? Through(TableEntity? row) => (row is not null && row.TryGetValue(ThroughProperty, out var value) ? value : null) switch
    {
        DateTimeOffset instant => instant,
        DateTime instant => new DateTimeOffset(DateTime.SpecifyKind(instant, DateTimeKind.Utc)),
        _ => null,
    };

    private static async Task<TableEntity?> ReadRowAsync(TableClient table, CheckpointRow row, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }
}
