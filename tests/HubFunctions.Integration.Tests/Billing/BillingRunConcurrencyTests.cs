using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// BIL-6 under load: many seller-hubs of one run billed at once (direct concurrent calls of the queue's handler, each in its
/// own operation as the queue function runs it). Before the run kept its progress in item rows, every seller-hub replaced the
/// one run row under its ETag, and this many at once exhausted the optimistic retries (conflict storm).
/// </summary>
public sealed class BillingRunConcurrencyTests
{
    private const int SellerHubs = 120;

    private static readonly BillingPeriod March = new(new(2025, 3));

    [Fact]
    public async Task BIL_6_many_seller_hubs_billed_concurrently_all_finish_and_the_run_completes_exactly_once()
    {
        using var factory = new DevHostFactory(clock: new ShiftedClock { Offset = new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(8)) - DateTimeOffset.UtcNow });
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        var activity = factory.Services.GetRequiredService<IBillingActivity>();
        var handler = factory.Services.GetRequiredService<BillingRunHandler>();
        var runs = factory.Services.GetRequiredService<IBillingRunStore>();
        var sellers = Enumerable.Range(1, SellerHubs).Select(i => $"load-seller-{i:D3}").ToList();
        await Parallel.ForEachAsync(sellers, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (seller, ct) =>
        {
            await ledger.AddSnapshotAsync(seller, "hangzhou", new DateOnly(2025, 3, 1), 31m, ct);
            await activity.MarkAsync(March, seller, "hangzhou", ct);
        });

        var (run, _) = await handler.StartAsync(March, CancellationToken.None);
        using (HubOperation.Begin("test/page0"))
        {
            Assert.Equal(SellerHubs, await handler.FanOutPageAsync(new BillingRunMessage("2025-03", 0, null, null, null), CancellationToken.None));
        }

        // Every seller-hub at once: no throttle.
        var billed = await Task.WhenAll(sellers.Select(seller => Task.Run(async () =>
        {
            using var operation = HubOperation.Begin($"billing-run/2025-03/{seller}/hangzhou");
            return await handler.BillAsync(new BillingRunMessage("2025-03", 0, null, seller, "hangzhou"), CancellationToken.None);
        })));
        Assert.All(billed, item => Assert.NotNull(item.InvoiceId));

        // Completion checks racing each other (as the queue function runs them: outside an operation): the run completes once.
        var checks = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
            handler.CheckAsync(new BillingRunMessage("2025-03", 0, null, null, null, Check: 0), CancellationToken.None))));
        Assert.Single(checks, c => c.CompletedNow);
        Assert.All(checks.Where(c => c.Progress is not null), c => Assert.Equal((SellerHubs, SellerHubs, 0), (c.Progress!.Done, c.Progress.Invoices, c.Progress.Errors)));

        var after = await runs.GetAsync(March, CancellationToken.None);
        Assert.True(after!.Completed);
        Assert.Equal(SellerHubs, after.Total);
        var completed = Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
        Assert.Equal((run.RunId, SellerHubs, SellerHubs), (completed.GetProperty("data").GetProperty("runId").GetString(),
            completed.GetProperty("data").GetProperty("sellers").GetInt32(), completed.GetProperty("data").GetProperty("invoices").GetInt32()));
        Assert.Equal(sellers, (await OutboxEventsAsync(factory.Names.BillingTable, BillingEventTypes.InvoiceIssued))
            .Select(e => e.GetProperty("data").GetProperty("sellerId").GetString()!).Order(StringComparer.Ordinal));
    }
}
