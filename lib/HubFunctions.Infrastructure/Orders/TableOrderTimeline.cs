using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Orders;

/// <summary>
/// Stage events in <see cref="StorageNames.OrderStagesTable"/>: one partition per order id, row
/// <c>{UTC ticks:D19}|{stage}</c> (time order; the same stage at the same instant is the same row, so a repeat is one
/// record: insert-only, the first one stands). Written through <see cref="TableOutbox.CommitAsync"/>, without an event
/// (API.md and DOMAIN.md name none for stage events).
/// </summary>
public sealed class TableOrderTimeline(HubStorage storage, TableOutbox outbox) : IOrderTimeline
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public async Task<(RecordedStageEvent Event, bool Created)> AddAsync(RecordedStageEvent stageEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stageEvent);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = RowKey(stageEvent.Stage, stageEvent.At);
        try
        {
            var outcome = await outbox.CommitAsync(table, stageEvent.OrderId, [new(TableTransactionActionType.Add, ToEntity(stageEvent, row))], [], cancellationToken).ConfigureAwait(false);
            return (stageEvent, outcome == CommitOutcome.Committed);
        }
        catch (ConcurrencyConflictException)
        {
            var stored = await table.GetEntityAsync<TableEntity>(stageEvent.OrderId, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (FromEntity(stored.Value), false);
        }
    }

    public async Task<IReadOnlyList<RecordedStageEvent>> ListAsync(string orderId, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var events = new List<RecordedStageEvent>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {orderId}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            events.Add(FromEntity(e));
        }

        return events;
    }

    private static string RowKey(string stage, DateTimeOffset at) => $"{at.UtcTicks:D19}|{stage}";

    private static TableEntity ToEntity(RecordedStageEvent e, string row) => new(e.OrderId, row)
    {
        ["Stage"] = e.Stage,
        ["At"] = e.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["Items"] = System.Text.Json.JsonSerializer.Serialize(e.Items, Json),
        ["RecordedAt"] = e.RecordedAt,
        ["RecordedBy"] = e.RecordedBy,
    };

    private static RecordedStageEvent FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Stage")!,
        DateTimeOffset.ParseExact(e.GetString("At")!, "O", System.Globalization.CultureInfo.InvariantCulture),
        System.Text.Json.JsonSerializer.Deserialize<List<WmsHsCode>>(e.GetString("Items") ?? "[]", Json)!,
        e.GetDateTimeOffset("RecordedAt")!.Value,
        e.GetString("RecordedBy")!);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderStagesTable, cancellationToken);
}
