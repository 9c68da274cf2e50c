using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;

namespace HubFunctions.Infrastructure.Events;

public enum RelayOutcome
{
    /// <summary>Sent, and the outbox row and intent removed.</summary>
    Published,

    /// <summary>Another relay holds the row's lease right now.</summary>
    Leased,

    /// <summary>No outbox row: already relayed, or its transaction never committed.</summary>
    Missing,
}

/// <summary>
/// Points where a fault-injection test stops the relay as if the process died. The production
/// implementation does nothing.
/// </summary>
public interface IOutboxRelayHooks
{
    Task BeforePublishAsync(HubEvent hubEvent);

    Task AfterPublishAsync(HubEvent hubEvent);
}

public sealed class NoOutboxRelayHooks : IOutboxRelayHooks
{
    public Task BeforePublishAsync(HubEvent hubEvent) => Task.CompletedTask;

    public Task AfterPublishAsync(HubEvent hubEvent) => Task.CompletedTask;
}

/// <summary>
/// Moves committed outbox rows to the publisher. A relay claims a row with a short lease (ETag
/// update) before publishing, so the prompt queue-triggered relay and the sweeper never publish the
/// same row at once; if the process dies while holding it, the lease runs out and the row is sent
/// again, with the same event id. Delivery is at least once; the id makes repeats detectable.
/// </summary>
public sealed class OutboxRelay(
    HubStorage storage,
    IEventPublisher publisher,
    ResiliencePipelineProvider<string> pipelines,
    IOutboxRelayHooks hooks,
    TimeProvider clock,
    ILogger<OutboxRelay> logger)
{
    public const string PipelineKey = "hub-events-publish";

    /// <summary>How long a claimed row is reserved for the relay that claimed it: longer than a publish may take.</summary>
    public static readonly TimeSpan Lease = EventsRegistration.PublishTimeout + TimeSpan.FromSeconds(20);

    /// <summary>An intent younger than this is left to the prompt relay by the sweeper.</summary>
    public static readonly TimeSpan SweepMinAge = TimeSpan.FromSeconds(15);

    /// <summary>An intent without its outbox row older than this belongs to a transaction that never committed.</summary>
    public static readonly TimeSpan OrphanAge = TimeSpan.FromMinutes(5);

    public async Task<RelayOutcome> RelayAsync(OutboxPointer pointer, CancellationToken cancellationToken)
    {
        // The table is named by a queue message: never create it. A state table the app committed
        // to exists; one that does not is treated as a missing row (nothing is created or sent).
        var table = storage.TableService.GetTableClient(pointer.Table);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(pointer.PartitionKey, pointer.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        if (!found.HasValue || found.Value is not { } row)
        {
            await DropIntentIfOrphanedAsync(pointer, now, cancellationToken).ConfigureAwait(false);
            return RelayOutcome.Missing;
        }

        if (row.GetDateTimeOffset("LeaseUntil") is { } leaseUntil && leaseUntil > now)
        {
            return RelayOutcome.Leased;
        }

        ETag claimed;
        try
        {
            row["LeaseUntil"] = now + Lease;
            var response = await table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            claimed = response.Headers.ETag ?? ETag.All;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return RelayOutcome.Leased;
        }

        var hubEvent = CloudEventCodec.Decode(System.Text.Encoding.UTF8.GetBytes(row.GetString("Event")!));
        await hooks.BeforePublishAsync(hubEvent).ConfigureAwait(false);
        await pipelines.GetPipeline(PipelineKey).ExecuteAsync(
            static async (state, ct) => await state.publisher.PublishAsync(state.hubEvent, ct).ConfigureAwait(false),
            (publisher, hubEvent), cancellationToken).ConfigureAwait(false);
        await hooks.AfterPublishAsync(hubEvent).ConfigureAwait(false);

        try
        {
            await table.DeleteEntityAsync(pointer.PartitionKey, pointer.RowKey, claimed, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Our lease ran out and another relay took the row: it sends the same id again.
            logger.LogWarning("Outbox row {EventId} changed while it was being published; it may be sent again", pointer.EventId);
        }

        await DeleteIntentAsync(pointer, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Published {EventType} {EventId}", hubEvent.Type, hubEvent.Id);
        return RelayOutcome.Published;
    }

    /// <summary>
    /// Relays every pending event whose intent is at least <see cref="SweepMinAge"/> old: the ones
    /// the prompt relay missed (process died, queue unavailable, publisher down). Reads only the
    /// intents table, by partition-key range. Returns how many were published.
    /// </summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
        var upTo = TableOutbox.IntentPartitionFor(clock.GetUtcNow() - SweepMinAge);
        var cutoff = clock.GetUtcNow() - SweepMinAge;
        var published = 0;
        var pending = new List<OutboxPointer>();
        await foreach (var intent in intents.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey le {upTo}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (intent.GetDateTimeOffset("CreatedAt") is { } created && created > cutoff)
            {
                continue;
            }

            pending.Add(new OutboxPointer(intent.GetString("Table")!, intent.GetString("StatePartition")!, intent.RowKey, intent.PartitionKey));
        }

        await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (pointer, ct) =>
        {
            try
            {
                if (await RelayAsync(pointer, ct).ConfigureAwait(false) == RelayOutcome.Published)
                {
                    Interlocked.Increment(ref published);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sweep could not relay event {EventId}; next sweep tries again", pointer.EventId);
            }
        }).ConfigureAwait(false);

        if (pending.Count > 0)
        {
            logger.LogInformation("Outbox sweep: {Pending} pending, {Published} published", pending.Count, published);
        }

        return published;
    }

    /// <summary>
    /// Reads a pointer from a queue message. A pointer without all its parts, or naming something
    /// that cannot be a table (Azure's rule: 3-63 letters and digits, starting with a letter, not
    /// <c>tables</c>), is refused with <see cref="JsonException"/>, so the message goes to poison.
    /// </summary>
    public static OutboxPointer ParsePointer(string json)
    {
        var pointer = JsonSerializer.Deserialize<OutboxPointer>(json, TableOutbox.PointerJson) ?? throw new JsonException("Empty outbox pointer.");
        if (string.IsNullOrEmpty(pointer.Table) || string.IsNullOrEmpty(pointer.PartitionKey) || string.IsNullOrEmpty(pointer.EventId) || string.IsNullOrEmpty(pointer.IntentPartition))
        {
            throw new JsonException("Incomplete outbox pointer.");
        }

        if (pointer.Table.Length is < 3 or > 63 || !char.IsAsciiLetter(pointer.Table[0]) || !pointer.Table.All(char.IsAsciiLetterOrDigit)
            || pointer.Table.Equals("tables", StringComparison.OrdinalIgnoreCase))
        {
            throw new JsonException("The outbox pointer does not name a valid table.");
        }

        return pointer;
    }

    private async Task DropIntentIfOrphanedAsync(OutboxPointer pointer, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
        var intent = await intents.GetEntityIfExistsAsync<TableEntity>(pointer.IntentPartition, pointer.EventId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (intent.HasValue && intent.Value!.GetDateTimeOffset("CreatedAt") is { } created && now - created > OrphanAge)
        {
            await DeleteIntentAsync(pointer, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeleteIntentAsync(OutboxPointer pointer, CancellationToken cancellationToken)
    {
        var intents = await storage.TableAsync(storage.Names.OutboxIntentsTable, cancellationToken).ConfigureAwait(false);
        try
        {
            await intents.DeleteEntityAsync(pointer.IntentPartition, pointer.EventId, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }
}
