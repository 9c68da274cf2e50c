using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// The monthly billing run (BIL-6) through the DevHost with its queue listener. The clock is the system clock shifted to
/// 2025-04-01 09:00 Asia/Shanghai (a ShiftedClock, not a FakeTimeProvider: the run's queue items and the listener's timing
/// run on it, and until session s15 their version conflicts' retry pauses waited on it too).
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class BillingRunTests
{
    private static readonly string[] Functions = ["RecordUsage", "RecordStorageSnapshots", "RecordClaim", "StartBillingRun", "GetBillingRun", "ListInvoices", "GetInvoice", "BillSeller", "PutRateCard"];

    private static ShiftedClock April1() => new() { Offset = new DateTimeOffset(2025, 4, 1, 9, 0, 0, TimeSpan.FromHours(8)) - DateTimeOffset.UtcNow };

    /// <summary>
    /// The Hangzhou worked example of issue 12 (as Core's InvoiceWorkedExamplesTests), end to end through the API.
    /// March 2025 (31 days), published card: storage 18.00 per m³ per month, picking 0.40, returns 5.00.
    /// storage: 120 m³ on 1–10, 125.5 on 11–20, 130 on 21–31 → Σ = 1,200 + 1,255 + 1,430 = 3,885 m³·days;
    ///          18.00 × 3,885 ÷ 31 = 69,930 ÷ 31 = 2,255.806… → 2,255.81
    /// picking: records of 0.5, 1 and 1,233 pieces → 1 + 1 + 1,233 = 1,235 × 0.40 = 494.00
    /// returns: 12 orders × 5.00 = 60.00
    /// claim:   2,345.67 at 100 % → −2,345.67
    /// total:   2,255.81 + 494.00 + 60.00 − 2,345.67 = 464.14
    /// issued Tue 2025-04-01; T+3 working days (Qingming 4–6 April off) → Mon 2025-04-07.
    /// </summary>
    [Fact]
    public async Task BIL_2_3_4_5_9_hangzhou_worked_example_end_to_end_usage_31_snapshots_and_a_claim_give_464_14()
    {
        using var factory = new DevHostFactory(listeners: true, clock: April1(), functions: Functions);
        var seller = await SeedAsync(factory, "demo-seller", 42);
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);
        using var wms = factory.CreateSignedClient(TestClients.Wms);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        using var sellerClient = factory.CreateSignedClient(TestClients.Seller);
        for (var day = 1; day <= 31; day++)
        {
            var m3 = day <= 10 ? 120m : day <= 20 ? 125.5m : 130m;
            await HttpAssert.Json(await Snapshot(day % 2 == 0 ? wms : hubOperator, $"2025-03-{day:D2}", seller.HubSellerId, m3));
        }

        await HttpAssert.Json(await Usage(wms,
            Record("pick-1", seller.HubSellerId, "picking", 0.5m, "2025-03-03T09:00:00+08:00"),
            Record("pick-2", seller.HubSellerId, "picking", 1m, "2025-03-12T09:00:00+08:00"),
            Record("pick-3", seller.HubSellerId, "picking", 1233m, "2025-03-31T23:59:00+08:00"),
            Record("ret-1", seller.HubSellerId, "return", 12m, "2025-03-20T10:00:00+08:00")));
        await HttpAssert.Json(await hubOperator.PostAsJsonAsync("/api/hubs/hangzhou/claims",
            new { claimId = "CLM-1", sellerId = seller.HubSellerId, orderId = "ORD-9", goodsValueCny = 2345.67m, cause = "carton crushed by a forklift at shelving" }));

        var runId = await StartRunAsync(reviewer, "2025-03");
        Assert.Equal("RUN-2025-03", runId);
        var run = await WaitForRunAsync(reviewer, runId, r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal((1, 1, 1), (run.GetProperty("sellersDone").GetInt32(), run.GetProperty("sellersTotal").GetInt32(), run.GetProperty("invoices").GetInt32()));
        Assert.Empty(run.GetProperty("errors").EnumerateArray());
        Assert.Equal(runId, await StartRunAsync(reviewer, "2025-03"));

        // BIL-6: once March's run has started, a late March record or snapshot would be stored and never invoiced: refused, nothing stored.
        // (Outbox rows and intents are left out: the relay may still be deleting the run's delivered events.)
        async Task<List<string>> StateRowsAsync() => [.. (await TableSnapshot.AllAsync(factory.Names))
            .Where(r => !r.Contains("/" + TableOutbox.RowPrefix, StringComparison.Ordinal) && !r.StartsWith(factory.Names.OutboxIntentsTable + "/", StringComparison.Ordinal))];
        var beforeLate = await StateRowsAsync();
        await HttpAssert.Problem(await Usage(wms, Record("pick-late", seller.HubSellerId, "picking", 5m, "2025-03-31T23:30:00+08:00")), HttpStatusCode.Conflict, "period-closed");
        await HttpAssert.Problem(await Snapshot(hubOperator, "2025-03-31", seller.HubSellerId, 999m), HttpStatusCode.Conflict, "period-closed");
        Assert.Equal(beforeLate, await StateRowsAsync());

        var list = await HttpAssert.Json(await sellerClient.GetAsync("/api/sellers/demo-seller/invoices?period=2025-03"));
        var invoice = Assert.Single(list.GetProperty("invoices").EnumerateArray());
        Assert.Equal((464.14m, "2025-04-01", "2025-04-07"), (invoice.GetProperty("total").GetDecimal(), invoice.GetProperty("issuedOn").GetString(), invoice.GetProperty("settlementOn").GetString()));
        Assert.Equal(
            ["storage 3885.0 18.00 2255.81", "picking 1235 0.40 494.00", "return 12 5.00 60.00", "claim-credit 1 2345.67 -2345.67"],
            invoice.GetProperty("lines").EnumerateArray().Select(l => $"{l.GetProperty("kind").GetString()} {l.GetProperty("quantity").GetRawText()} {l.GetProperty("rate").GetRawText()} {l.GetProperty("amount").GetRawText()}"));
        var invoiceId = invoice.GetProperty("invoiceId").GetString()!;

        using var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/sellers/demo-seller/invoices/{invoiceId}");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await reviewer.SendAsync(csvRequest);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var csvText = await csv.Content.ReadAsStringAsync();
        Assert.Contains($"{invoiceId},demo-seller,hangzhou,2025-03,2025-04-01,2025-04-07,total,Total (CNY),,,,464.14,", csvText, StringComparison.Ordinal);

        using var pdfRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/sellers/demo-seller/invoices/{invoiceId}");
        pdfRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/pdf"));
        var pdf = await sellerClient.SendAsync(pdfRequest);
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var pdfText = BillingPdfTests.Text(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains(invoiceId, pdfText, StringComparison.Ordinal);
        Assert.Contains("CNY464.14", pdfText, StringComparison.Ordinal);

        using var xmlRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/sellers/demo-seller/invoices/{invoiceId}");
        xmlRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/xml"));
        await HttpAssert.Problem(await sellerClient.SendAsync(xmlRequest), HttpStatusCode.NotAcceptable, "not-acceptable");

        var blobs = factory.Services.GetRequiredService<HubStorage>().BlobService.GetBlobContainerClient(factory.Names.InvoicesContainer);
        // The run stores no documents: each is stored by its first request (here CSV and PDF; JSON was never asked for).
        Assert.False(await blobs.GetBlobClient($"demo-seller/{invoiceId}.json").ExistsAsync());
        Assert.True(await blobs.GetBlobClient($"demo-seller/{invoiceId}.csv").ExistsAsync());
        Assert.True(await blobs.GetBlobClient($"demo-seller/{invoiceId}.pdf").ExistsAsync());
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingTable, BillingEventTypes.InvoiceIssued));
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
    }

    /// <summary>
    /// Six Hangzhou sellers and one at Tianjin (no rate card: H-1). The first host "crashes" after three invoices: every later
    /// seller's invoice is stored but the seller is never marked done (the fault sits between the two), and its messages end in
    /// poison. A second host on the same storage starts the same period: the same run resumes and completes with exactly one
    /// invoice (and one hub.invoice.issued) per seller and hub, one H-1 error, and hub.billing-run.completed once.
    /// </summary>
    [Fact]
    public async Task BIL_6_a_run_killed_half_way_and_restarted_ends_with_exactly_one_invoice_per_seller_and_hub()
    {
        var names = TestStorage.IsolatedNames();
        var sellers = new List<(string SellerId, string Hub)>();
        var faults = new CrashAfter(3);
        using (var first = new DevHostFactory(listeners: true, clock: April1(), functions: Functions, names: names, services: s => s.AddSingleton<IBillingRunFaults>(faults)))
        {
            using var hubOperator = first.CreateSignedClient(TestClients.Operator);
            for (var i = 1; i <= 6; i++)
            {
                var seller = await SeedAsync(first, $"run-seller-{i}", 100 + i);
                await HttpAssert.Json(await Snapshot(hubOperator, "2025-03-15", seller.HubSellerId, 10m * i));
                sellers.Add((seller.SellerId, "hangzhou"));
            }

            // Tianjin: no operator client here; its activity is recorded through the same services the endpoint uses.
            var tianjin = await SeedAsync(first, "run-seller-tj", 201, "tianjin");
            await first.Services.GetRequiredService<IBillingLedger>().AddSnapshotAsync(tianjin.SellerId, "tianjin", new DateOnly(2025, 3, 15), 5m, CancellationToken.None);
            await first.Services.GetRequiredService<IBillingActivity>().MarkAsync(new BillingPeriod(new(2025, 3)), tianjin.SellerId, "tianjin", CancellationToken.None);

            using var reviewer = first.CreateSignedClient(TestClients.Reviewer);
            var runId = await StartRunAsync(reviewer, "2025-03");
            await WaitForRunAsync(reviewer, runId, r => r.GetProperty("sellersTotal").GetInt32() == 7 && faults.Crashed >= 4 * 5);
            var halfway = await HttpAssert.Json(await reviewer.GetAsync($"/api/billing-runs/{runId}"));
            Assert.Equal("running", halfway.GetProperty("status").GetString());
            Assert.InRange(halfway.GetProperty("sellersDone").GetInt32(), 3, 4); // three invoices, and perhaps the H-1 seller (no invoice, no fault)
        }

        using var second = new DevHostFactory(listeners: true, clock: April1(), functions: Functions, names: names);
        using var reviewer2 = second.CreateSignedClient(TestClients.Reviewer);
        var again = await StartRunAsync(reviewer2, "2025-03");
        Assert.Equal("RUN-2025-03", again);
        var done = await WaitForRunAsync(reviewer2, again, r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal((7, 7, 6), (done.GetProperty("sellersDone").GetInt32(), done.GetProperty("sellersTotal").GetInt32(), done.GetProperty("invoices").GetInt32()));
        var error = Assert.Single(done.GetProperty("errors").EnumerateArray());
        Assert.Equal(("run-seller-tj", "tianjin", "H-1"), (error.GetProperty("sellerId").GetString(), error.GetProperty("hub").GetString(), error.GetProperty("code").GetString()));

        var ledger = second.Services.GetRequiredService<IBillingLedger>();
        foreach (var (sellerId, hub) in sellers)
        {
            var invoices = await ledger.ListInvoicesAsync(sellerId, null, CancellationToken.None);
            Assert.Equal(hub, Assert.Single(invoices).Invoice.Hub);
        }

        var issued = await OutboxEventsAsync(names.BillingTable, BillingEventTypes.InvoiceIssued);
        Assert.Equal(sellers.Select(s => s.SellerId).Order(), issued.Select(e => e.GetProperty("data").GetProperty("sellerId").GetString()!).Order());
        Assert.Single(await OutboxEventsAsync(names.BillingRunsTable, BillingEventTypes.RunCompleted));
        Assert.Empty(await ledger.ListInvoicesAsync("run-seller-tj", null, CancellationToken.None));
    }

    /// <summary>
    /// The DevHost's demo seed <c>POST /admin/seed/demo-dongguan</c> (run twice: idempotent) bills March 2025 at Dongguan (31 days,
    /// published card 15.00 per m³ per month, 0.30 / 0.20 / 0.40, labelling 0.15, returns 5.00):
    /// storage: 40 + 0.5·d m³ on day d, no snapshot on the 10th (carried forward: 44.5) → Σ = 1,240 + 248 − 45 + 44.5 = 1,487.5 m³·days;
    ///          15.00 × 1,487.5 ÷ 31 = 719.758… → 719.76
    /// inbound-qc and shelving: 20 + d a day → Σ = 620 + 496 = 1,116 → 334.80 and 223.20
    /// picking: 35.5 + d a day, each ceiled to 36 + d → Σ = 1,116 + 496 = 1,612 × 0.40 = 644.80
    /// labelling: 12 a day → 372 × 0.15 = 55.80; returns: 1 a day, 2 on the 7th, 14th, 21st, 28th → 35 × 5.00 = 175.00
    /// total: 719.76 + 334.80 + 223.20 + 644.80 + 55.80 + 175.00 = 2,153.36, flagged storage-carried-forward on 2025-03-10.
    /// </summary>
    [Fact]
    public async Task BIL_4_demo_dongguan_seed_is_idempotent_and_its_run_issues_the_hand_computed_invoice()
    {
        using var factory = new DevHostFactory(listeners: true, clock: April1(), functions: Functions);
        using var admin = factory.CreateDefaultClient();
        var first = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-dongguan", null));
        var again = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-dongguan", null));
        Assert.Equal(("2025-03", "RUN-2025-03"), (first.GetProperty("period").GetString(), first.GetProperty("runId").GetString()));
        Assert.Equal(first.GetProperty("runId").GetString(), again.GetProperty("runId").GetString());

        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var run = await WaitForRunAsync(reviewer, "RUN-2025-03", r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal(1, run.GetProperty("invoices").GetInt32());
        var invoice = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/demo-dongguan/invoices/{first.GetProperty("invoiceId").GetString()}"));
        Assert.Equal(2153.36m, invoice.GetProperty("total").GetDecimal());
        Assert.Equal(
            ["storage 719.76", "inbound-qc 334.80", "shelving 223.20", "picking 644.80", "labelling 55.80", "return 175.00"],
            invoice.GetProperty("lines").EnumerateArray().Select(l => $"{l.GetProperty("kind").GetString()} {l.GetProperty("amount").GetRawText()}"));
        var flag = Assert.Single(invoice.GetProperty("flags").EnumerateArray());
        Assert.Equal((BillingCodes.StorageCarriedForward, "2025-03-10"), (flag.GetProperty("code").GetString(), flag.GetProperty("dates")[0].GetString()));
    }

    /// <summary>
    /// H-1 retry: a Tianjin seller (no rate card) ends March's run as an error while the Hangzhou seller is invoiced, and the run
    /// completes. A reviewer adds a Tianjin card effective 2025-03-01 (storage 12.50 per m³ per month) and starts March again: the
    /// same run queues only its seller-hub in error, which is now invoiced: 20 m³ on the 15th only (no snapshot before it: days
    /// 1–14 bill 0 m³, flagged) → 20 × 17 = 340 m³·days × 12.50 ÷ 31 = 137.096… → 137.10. The run stays completed, its
    /// completion event is not repeated, and the Hangzhou seller is not billed again.
    /// </summary>
    [Fact]
    public async Task H_1_a_seller_hub_in_error_is_billed_when_the_period_is_started_again_after_a_reviewer_adds_the_card()
    {
        using var factory = new DevHostFactory(listeners: true, clock: April1(), functions: Functions);
        using var hubOperator = factory.CreateSignedClient(TestClients.Operator);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var hangzhou = await SeedAsync(factory, "retry-seller-hz", 301);
        await HttpAssert.Json(await Snapshot(hubOperator, "2025-03-15", hangzhou.HubSellerId, 20m));
        var tianjin = await SeedAsync(factory, "retry-seller-tj", 302, "tianjin");
        var march = new BillingPeriod(new(2025, 3));
        await factory.Services.GetRequiredService<IBillingLedger>().AddSnapshotAsync(tianjin.SellerId, "tianjin", new DateOnly(2025, 3, 15), 20m, CancellationToken.None);
        await factory.Services.GetRequiredService<IBillingActivity>().MarkAsync(march, tianjin.SellerId, "tianjin", CancellationToken.None);

        var runId = await StartRunAsync(reviewer, "2025-03");
        var first = await WaitForRunAsync(reviewer, runId, r => r.GetProperty("status").GetString() == "completed");
        Assert.Equal((2, 1), (first.GetProperty("sellersDone").GetInt32(), first.GetProperty("invoices").GetInt32()));
        Assert.Equal("H-1", Assert.Single(first.GetProperty("errors").EnumerateArray()).GetProperty("code").GetString());

        var rates = new Dictionary<string, decimal> { ["inbound-qc"] = 0.30m, ["shelving"] = 0.20m, ["picking"] = 0.40m, ["labelling"] = 0.15m, ["assembly"] = 0.80m, ["return"] = 5.00m };
        await HttpAssert.Json(await reviewer.PutAsJsonAsync("/api/hubs/tianjin/rate-cards", new { effectiveFrom = "2025-03-01", storagePerCubicMetreMonth = 12.50m, rates }),
            HttpStatusCode.Created);
        var again = await HttpAssert.Json(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period = "2025-03" }), HttpStatusCode.Accepted);
        Assert.Equal((runId, "completed", 1), (again.GetProperty("runId").GetString(), again.GetProperty("status").GetString(), again.GetProperty("retried").GetInt32()));

        var done = await WaitForRunAsync(reviewer, runId, r => r.GetProperty("invoices").GetInt32() == 2);
        Assert.Equal((2, 2, "completed"), (done.GetProperty("sellersDone").GetInt32(), done.GetProperty("sellersTotal").GetInt32(), done.GetProperty("status").GetString()));
        Assert.Empty(done.GetProperty("errors").EnumerateArray());
        var invoice = Assert.Single(await factory.Services.GetRequiredService<IBillingLedger>().ListInvoicesAsync(tianjin.SellerId, march, CancellationToken.None));
        Assert.Equal(137.10m, invoice.Invoice.Total);
        Assert.Single(await OutboxEventsAsync(factory.Names.BillingRunsTable, BillingEventTypes.RunCompleted));
        Assert.Equal(["retry-seller-hz", "retry-seller-tj"], (await OutboxEventsAsync(factory.Names.BillingTable, BillingEventTypes.InvoiceIssued))
            .Select(e => e.GetProperty("data").GetProperty("sellerId").GetString()!).Order(StringComparer.Ordinal));

        // Nothing in error any more: a further start queues nothing.
        var third = await HttpAssert.Json(await reviewer.PostAsJsonAsync("/api/billing-runs", new { period = "2025-03" }), HttpStatusCode.Accepted);
        Assert.Equal(0, third.GetProperty("retried").GetInt32());
    }

    /// <summary>Lets <c>n</c> seller-hubs through, then fails every later one after its invoice is stored (a crash before it is marked done).</summary>
    private sealed class CrashAfter(int n) : IBillingRunFaults
    {
        private readonly HashSet<string> _through = [];
        private int _crashed;

        public int Crashed => Volatile.Read(ref _crashed);

        public void AfterInvoice(string sellerId, string hub)
        {
            lock (_through)
            {
                if (_through.Contains(sellerId) || _through.Count < n)
                {
                    _through.Add(sellerId);
                    return;
                }
            }

            Interlocked.Increment(ref _crashed);
            throw new InvalidOperationException($"Injected crash after the invoice of {sellerId} at {hub}.");
        }

        public void BeforeCheck(string period)
        {
        }
    }
}
