using HubFunctions.Core.Billing;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// BIL-6 with several seller-hubs per queue message: a batch replayed after part of it was billed bills only the rest (one invoice
/// and one <c>hub.invoice.issued</c> per seller-hub), at most one completion check is pending at a time (the check marker), and
/// <c>GET /api/billing-runs/{runId}</c> answers the progress when the completion it attempts fails. The handler is called
/// directly (no listener), as the queue function calls it.
/// </summary>
public sealed class BillingRunBatchTests
{
    private static readonly BillingPeriod March = new(new(2025, 3));

    private static ShiftedClock April1() => new() { Offset = new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(8)) - DateTimeOffset.UtcNow };

    /// <summary>
    /// Four seller-hubs in one message; two fail after their invoices are stored (a crash before their items), so the batch fails
    /// with the other two's items stored. The same message again bills only the two without items: every seller ends with one
    /// invoice and one <c>hub.invoice.issued</c>, and the two billed first are not invoiced again.
    /// </summary>
    [Fact]
    public async Task BIL_6_a_batch_replayed_after_half_of_it_was_billed_bills_only_the_rest()
    {
        var faults = new Faults { CrashAfterInvoice = ["batch-seller-c", "batch-seller-d"] };
        using var factory = new DevHostFactory(clock: April1(), services: s => s.AddSingleton<IBillingRunFaults>(faults));
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        var runs = factory.Services.GetRequiredService<IBillingRunStore>();
        string[] sellers = ["batch-seller-a", "batch-seller-b", "batch-seller-c", "batch-seller-d"];
        await SeedActivityAsync(factory, sellers);
        await handler.StartAsync(March, CancellationToken.None);
        var batch = new BillingRunMessage("2025-03", 0, null, null, null, SellerHubs: [.. sellers.Select(s => new SellerHub(s, "hangzhou"))]);

        var crash = await Assert.ThrowsAsync<AggregateException>(() => handler.BillBatchAsync(batch, CancellationToken.None));
        Assert.Equal(2, crash.InnerExceptions.Count);
        Assert.Equal(["batch-seller-a", "batch-seller-b"], (await runs.ItemsAsync(March, false, CancellationToken.None)).Select(i => i.SellerId).Order(StringComparer.Ordinal));
        Assert.Equal(4, faults.AfterInvoiceCalls);

        faults.CrashAfterInvoice = [];
        var items = await handler.BillBatchAsync(batch, CancellationToken.None);
        Assert.Equal(sellers, items.Select(i => i.SellerId));
        Assert.All(items, i => Assert.NotNull(i.InvoiceId));
        Assert.Equal(6, faults.AfterInvoiceCalls); // the replay billed only c and d

        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        foreach (var seller in sellers)
        {
            Assert.Equal(items.Single(i => i.SellerId == seller).InvoiceId, Assert.Single(await ledger.ListInvoicesAsync(seller, null, CancellationToken.None)).InvoiceId);
        }

        Assert.Equal(sellers, (await OutboxEventsAsync(factory.Names.BillingTable, BillingEventTypes.InvoiceIssued))
            .Select(e => e.GetProperty("data").GetProperty("sellerId").GetString()!).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Three seller-hubs, one per message. The first two batches find no check pending and pending: only the first queues a check.
    /// That check deletes the marker before it counts (two of three done: not completed); the third batch then queues the next check,
    /// which completes the run once.
    /// </summary>
    [Fact]
    public async Task BIL_6_at_most_one_completion_check_is_pending_and_a_batch_after_a_check_queues_the_next()
    {
        using var factory = new DevHostFactory(clock: April1(), settings: new Dictionary<string, string?> { ["Hub:Billing:SellerHubsPerMessage"] = "1" });
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        string[] sellers = ["marker-seller-a", "marker-seller-b", "marker-seller-c"];
        await SeedActivityAsync(factory, sellers);
        await handler.StartAsync(March, CancellationToken.None);
        using (Core.Common.HubOperation.Begin("test/marker/page0"))
        {
            Assert.Equal(3, await handler.FanOutPageAsync(new BillingRunMessage("2025-03", 0, null, null, null), CancellationToken.None));
        }

        var queue = TestStorage.RawQueue(factory.Names.BillingRunQueue);
        Assert.Equal(5, await QueuedAsync(queue)); // the start's page message, three batches of one, and the last page's check
        await queue.ClearMessagesAsync();

        await handler.BillBatchAsync(Batch(sellers[0]), CancellationToken.None);
        await handler.BillBatchAsync(Batch(sellers[1]), CancellationToken.None);
        Assert.Equal(1, await QueuedAsync(queue));

        var check = await handler.CheckAsync(new BillingRunMessage("2025-03", 0, null, null, null, Check: 0), CancellationToken.None);
        Assert.Equal((2, 3, false), (check.Progress!.Done, check.Total, check.CompletedNow));
        await queue.ClearMessagesAsync();

        await handler.BillBatchAsync(Batch(sellers[2]), CancellationToken.None);
        Assert.Equal(1, await QueuedAsync(queue));
        var last = await handler.CheckAsync(new BillingRunMessage("2025-03", 0, null, null, null, Check: 0), CancellationToken.None);
        Assert.True(last.CompletedNow);
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
    }

    /// <summary>
    /// Every check lost and the completion failing: <c>GET /api/billing-runs/{runId}</c> answers 200 with the progress it counted
    /// (running, every seller-hub done) instead of 500, and completes the run once the fault is gone.
    /// </summary>
    [Fact]
    public async Task BIL_6_GET_answers_the_progress_when_the_completion_it_attempts_fails()
    {
        var faults = new Faults { FailCompletion = true };
        using var factory = new DevHostFactory(clock: April1(), services: s => s.AddSingleton<IBillingRunFaults>(faults));
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        string[] sellers = ["get-fault-a", "get-fault-b"];
        await SeedActivityAsync(factory, sellers);
        var (run, _) = await handler.StartAsync(March, CancellationToken.None);
        using (Core.Common.HubOperation.Begin("test/get-fault/page0"))
        {
            await handler.FanOutPageAsync(new BillingRunMessage("2025-03", 0, null, null, null), CancellationToken.None);
        }

        await handler.BillBatchAsync(new BillingRunMessage("2025-03", 0, null, null, null, SellerHubs: [.. sellers.Select(s => new SellerHub(s, "hangzhou"))]), CancellationToken.None);
        await TestStorage.RawQueue(factory.Names.BillingRunQueue).ClearMessagesAsync();

        var failing = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{run.RunId}"));
        Assert.Equal(("running", 2, 2, 2), (failing.GetProperty("status").GetString(), failing.GetProperty("sellersDone").GetInt32(),
            failing.GetProperty("sellersTotal").GetInt32(), failing.GetProperty("invoices").GetInt32()));
        Assert.True(faults.CompletionFailures >= 1);
        Assert.Empty(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));

        faults.FailCompletion = false;
        var done = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{run.RunId}"));
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
    }

    private static BillingRunMessage Batch(string seller) => new("2025-03", 0, null, null, null, SellerHubs: [new SellerHub(seller, "hangzhou")]);

    private static async Task SeedActivityAsync(DevHostFactory factory, IEnumerable<string> sellers)
    {
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        var activity = factory.Services.GetRequiredService<IBillingActivity>();
        foreach (var seller in sellers)
        {
            await ledger.AddSnapshotAsync(seller, "hangzhou", new DateOnly(2025, 3, 1), 4m, CancellationToken.None);
            await activity.MarkAsync(March, seller, "hangzhou", CancellationToken.None);
        }
    }

    private static async Task<int> QueuedAsync(Azure.Storage.Queues.QueueClient queue)
        => (await queue.ExistsAsync()).Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : 0;

    /// <summary>Crashes the named sellers after their invoices are stored; fails the completion while asked to.</summary>
    private sealed class Faults : IBillingRunFaults
    {
        private int _afterInvoice;
        private int _completionFailures;

        public volatile string[] CrashAfterInvoice = [];

        public volatile bool FailCompletion;

        public int AfterInvoiceCalls => Volatile.Read(ref _afterInvoice);

        public int CompletionFailures => Volatile.Read(ref _completionFailures);

        public void AfterInvoice(string sellerId, string hub)
        {
            Interlocked.Increment(ref _afterInvoice);
            if (CrashAfterInvoice.Contains(sellerId))
            {
                throw new InvalidOperationException($"Injected crash after the invoice of {sellerId} at {hub}.");
            }
        }

        public void BeforeCheck(string period)
        {
        }

        public void BeforeComplete(string period)
        {
            if (FailCompletion)
            {
                Interlocked.Increment(ref _completionFailures);
                throw new InvalidOperationException($"Injected failure of the completion of {period}.");
            }
        }
    }
}
