using System.Globalization;
using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Calendar;
using HubFunctions.Functions.Hosting;

namespace HubFunctions.DevHost;

/// <summary>
/// Local-only billing demo data (issue 12): <c>demo-dongguan</c>, an active seller at Dongguan, with a month of sample usage and
/// daily storage snapshots for the last closed month, sent through the real intake (<see cref="BillingIntake"/>, as the Dongguan
/// hub operator would), and that month's billing run started, so an invoice can be read a moment later. Idempotent: usage ids and
/// snapshots are the same on every call, and the run of a period is the same run.
/// </summary>
public static class DemoBillingSeed
{
    public const string SellerId = "demo-dongguan";
    public const string Hub = "dongguan";

    public static void MapDemoBillingSeed(this WebApplication app)
        => app.MapPost("/admin/seed/demo-dongguan", async (IHubSellerIdAllocator allocator, ISellerDirectory sellers, BillingIntake intake, BillingRunHandler runs,
            IBillingRunStore runStore, TimeProvider clock, CancellationToken cancellationToken) =>
        {
            if (await sellers.FindAsync(SellerId, cancellationToken) is null)
            {
                var hubSellerId = await allocator.AllocateAsync(Hub, "SEED-" + SellerId, SellerId, cancellationToken);
                await sellers.TryAddAsync(new Seller(SellerId, Hub, hubSellerId, SellerStatus.Active, "brand-trader", "东莞示例电子商务有限公司",
                    "91441900MA4UJ8XX1K", TaxRating.A, new DateOnly(2024, 1, 1), []), [], cancellationToken);
            }

            var seller = (await sellers.FindAsync(SellerId, cancellationToken))!;
            var period = BillingPeriod.PreviousTo(ChinaTime.Today(clock));
            var caller = new HubCaller("demo-seed", HubRole.HubOperator, null, Hub);
            // Once the period's run has started its records are closed (BIL-6, `period-closed`): seeding again adds nothing.
            var days = await runStore.GetAsync(period, cancellationToken) is null ? period.Dates() : [];
            foreach (var day in days)
            {
                // 40 m³ rising by half a cubic metre a day; no snapshot on the 10th (carried forward, flagged on the invoice).
                if (day.Day != 10)
                {
                    var m3 = (40m + (day.Day * 0.5m)).ToString(CultureInfo.InvariantCulture);
                    await Check(intake.AddSnapshotsAsync(caller, Hub, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), [new(seller.HubSellerId, m3)], cancellationToken));
                }

                var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(14, 0)), ChinaTime.Offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
                var id = $"demo-{day:yyyyMMdd}";
                await Check(intake.AddUsageAsync(caller, Hub,
                [
                    new($"{id}-in", seller.HubSellerId, UsageKind.InboundQc, (20 + day.Day).ToString(CultureInfo.InvariantCulture), at),
                    new($"{id}-shelf", seller.HubSellerId, UsageKind.Shelving, (20 + day.Day).ToString(CultureInfo.InvariantCulture), at),
                    new($"{id}-pick", seller.HubSellerId, UsageKind.Picking, (35.5m + day.Day).ToString(CultureInfo.InvariantCulture), at),
                    new($"{id}-label", seller.HubSellerId, UsageKind.Labelling, "12", at),
                    new($"{id}-ret", seller.HubSellerId, UsageKind.Return, day.Day % 7 == 0 ? "2" : "1", at),
                ], cancellationToken));
            }

            var (run, _) = await runs.StartAsync(period, cancellationToken);
            return Results.Json(new
            {
                sellerId = seller.SellerId,
                hubSellerId = seller.HubSellerId,
                hub = Hub,
                period = period.ToString(),
                runId = run.RunId,
                invoiceId = InvoiceIds.For(seller.SellerId, Hub, period)
            }, HubJson.Options);
        });

    private static async Task Check(Task<BillingIntakeResult> intake)
    {
        var result = await intake;
        if (result.Errors.Count > 0 || result.Refused is not null || result.ConflictCode is not null)
        {
            throw new InvalidOperationException($"Demo billing data was refused: {string.Join("; ", result.Errors.Select(e => $"{e.Field} {e.Code}"))} {result.Refused?.Reason} {result.ConflictMessage}");
        }
    }
}
