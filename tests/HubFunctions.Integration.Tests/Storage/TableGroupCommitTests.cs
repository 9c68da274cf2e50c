using Azure;
using Azure.Data.Tables;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Storage;

/// <summary>
/// <see cref="TableGroupCommit"/> against Azurite: submissions made while a transaction of their partition runs share the
/// next one, and a refused combined transaction is the refusal of its own submission only. Each test writes its own table.
/// </summary>
public sealed class TableGroupCommitTests
{
    private readonly StorageNames _names = TestStorage.IsolatedNames();

    private static TableTransactionAction Insert(string partition, string row) => new(TableTransactionActionType.Add, new TableEntity(partition, row) { ["Value"] = row });

    [Fact]
    public async Task A_refused_combined_transaction_fails_only_the_submission_whose_action_was_refused_and_writes_the_others()
    {
        var hold = new HoldFirstWrite(armed: false);
        using var process = TestServices.Build(new FakeTimeProvider(DateTimeOffset.UtcNow), _names, services => services.AddSingleton<StorageClientPolicy>(hold));
        var storage = process.GetRequiredService<HubStorage>();
        var group = process.GetRequiredService<TableGroupCommit>();
        var table = await storage.TableAsync(TestStorage.Unique("group"));
        var partition = "p";
        await table.AddEntityAsync(new TableEntity(partition, "taken"));
        hold.Arm();

        var first = group.SubmitAsync(table, [Insert(partition, "first")], CancellationToken.None);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var a = group.SubmitAsync(table, [Insert(partition, "a1"), Insert(partition, "a2")], CancellationToken.None);
        var refused = group.SubmitAsync(table, [Insert(partition, "b"), Insert(partition, "taken")], CancellationToken.None);
        var c = group.SubmitAsync(table, [Insert(partition, "c")], CancellationToken.None);
        while (group.Waiting < 3)
        {
            await Task.Delay(10);
        }

        hold.Release();
        Assert.Single(await first);
        Assert.Equal(2, (await a).Count);
        Assert.Single(await c);
        await Assert.ThrowsAsync<TableTransactionFailedException>(() => refused);

        // The first alone (one insert: a plain insert since session s11), the three waiting together (refused), then each of them
        // alone (c, one insert, a plain one too).
        Assert.Equal(1 + 1 + 3, hold.Writes);
        var rows = await table.QueryAsync<TableEntity>(e => e.PartitionKey == partition).Select(e => e.RowKey).ToListAsync();
        Assert.Equal(["a1", "a2", "c", "first", "taken"], rows.Order(StringComparer.Ordinal));
    }

    /// <summary>Records the method and last path segment of every table request of this process.</summary>
    private sealed class RecordRequests : StorageClientPolicy
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _seen = new();

        public IReadOnlyList<string> Seen => [.. _seen];

