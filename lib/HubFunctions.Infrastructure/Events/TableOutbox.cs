using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Infrastructure.Events;

/// <summary>Where an outbox row is: the state table and partition, and the event id.</summary>
public sealed record OutboxPointer(string Table, string PartitionKey, string EventId, string IntentPartition)
{
    public string RowKey => TableOutbox.RowPrefix + EventId;
}

/// <summary>
/// Transactional outbox on Table Storage (ARCHITECTURE.md, "State"). An event row is written in the
/// same entity group transaction as the state change that causes it (same table, same partition),
/// so one never exists without the other. Before that transaction an intent row goes into
/// <c>outboxintents</c>, keyed by UTC minute: the sweeper finds pending events by a range query on
/// that small table, never by scanning state tables. After the commit a pointer goes on the
/// <c>outbox-relay</c> queue so the event is relayed at once.
/// </summary>
public sealed class TableOutbox(HubStorage storage, TimeProvider clock, ILogger<TableOutbox> logger)
{
    public const string IntentTable = "outboxintents";
    public const string RelayQueue = "outbox-relay";
    public const string RowPrefix = "outbox|";

    /// <summary>An entity group transaction holds at most 100 entities.</summary>
    public const int MaxTransactionEntities = 100;

    /// <summary>Table string properties hold 64 KiB (32K UTF-16 characters); events stay well under.</summary>
    public const int MaxEventBytes = 30_000;

    internal static readonly JsonSerializerOptions PointerJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Commits <paramref name="changes"/> (all in <paramref name="partitionKey"/> of
    /// <paramref name="table"/>) together with one outbox row per event, atomically.
    /// </summary>
    /// <exception cref="TableTransactionFailedException">The transaction failed (e.g. an ETag
    /// conflict); nothing was written and no event will be published.</exception>
    public async Task CommitAsync(TableClient table, string partitionKey, IReadOnlyList<TableTransactionAction> changes,
        IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        if (changes.Any(c => c.Entity.PartitionKey != partitionKey))
        {
            // Azurite accepts cross-partition batches; Azure does not. Guard it here.
            throw new ArgumentException("Every change of one outbox commit must be in the same partition.", nameof(changes));
        }

        if (changes.Count + events.Count > MaxTransactionEntities)
        {
            throw new ArgumentException($"An outbox commit holds at most {MaxTransactionEntities} entities, changes and events together.");
        }

        if (events.Count == 0)
        {
            if (changes.Count > 0)
            {
                await table.SubmitTransactionAsync(changes, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var now = clock.GetUtcNow();
        var intentPartition = IntentPartitionFor(now);
        var rows = events.Select(e => OutboxRow(partitionKey, e, now)).ToList();
        var intents = await storage.TableAsync(IntentTable, cancellationToken).ConfigureAwait(false);
        await intents.SubmitTransactionAsync(events.Select(e => new TableTransactionAction(TableTransactionActionType.Add,
            new TableEntity(intentPartition, e.Id)
            {
                ["Table"] = table.Name,
                ["StatePartition"] = partitionKey,
                ["CreatedAt"] = now,
            })), cancellationToken).ConfigureAwait(false);

        // If this fails, the intents stay: a failure is not proof that nothing was committed (a
        // commit whose response was lost looks the same). The sweeper relays the event if its row
        // exists and drops the intent after OutboxRelay.OrphanAge if it never appears.
        await table.SubmitTransactionAsync([.. changes, .. rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r))], cancellationToken).ConfigureAwait(false);

        try
        {
            var queue = await storage.QueueAsync(RelayQueue, cancellationToken).ConfigureAwait(false);
            foreach (var e in events)
            {
                var pointer = new OutboxPointer(table.Name, partitionKey, e.Id, intentPartition);
                await queue.SendMessageAsync(JsonSerializer.Serialize(pointer, PointerJson), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException)
        {
            // The state and its events are committed; the sweeper relays them within a minute.
            logger.LogWarning(e, "Could not queue outbox relay for {Count} events in {Table}/{Partition}; the sweeper will relay them", events.Count, table.Name, partitionKey);
        }
    }

    public static string IntentPartitionFor(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static TableEntity OutboxRow(string partitionKey, HubEvent e, DateTimeOffset now)
    {
        var json = Encoding.UTF8.GetString(CloudEventCodec.Encode(e));
        if (Encoding.UTF8.GetByteCount(json) > MaxEventBytes)
        {
            throw new ArgumentException($"Event {e.Type} is larger than {MaxEventBytes} bytes; put large data in Blob Storage and reference it.");
        }

        return new TableEntity(partitionKey, RowPrefix + e.Id)
        {
            ["Event"] = json,
            ["EventType"] = e.Type,
            ["CreatedAt"] = now,
        };
    }
}
