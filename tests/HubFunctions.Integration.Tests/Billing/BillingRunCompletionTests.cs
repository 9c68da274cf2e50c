using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// BIL-6: a run whose seller-hubs are all done ends <c>completed</c> with exactly one <c>hub.billing-run.completed</c>, even when
/// no completion check is waiting any more when its last item lands (a seller-hub replayed late, after the checks stopped),
/// when completion checks fail, or when every check message is lost.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class BillingRunCompletionTests
{
    private static readonly string[] Functions = ["RecordStorageSnapshots", "StartBillingRun", "GetBillingRun", "BillSeller"];

    private static readonly BillingPeriod March = new(new(2025, 3));

    private static ShiftedClock April1() => new() { Offset = new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(8)) - DateTimeOffset.UtcNow };

    /// <summary>
    /// Two Hangzhou sellers; the second one's billing fails until its message is in the poison queue, while the first is invoiced.
    /// Once nothing is left on the run's queue (no completion check waiting: the old design's one chain of checks had stopped
    /// here after its idle limit), the poisoned message is put back (a late replay): the seller is invoiced and the run completes,
    /// with one completion event.
    /// </summary>
    [Fact]
    public async Task BIL_6_a_seller_hub_replayed_after_the_checks_stopped_still_completes_the_run_once()
    {
        var faults = new HeldBack("late-seller-b");
        using var factory = new DevHostFactory(listeners: true, clock: April1(), functions: Functions, services: s => s.AddSingleton<IBillingRunFaults>(faults),
            settings: new Dictionary<string, string?> { ["Hub:Billing:CheckRetryInterval"] = "00:00:00.200" });
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        foreach (var (sellerId, sequence) in new[] { ("late-seller-a", 401), ("late-seller-b", 402) })
        {
            var seller = await SeedAsync(factory, sellerId, sequence);
            await HttpAssert.Json(await Snapshot(hubOperator, "2025-03-15", seller.HubSellerId, 10m));
        }

        var runId = await StartRunAsync(reviewer, "2025-03");
        var queue = TestStorage.RawQueue(factory.Names.BillingRunQueue);
        var poison = TestStorage.RawQueue(factory.Names.BillingRunQueue + "-poison");
        await WaitForRunAsync(reviewer, runId, r => r.GetProperty("fanOutComplete").GetBoolean() && r.GetProperty("sellersDone").GetInt32() == 1
            && QueueLength(poison) == 1 && QueueLength(queue) == 0);
        var stalled = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{runId}"));
        Assert.Equal(("running", 1, 2), (stalled.GetProperty("status").GetString(), stalled.GetProperty("sellersDone").GetInt32(), stalled.GetProperty("sellersTotal").GetInt32()));

        faults.Release();
        var message = (await poison.ReceiveMessageAsync()).Value;
        await queue.SendMessageAsync(message.Body.ToString());
        await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt);

        // Read from the store, not through GET (which completes a run found done: that is the last resort, shown below).
        await WaitForCompletedAsync(factory);
        var completed = Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
        Assert.Equal((2, 2), (completed.GetProperty("data").GetProperty("sellers").GetInt32(), completed.GetProperty("data").GetProperty("invoices").GetInt32()));
        var done = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{runId}"));
        Assert.Equal(("completed", 2, 2), (done.GetProperty("status").GetString(), done.GetProperty("sellersDone").GetInt32(), done.GetProperty("invoices").GetInt32()));
    }

    /// <summary>
    /// The first ten completion checks fail (more than the five attempts after which the host poisons a message, for each of the two
    /// checks the run queues): each failed check is queued again instead, and the run completes once, nothing in the poison queue.
    /// </summary>
    [Fact]
    public async Task BIL_6_failing_completion_checks_are_queued_again_not_poisoned_and_the_run_completes_once()
    {
        var faults = new FailingChecks(10);
        using var factory = new DevHostFactory(listeners: true, clock: April1(), functions: Functions, services: s => s.AddSingleton<IBillingRunFaults>(faults),
            settings: new Dictionary<string, string?> { ["Hub:Billing:CheckRetryInterval"] = "00:00:00.100" });
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var seller = await SeedAsync(factory, "check-seller", 411);
        await HttpAssert.Json(await Snapshot(hubOperator, "2025-03-15", seller.HubSellerId, 10m));

        await StartRunAsync(reviewer, "2025-03");
        await WaitForCompletedAsync(factory);
        Assert.True(faults.Failed >= 10);
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
        Assert.Equal(0, QueueLength(TestStorage.RawQueue(factory.Names.BillingRunQueue + "-poison")));
    }

    /// <summary>
    /// Every completion check message lost (the run's queue cleared before any listener read it): the seller-hubs are all done but
    /// the run row is still running. <c>GET /api/billing-runs/{runId}</c> completes it, once: a second GET finds it completed and
    /// publishes nothing more.
    /// </summary>
    [Fact]
    public async Task BIL_6_a_run_whose_checks_were_all_lost_is_completed_once_by_its_GET()
    {
        using var factory = new DevHostFactory(clock: April1());
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        var activity = factory.Services.GetRequiredService<IBillingActivity>();
        string[] sellers = ["lost-check-a", "lost-check-b"];
        foreach (var sellerId in sellers)
        {
            await ledger.AddSnapshotAsync(sellerId, "hangzhou", new DateOnly(2025, 3, 1), 3m, CancellationToken.None);
            await activity.MarkAsync(March, sellerId, "hangzhou", CancellationToken.None);
        }

        var (run, _) = await handler.StartAsync(March, CancellationToken.None);
        using (HubOperation.Begin("test/lost-checks/page0"))
        {
            Assert.Equal(2, await handler.FanOutPageAsync(new BillingRunMessage("2025-03", 0, null, null, null), CancellationToken.None));
        }

        foreach (var sellerId in sellers)
        {
            using var operation = HubOperation.Begin($"billing-run/2025-03/{sellerId}/hangzhou");
            Assert.NotNull((await handler.BillAsync(new BillingRunMessage("2025-03", 0, null, sellerId, "hangzhou"), CancellationToken.None)).InvoiceId);
        }

        await TestStorage.RawQueue(factory.Names.BillingRunQueue).ClearMessagesAsync();
        var runs = factory.Services.GetRequiredService<IBillingRunStore>();
        Assert.False((await runs.GetAsync(March, CancellationToken.None))!.Completed);

        var first = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{run.RunId}"));
        var second = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{run.RunId}"));
        Assert.Equal(("completed", 2, 2), (first.GetProperty("status").GetString(), first.GetProperty("sellersDone").GetInt32(), first.GetProperty("invoices").GetInt32()));
        Assert.Equal(first.GetProperty("completedAt").GetString(), second.GetProperty("completedAt").GetString());
        Assert.True((await runs.GetAsync(March, CancellationToken.None))!.Completed);
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
    }

    /// <summary>Polls the run row in the store (not the GET) until it is completed, or fails after 30 s.</summary>
    private static async Task WaitForCompletedAsync(DevHostFactory factory)
    {
        var runs = factory.Services.GetRequiredService<IBillingRunStore>();
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await runs.GetAsync(March, CancellationToken.None))?.Completed != true)
        {
            Assert.True(DateTime.UtcNow < until, "The run of 2025-03 was not completed by a completion check.");
            await Task.Delay(200);
        }
    }

    private static int QueueLength(Azure.Storage.Queues.QueueClient queue)
        => queue.Exists().Value ? queue.GetProperties().Value.ApproximateMessagesCount : 0;

    /// <summary>Fails one seller's billing after its invoice is stored, until released (its message ends in poison meanwhile).</summary>
    private sealed class HeldBack(string sellerId) : IBillingRunFaults
    {
        private volatile bool _released;

        public void Release() => _released = true;

        public void AfterInvoice(string sellerId1, string hub)
        {
            if (sellerId1 == sellerId && !_released)
            {
                throw new InvalidOperationException($"Injected failure after the invoice of {sellerId1} at {hub}.");
            }
        }

        public void BeforeCheck(string period)
        {
        }
    }

    /// <summary>Fails the first <c>n</c> completion checks.</summary>
    private sealed class FailingChecks(int n) : IBillingRunFaults
    {
        private int _failed;

        public int Failed => Volatile.Read(ref _failed);

        public void AfterInvoice(string sellerId, string hub)
        {
        }

        public void BeforeCheck(string period)
        {
            if (Interlocked.Increment(ref _failed) <= n)
            {
                throw new InvalidOperationException($"Injected failure of a completion check of {period}.");
            }

            Interlocked.Decrement(ref _failed);
        }
    }
}