        public void Clear() => _seen.Clear();

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            => ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var last = Uri.UnescapeDataString(message.Request.Uri.Path).Split('/').Last();
            _seen.Enqueue($"{message.Request.Method} {(last == "$batch" ? "$batch" : last.Contains('(', StringComparison.Ordinal) ? "entity" : "table")}");
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
    }

    [Fact]
    public async Task A_transaction_of_one_insert_upsert_or_conditional_update_is_sent_as_that_plain_operation_with_the_same_answers_and_a_delete_stays_a_batch()
    {
        var requests = new RecordRequests();
        using var process = TestServices.Build(new FakeTimeProvider(DateTimeOffset.UtcNow), _names, services => services.AddSingleton<StorageClientPolicy>(requests));
        var group = process.GetRequiredService<TableGroupCommit>();
        var table = await process.GetRequiredService<HubStorage>().TableAsync(TestStorage.Unique("plain"));
        requests.Clear();

        // Insert: one POST to the table, its ETag in the answer; the same row again: refused as a transaction would be.
        var inserted = Assert.Single(await group.SubmitAsync(table, [Insert("p", "r")], CancellationToken.None));
        Assert.NotNull(inserted.Headers.ETag);
        var conflict = await Assert.ThrowsAsync<TableTransactionFailedException>(() => group.SubmitAsync(table, [Insert("p", "r")], CancellationToken.None));
        Assert.Equal((409, "EntityAlreadyExists"), (conflict.Status, conflict.ErrorCode));

        // Update under the ETag read: applied, a new ETag; under the old one again: 412, as a transaction.
        var updated = Assert.Single(await group.SubmitAsync(table, [new(TableTransactionActionType.UpdateReplace, new TableEntity("p", "r") { ["Value"] = "2" }, inserted.Headers.ETag!.Value)], CancellationToken.None));
        Assert.NotEqual(inserted.Headers.ETag, updated.Headers.ETag);
        var stale = await Assert.ThrowsAsync<TableTransactionFailedException>(() => group.SubmitAsync(table, [new(TableTransactionActionType.UpdateMerge, new TableEntity("p", "r") { ["Value"] = "3" }, inserted.Headers.ETag!.Value)], CancellationToken.None));
        Assert.Equal(412, stale.Status);
        Assert.Single(await group.SubmitAsync(table, [new(TableTransactionActionType.UpsertMerge, new TableEntity("p", "u") { ["Value"] = "1" })], CancellationToken.None));

        // A delete of a missing row stays a transaction, which refuses it (a plain delete would not).
        var missing = await Assert.ThrowsAsync<TableTransactionFailedException>(() => group.SubmitAsync(table, [new(TableTransactionActionType.Delete, new TableEntity("p", "gone"), ETag.All)], CancellationToken.None));
        Assert.Equal(404, missing.Status);

        Assert.Equal(["POST table", "POST table", "PUT entity", "PATCH entity", "PATCH entity", "POST $batch"], requests.Seen);
        Assert.Equal("2", (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetString("Value"));
    }

    [Fact]
    public async Task Submissions_to_other_partitions_do_not_wait_for_each_other()
    {
        var hold = new HoldFirstWrite();
        using var process = TestServices.Build(new FakeTimeProvider(DateTimeOffset.UtcNow), _names, services => services.AddSingleton<StorageClientPolicy>(hold));
        var storage = process.GetRequiredService<HubStorage>();
        var group = process.GetRequiredService<TableGroupCommit>();
        var table = await storage.TableAsync(TestStorage.Unique("group"));

        var held = group.SubmitAsync(table, [Insert("p1", "x")], CancellationToken.None);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Single(await group.SubmitAsync(table, [Insert("p2", "y")], CancellationToken.None));
        Assert.False(held.IsCompleted);
        hold.Release();
        Assert.Single(await held);
    }

    [Fact]
    public async Task A_submission_writing_a_row_that_a_waiting_or_running_transaction_writes_goes_alone_at_once()
    {
        // Writers of one row (a counter under its ETag) race as without group commit: queued behind each other, every loser
        // would fail in turn behind the winner, one round trip after the other.
        var hold = new HoldFirstWrite();
        using var process = TestServices.Build(new FakeTimeProvider(DateTimeOffset.UtcNow), _names, services => services.AddSingleton<StorageClientPolicy>(hold));
        var storage = process.GetRequiredService<HubStorage>();
        var group = process.GetRequiredService<TableGroupCommit>();
        var table = await storage.TableAsync(TestStorage.Unique("group"));

        var held = group.SubmitAsync(table, [new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "counter") { ["Value"] = 1 })], CancellationToken.None);
        await hold.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await group.SubmitAsync(table, [new(TableTransactionActionType.UpsertReplace, new TableEntity("p", "counter") { ["Value"] = 2 }), Insert("p", "other")], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, second.Count);
        Assert.False(held.IsCompleted);
        Assert.Equal(0, group.Waiting);
        hold.Release();
        Assert.Single(await held);
        Assert.Equal(1, (await table.GetEntityAsync<TableEntity>("p", "counter")).Value.GetInt32("Value"));
    }
}
