using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>What the order tests share: bodies, calls, running the cutoff sweep through the admin endpoint, and reading this host's outbox.</summary>
public static class OrderFixture
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>A valid order body for the test seller client's seller (<c>demo-seller</c> at hangzhou).</summary>
    public static Dictionary<string, object?> Body(string orderId, DateTimeOffset createdAt, string sellerId = "demo-seller", string hub = "hangzhou") => new()
    {
        ["orderId"] = orderId,
        ["sellerId"] = sellerId,
        ["channel"] = "aliexpress",
        ["createdAt"] = createdAt.ToOffset(China).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        ["hub"] = hub,
        ["items"] = new object[] { new { sku = "SKU-1", quantity = 2 }, new { sku = "SKU-2", quantity = 1 } },
    };

    public static Task<HttpResponseMessage> SubmitAsync(HttpClient platform, object body) => platform.PostAsJsonAsync("/api/orders", body);

    public static async Task<JsonElement> SubmittedAsync(HttpClient platform, object body)
        => await HttpAssert.Json(await SubmitAsync(platform, body), HttpStatusCode.Accepted);

    public static Task<HttpResponseMessage> InstructAsync(HttpClient seller, string orderId, string instructionId)
        => seller.PostAsJsonAsync($"/api/orders/{orderId}/dispatch-instructions", new { instructionId });

    /// <summary>A signed order intake under <paramref name="webhookId"/> (send it again to retry the same message).</summary>
    public static HttpRequestMessage IntakeRequest(string webhookId, object body) => WithWebhookId("/api/orders", webhookId, body);

    /// <summary>A signed dispatch instruction under <paramref name="webhookId"/> (send it again to retry the same message).</summary>
    public static HttpRequestMessage InstructionRequest(string webhookId, string orderId, string instructionId)
        => WithWebhookId($"/api/orders/{orderId}/dispatch-instructions", webhookId, new { instructionId });

    private static HttpRequestMessage WithWebhookId(string path, string webhookId, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("webhook-id", webhookId);
        return request;
    }

    public static async Task<string> StatusAsync(HttpClient client, string orderId)
        => (await HttpAssert.Json(await client.GetAsync($"/api/orders/{orderId}"))).GetProperty("status").GetString()!;

    /// <summary>
    /// Commits the DSP-5 counts this host has gathered (an intake's or instruction's count is committed about 200 ms after its
    /// answer, Orders/DECISIONS.md, "Counting gathered per seller and month"), so the tables a test reads next are settled.
    /// </summary>
    public static Task CountsCommittedAsync(DevHostFactory factory)
        => factory.Services.GetRequiredService<ISellerMetricsStore>() is TableSellerMetricsStore store ? store.FlushAsync(null, CancellationToken.None) : Task.CompletedTask;

    /// <summary>Stores <paramref name="seller"/> (default: active <c>demo-seller</c> at hangzhou) in this host's seller store.</summary>
    public static async Task SeedAsync(DevHostFactory factory, Seller? seller = null)
        => Assert.True(await factory.Services.GetRequiredService<ISellerDirectory>().TryAddAsync(seller ?? TestSellers.Make("demo-seller"), [], CancellationToken.None));

    /// <summary>
    /// One sweep as the host runs it: the timer function through the admin endpoint (it queues the due index
    /// partitions), then every queued message through the queue function, as the listener would; returns the messages run.
    /// </summary>
    public static async Task<int> RunSweepAsync(DevHostFactory factory)
    {
        using var admin = factory.CreateClient();
        await HttpAssert.Json(await admin.PostAsync("/admin/functions/PlanOrderCutoff", null), HttpStatusCode.Accepted);
        return await DrainCutoffQueueAsync(factory);
    }

    /// <summary>Runs every message on this host's cutoff queue through <c>SweepOrderCutoffShard</c> (admin endpoint), deleting each after.</summary>
    public static async Task<int> DrainCutoffQueueAsync(DevHostFactory factory)
    {
        using var admin = factory.CreateClient();
        var queue = TestStorage.Queue(factory.Names.OrderCutoffQueue);
        await queue.CreateIfNotExistsAsync();
        var run = 0;
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(5))).Value is { Length: > 0 } batch)
        {
            foreach (var m in batch)
            {
                await HttpAssert.Json(await admin.PostAsJsonAsync("/admin/functions/SweepOrderCutoffShard", new { input = m.Body.ToString() }), HttpStatusCode.Accepted);
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                run++;
            }
        }

        return run;
    }

    /// <summary>
    /// The event types pending for <paramref name="orderId"/> (the relay is not running, so they stay; <see cref="PendingEvents"/>),
    /// sorted: the intake's witnessed by the order row, the instruction's or conversion's by the order's outcome row.
    /// </summary>
    public static async Task<List<string>> EventTypesAsync(StorageNames names, string orderId)
    {
        var types = (await PendingEvents.InAsync(names, names.OrdersTable, orderId)).Select(e => e.Type).ToList();
        // The whole outcomes table, this order's events only (a partition there holds the outcomes of every order filed under one
        // index key; looking in one partition would miss an event committed in another).
        types.AddRange((await PendingEvents.InAsync(names, names.OrderOutcomesTable)).Where(e => e.Subject == "orders/" + orderId).Select(e => e.Type));

        types.Sort(StringComparer.Ordinal);
        return types;
    }

    /// <summary>
    /// The partition of <paramref name="orderId"/>'s outcome row in <see cref="StorageNames.OrderOutcomesTable"/>: its index key, as its
    /// order row says (<see cref="TableOrderStore.OutcomePartitionOf"/>); the order id when the order is not stored. Read on the
    /// tests' own client, so a <see cref="PointReadCounter"/> of the host does not count it.
    /// </summary>
    public static async Task<string> OutcomePartitionAsync(StorageNames names, string orderId)
    {
        var table = TestStorage.Tables().GetTableClient(names.OrdersTable);
        await table.CreateIfNotExistsAsync();
        var row = await table.GetEntityIfExistsAsync<TableEntity>(orderId, TableOrderStore.OrderRowKey(orderId));
        return row.HasValue ? TableOrderStore.OutcomePartitionOf(row.Value!) : orderId;
    }

    /// <summary>The rows of this host's deadline index as <c>{index key}/{order id}</c> (every minute's bucket table), sorted.</summary>
    public static async Task<List<string>> IndexRowsAsync(StorageNames names)
    {
        var rows = new List<string>();
        foreach (var bucket in await IndexBucketsAsync(names))
        {
            await foreach (var e in TestStorage.Tables().GetTableClient(names.OrderDeadlinesTable + bucket).QueryAsync<TableEntity>())
            {
                rows.Add($"{bucket}-{e.PartitionKey}/{e.RowKey}");
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>The minutes (<c>yyyyMMddHHmm</c>) that have a bucket table in this host's deadline index, sorted.</summary>
    public static async Task<List<string>> IndexBucketsAsync(StorageNames names)
    {
        var prefix = names.OrderDeadlinesTable;
        var buckets = new List<string>();
        await foreach (var t in TestStorage.Tables().QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {prefix + "0"} and TableName lt {prefix + ":"}")))
        {
            buckets.Add(t.Name[prefix.Length..]);
        }

        buckets.Sort(StringComparer.Ordinal);
        return buckets;
    }

    /// <summary>Writes an index row under <paramref name="indexKey"/> directly (an index row without an order: a crash between the two writes).</summary>
    public static async Task AddIndexRowAsync(StorageNames names, string indexKey, string orderId)
    {
        var table = TestStorage.Tables().GetTableClient(names.OrderDeadlinesTable + indexKey[..12]);
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity(indexKey[13..], orderId));
    }
}

/// <summary>Counting passes through, except the first one after <see cref="Arm"/>, which fails (as if lost after the order's commit).</summary>
public sealed class LoseArmedCount
{
    private int _armed;

    public void Arm() => Interlocked.Exchange(ref _armed, 1);

    public ISellerMetricsStore Wrapping(ISellerMetricsStore inner) => new Store(this, inner);

    /// <summary>For <c>DevHostFactory(services: …)</c>: the host's counters go through this, wrapping the real table store.</summary>
    public void Replace(IServiceCollection services)
    {
        services.RemoveAll<ISellerMetricsStore>();
        services.AddSingleton<ISellerMetricsStore>(sp => Wrapping(ActivatorUtilities.CreateInstance<TableSellerMetricsStore>(sp)));
    }

    private sealed class Store(LoseArmedCount owner, ISellerMetricsStore inner) : ISellerMetricsStore
    {
        public Task CountAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken)
            => Interlocked.Exchange(ref owner._armed, 0) == 1 ? throw new IOException("lost before the counters' commit") : inner.CountAsync(orders, cancellationToken);

        public Task<SellerMonthlyMetrics> ReadAsync(string sellerId, HubFunctions.Core.Admission.CalendarMonth month, CancellationToken cancellationToken)
            => inner.ReadAsync(sellerId, month, cancellationToken);
    }
}
