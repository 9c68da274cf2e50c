using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Orders;

namespace HubFunctions.Core.Tests.Orders;

internal static class OrderTestData
{
    public static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, TimeSpan.FromHours(8));

    public static OrderRequest Request(string createdAt = "2026-12-01T10:00:00+08:00") => new(
        "order-1", "seller-1", "aliexpress", createdAt, "hangzhou", [new OrderItemRequest("SKU-1", 2)]);

    public static Order Open(DateTimeOffset? created = null, bool premium = false) => new(
        "order-1", "seller-1", "hangzhou", "aliexpress", created ?? Created, [new OrderItem("SKU-1", 2)], premium,
        created ?? Created, OrderStatus.Open, null, null, null);

    public static Seller Active() => new(
        "seller-1", "hangzhou", "HGH-000001", SellerStatus.Active, SellerCategories.BrandTrader, "示例贸易有限公司",
        "914403001922038216", TaxRating.A, new DateOnly(2024, 1, 1), []);

    public static Seller Frozen() => Active() with
    {
        Status = SellerStatus.Frozen,
        FreezeReasons = [FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1))],
    };
}
