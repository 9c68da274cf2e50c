using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The events committed into a state table and not relayed yet (for tests whose relay does not run), as the relay decides it:
/// the outbox rows in the table, and the intents of witnessed commits (<see cref="TableOutbox.WitnessProperty"/>) into it whose
/// witness row carries their commit stamp. An intent of a commit whose transaction failed is not among them.
/// </summary>
public static class PendingEvents
{
    /// <summary>One pending event: its state partition, CloudEvents type and JSON.</summary>
    public sealed record Pending(string Partition, string Type, string Json, bool Witnessed)
    {
        /// <summary>The CloudEvents <c>subject</c> (e.g. <c>orders/{orderId}</c>): a partition may hold the events of several (an order's outcomes share its index key's).</summary>
        public string? Subject => JsonDocument.Parse(Json).RootElement.TryGetProperty("subject", out var subject) ? subject.GetString() : null;
    }

    /// <summary>The pending events of <paramref name="tableName"/> (of one partition if given).</summary>
    public static async Task<List<Pending>> InAsync(StorageNames names, string tableName, string? partition = null)
    {
        var found = new List<Pending>();
        var table = TestStorage.Tables().GetTableClient(tableName);
        await table.CreateIfNotExistsAsync();
        var rows = partition is null
            ? TableClient.CreateQueryFilter($"RowKey ge {TableOutbox.RowPrefix} and RowKey lt {"outbox}"}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {TableOutbox.RowPrefix} and RowKey lt {"outbox}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(rows))
        {
            found.Add(new(row.PartitionKey, TypeOf(row.GetString("Event")!), row.GetString("Event")!, false));
        }

        var intents = TestStorage.Tables().GetTableClient(names.OutboxIntentsTable);
        await intents.CreateIfNotExistsAsync();
        var ofTable = partition is null
            ? TableClient.CreateQueryFilter($"Table eq {tableName}")
            : TableClient.CreateQueryFilter($"Table eq {tableName} and StatePartition eq {partition}");
        await foreach (var intent in intents.QueryAsync<TableEntity>(ofTable))
        {
            if (intent.GetString(TableOutbox.WitnessProperty) is not { } witness)
            {
                continue;
            }

            var statePartition = intent.GetString("StatePartition")!;
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(statePartition, witness, [TableOutbox.CommitProperty]);
            if (stored.HasValue && stored.Value!.GetString(TableOutbox.CommitProperty) == intent.GetString(TableOutbox.WitnessStampProperty))
            {
                found.Add(new(statePartition, TypeOf(intent.GetString("Event")!), intent.GetString("Event")!, true));
            }
        }

        return found;
    }

    private static string TypeOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("type").GetString()!;
}
