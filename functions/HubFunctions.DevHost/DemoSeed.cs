using HubFunctions.Core.Admission;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Admission;

namespace HubFunctions.DevHost;

/// <summary>
/// Local-only demo data that the public API cannot create (issue 8: <c>demo-seller</c>, active since
/// 2024-01-01). It lives in the DevHost, never in the Functions app, so it is never deployed; it
/// answers under <c>/admin</c>, which the DevHost serves to local callers only. It uses the real stores:
/// the hub seller id comes from the real allocator (keyed by <see cref="AllocationKey"/>, so it is
/// allocated once however often the seed runs) and the seller goes in through the seller store
/// (insert-only). Idempotent: a second run finds and returns the same seller.
/// </summary>
public static class DemoSeed
{
    public const string SellerId = "demo-seller";
    public const string Hub = "hangzhou";

    /// <summary>Stands in for the application id the allocator keys a hub seller id by (the demo seller never applied).</summary>
    public const string AllocationKey = "SEED-demo-seller";

    /// <summary>The demo seller: an active brand trader at Hangzhou since 2024-01-01, tax rating A.</summary>
    public static Seller Seller(string hubSellerId) => new(SellerId, Hub, hubSellerId, SellerStatus.Active, "brand-trader",
        "杭州示例贸易有限公司", "91330100MA2CFLXX12", TaxRating.A, new DateOnly(2024, 1, 1), []); // a made-up code with a valid check character (ADM-11)

    /// <summary><c>POST /admin/seed/demo-seller</c>: 200 with the seller, <c>created</c> false when it was there already.</summary>
    public static void MapDemoSeed(this WebApplication app)
        => app.MapPost("/admin/seed/demo-seller", async (IHubSellerIdAllocator allocator, ISellerDirectory sellers, CancellationToken cancellationToken) =>
        {
            var created = false;
            if (await sellers.FindAsync(SellerId, cancellationToken) is null)
            {
                var hubSellerId = await allocator.AllocateAsync(Hub, AllocationKey, cancellationToken);

                // A back-dated record, not a live activation: no hub.seller.activated event.
                created = await sellers.TryAddAsync(Seller(hubSellerId), [], cancellationToken);
            }

            // Documents (DOC-1..5, ADM-9): the demo seller's current documents are seeded here once the
            // documents capability exists, through its document store (business licence, customs
            // declaration, brand authorisation, WMS plan, API security commitment). Not seeded yet.
            var s = (await sellers.FindAsync(SellerId, cancellationToken))!;
            return Results.Json(new
            {
                sellerId = s.SellerId,
                hubSellerId = s.HubSellerId,
                hub = s.Hub,
                status = TableSellerDirectory.Wire(s.Status),
                category = s.Category,
                activeSince = s.ActiveSince,
                taxRating = s.TaxRating?.ToString(),
                created,
            }, HubJson.Options);
        });
}
