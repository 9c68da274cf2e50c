using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Orders;

/// <summary>
/// Orders in <see cref="StorageNames.OrdersTable"/>, <b>one partition per order id</b> (row <see cref="OrderRow"/>, beside
/// it the order's outbox rows): every read and change is by order id (the routes name nothing else), so a point read,
/// and 2.8 M orders a day spread over as many partitions. The deadline index is in
/// <see cref="StorageNames.OrderDeadlinesTable"/>: partition <see cref="DeadlineIndex.Key"/> (UTC minute and shard),
/// row = order id. The two cannot share a transaction, so the index row is written <b>first</b>; a crash in between
/// leaves an index row without an order, which the sweep ignores (a retried intake writes the same row again).
/// </summary>
public sealed class TableOrderStore(HubStorage storage, TableOutbox outbox) : IOrderStore
{
    public const string OrderRow = "order";

    /// <summary>A table string property holds 32K UTF-16 characters: longer item lists are split over <c>Items</c>, <c>Items1</c>, ...</summary>
    private const int ItemsChunk = 30_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task<StoredOrder?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(orderId))
        {
            return null;
        }

        var table = await Orders(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(orderId, OrderRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? FromEntity(e) : null;
    }

    public async Task AddAsync(Order order, string fingerprint, string? indexKey, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (indexKey is not null)
        {
            var index = await Index(cancellationToken).ConfigureAwait(false);
            await outbox.CommitAsync(index, indexKey, [new(TableTransactionActionType.UpsertReplace, new TableEntity(indexKey, order.OrderId) { ["SellerId"] = order.SellerId })], [], cancellationToken).ConfigureAwait(false);
        }

        var table = await Orders(cancellationToken).ConfigureAwait(false);
        await outbox.CommitAsync(table, order.OrderId, [new(TableTransactionActionType.Add, ToEntity(order, fingerprint))], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateAsync(StoredOrder before, Order after, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var table = await Orders(cancellationToken).ConfigureAwait(false);
        await outbox.CommitAsync(table, after.OrderId,
            [new(TableTransactionActionType.UpdateReplace, ToEntity(after, before.Fingerprint), new ETag(before.ConcurrencyToken))], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListIndexAsync(string indexKey, CancellationToken cancellationToken)
    {
        var index = await Index(cancellationToken).ConfigureAwait(false);
        var ids = new List<string>();
        await foreach (var e in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {indexKey}"), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            ids.Add(e.RowKey);
        }

        return ids;
    }

    public async Task<IReadOnlyList<string>> IndexKeysAsync(string firstKey, string lastKey, CancellationToken cancellationToken)
    {
        var index = await Index(cancellationToken).ConfigureAwait(false);
        var keys = new List<string>();
        await foreach (var e in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {firstKey} and PartitionKey le {lastKey}"), select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (keys.Count == 0 || keys[^1] != e.PartitionKey)
            {
                keys.Add(e.PartitionKey);
            }
        }

        return keys;
    }

    public async Task RemoveIndexAsync(string indexKey, IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        var index = await Index(cancellationToken).ConfigureAwait(false);
        foreach (var chunk in orderIds.Chunk(TableOutbox.MaxTransactionEntities))
        {
            try
            {
                await outbox.CommitAsync(index, indexKey, chunk.Select(Delete).ToList(), [], cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                // One of them is gone already (an overlapping run): delete the rest one by one.
                foreach (var id in chunk)
                {
                    try
                    {
                        await outbox.CommitAsync(index, indexKey, [Delete(id)], [], cancellationToken).ConfigureAwait(false);
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // Already removed.
                    }
                }
            }
        }

        TableTransactionAction Delete(string orderId) => new(TableTransactionActionType.Delete, new TableEntity(indexKey, orderId), ETag.All);
    }

    public async Task<DateTimeOffset?> EarliestIndexMinuteAsync(CancellationToken cancellationToken)
    {
        var index = await Index(cancellationToken).ConfigureAwait(false);
        // Index partitions start with a digit; the checkpoint's partition with a letter. Results come in key order.
        await foreach (var e in index.QueryAsync<TableEntity>("PartitionKey ge '0' and PartitionKey lt ':'", maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return DateTimeOffset.ParseExact(e.PartitionKey[..12], "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }

        return null;
    }

    private Task<TableClient> Orders(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrdersTable, cancellationToken);

    private Task<TableClient> Index(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderDeadlinesTable, cancellationToken);

    private static TableEntity ToEntity(Order o, string fingerprint)
    {
        var entity = new TableEntity(o.OrderId, OrderRow)
        {
            ["SellerId"] = o.SellerId,
            ["Hub"] = o.Hub,
            ["Channel"] = o.Channel,
            ["CreatedAt"] = o.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["DispatchDeadline"] = o.DispatchDeadline,
            ["Premium"] = o.Premium,
            ["ReceivedAt"] = o.ReceivedAt,
            ["Status"] = OrderWire.Name(o.Status),
            ["InstructionId"] = o.InstructionId,
            ["InstructedAt"] = o.InstructedAt,
            ["ConvertedAt"] = o.ConvertedAt,
            ["Fingerprint"] = fingerprint,
        };
        var items = JsonSerializer.Serialize(o.Items, Json);
        for (var i = 0; i * ItemsChunk < items.Length; i++)
        {
            entity[i == 0 ? "Items" : $"Items{i}"] = items.Substring(i * ItemsChunk, Math.Min(ItemsChunk, items.Length - (i * ItemsChunk)));
        }

        return entity;
    }

    private static StoredOrder FromEntity(TableEntity e)
    {
        var items = new StringBuilder(e.GetString("Items"));
        for (var i = 1; e.GetString($"Items{i}") is { } more; i++)
        {
            items.Append(more);
        }

        var order = new Order(
            e.PartitionKey,
            e.GetString("SellerId")!,
            e.GetString("Hub")!,
            e.GetString("Channel")!,
            DateTimeOffset.ParseExact(e.GetString("CreatedAt")!, "O", CultureInfo.InvariantCulture),
            JsonSerializer.Deserialize<List<OrderItem>>(items.ToString(), Json)!,
            e.GetBoolean("Premium") ?? false,
            e.GetDateTimeOffset("ReceivedAt")!.Value,
            OrderWire.ParseStatus(e.GetString("Status")) ?? throw new InvalidOperationException($"Order {e.PartitionKey} has an unknown status."),
            e.GetString("InstructionId"),
            e.GetDateTimeOffset("InstructedAt"),
            e.GetDateTimeOffset("ConvertedAt"));
        return new StoredOrder(order, e.GetString("Fingerprint")!, e.ETag.ToString());
    }
}

/// <summary>The cutoff sweep's forward-only checkpoint: the shared <see cref="ForwardCheckpoint"/> on row <c>cutoff</c> in the partition <c>checkpoint</c> of <see cref="StorageNames.OrderDeadlinesTable"/>.</summary>
public sealed class TableCutoffCheckpoint(HubStorage storage, ForwardCheckpoint checkpoint) : ISweepCheckpoint
{
    public const string Partition = "checkpoint";
    public const string Row = "cutoff";

    private static readonly CheckpointRow Where = new(Partition, Row);

    public async Task<SweepCheckpoint> ReadAsync(CancellationToken cancellationToken)
        => new(await checkpoint.ReadAsync(await Table(cancellationToken).ConfigureAwait(false), Where, cancellationToken).ConfigureAwait(false));

    public async Task<DateTimeOffset> AdvanceAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), Where, sweptThrough, cancellationToken).ConfigureAwait(false);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderDeadlinesTable, cancellationToken);
}

/// <summary>
/// The cutoff sweep's fan-out queue (<see cref="StorageNames.OrderCutoffQueue"/>): one <see cref="CutoffMessage.Text"/> per
/// message, and the way back from its poison queue.
/// </summary>
public sealed class StorageOrderCutoffQueue(HubStorage storage, Microsoft.Extensions.Azure.IAzureClientFactory<QueueServiceClient> queueClients) : IOrderCutoffQueue
{
    public async Task EnqueueAsync(IReadOnlyList<CutoffMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var queue = await storage.QueueAsync(storage.Names.OrderCutoffQueue, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in messages.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(m => queue.SendMessageAsync(m.Text, cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The host moves a message that failed <c>maxDequeueCount</c> times to <c>{queue}-poison</c> (the Functions convention,
    /// text unchanged, base64); this sends each cutoff message found there back to the queue as it is, then deletes the poison
    /// copy (a crash in between sends it twice: harmless, sweeping a partition is repeatable). Read without decoding, so a
    /// message that is not base64 or not a cutoff message is seen and left where it is (visible again at once), never thrown on.
    /// </summary>
    public async Task<int> RequeuePoisonedAsync(int max, CancellationToken cancellationToken)
    {
        var raw = queueClients.CreateClient(StorageRegistration.UnencodedClientName);
        var poison = raw.GetQueueClient(storage.Names.OrderCutoffQueue + "-poison");
        if (!await poison.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var queue = raw.GetQueueClient(storage.Names.OrderCutoffQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var moved = 0;
        while (moved < max)
        {
            var batch = (await poison.ReceiveMessagesAsync(Math.Min(32, max - moved), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Value;
            var ours = batch.Where(m => IsCutoffMessage(m.Body.ToString())).ToList();
            foreach (var m in ours)
            {
                await queue.SendMessageAsync(m.Body.ToString(), cancellationToken).ConfigureAwait(false);
                await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, cancellationToken).ConfigureAwait(false);
                moved++;
            }

            foreach (var stranger in batch.Except(ours))
            {
                // Left as it was: visible again at once, for whoever looks at the poison queue.
                await poison.UpdateMessageAsync(stranger.MessageId, stranger.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (batch.Length == 0 || ours.Count < batch.Length)
            {
                break; // Empty, or strangers in the batch: stop rather than read them again.
            }
        }

        return moved;
    }

    private static bool IsCutoffMessage(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) && CutoffMessage.Parse(Encoding.UTF8.GetString(bytes, 0, length)) is not null;
    }
}
