using System.Net;
using System.Text;
using System.Text.Json;
using HubFunctions.Core.Orders;
using HubFunctions.Integration.Tests.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>Bad orders and instructions are 4xx problem+json and store nothing (every table compared before and after).</summary>
public sealed class OrderBadInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, China);

    private static Dictionary<string, object?> Valid() => Body("ORD-bad", Now.AddMinutes(-10));

    private static string Json(object body) => JsonSerializer.Serialize(body);

    private static Dictionary<string, object?> With(string field, object? value, bool remove = false) => Valid().With(field, value, remove);

    public static TheoryData<string, string, string> BadBodies() => new()
    {
        { Json(With("items", null, remove: true)), "items", OrderCodes.Required },
        { Json(With("items", Array.Empty<object>())), "items", OrderCodes.InvalidItems },
        { Json(With("items", new object[] { new { sku = "SKU-1", quantity = 0 } })), "items[0].quantity", OrderCodes.InvalidQuantity },
        { Json(With("items", new object[] { new { sku = "SKU-1", quantity = -3 } })), "items[0].quantity", OrderCodes.InvalidQuantity },
        { Json(With("items", new object[] { new { sku = "SKU-1", quantity = 1.5 } })), "items[0].quantity", OrderCodes.InvalidQuantity },
        { Json(With("createdAt", "2026-12-01T09:50:00")), "createdAt", OrderCodes.OffsetRequired },
        { Json(With("createdAt", "2026-12-01T11:00:00+08:00")), "createdAt", OrderCodes.CreatedInFuture },
        { Json(With("hub", "atlantis")), "hub", OrderCodes.UnknownHub },
        { Json(With("channel", "amazon")), "channel", OrderCodes.NotAliExpress },
        { Json(With("packaging", "gift-box")), "packaging", OrderCodes.NotSupportedByHub },
        { Json(With("afterSales", "engraving")), "afterSales", OrderCodes.NotSupportedByHub },
        { Json(With("orderId", "bad id/1")), "orderId", "invalid-id" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task DSP_1_bad_order_input_is_422_problem_with_the_field_and_stores_nothing(string body, string field, string code)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var before = await TableSnapshot.AllAsync(factory.Names);
        var response = await platform.PostAsync("/api/orders", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await HttpAssert.Problem(response, HttpStatusCode.UnprocessableEntity, code);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_1_every_field_error_is_listed_at_once_with_the_rule_first()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var body = Valid().With("channel", "ebay").With("items", new object[] { new { sku = "", quantity = 0 } }).With("createdAt", "yesterday");
        var problem = await HttpAssert.Problem(await SubmitAsync(platform, body), HttpStatusCode.UnprocessableEntity, OrderCodes.NotAliExpress);
        Assert.Equal(["channel", "createdAt", "items[0].sku", "items[0].quantity"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
    }

    [Fact]
    public async Task SEC_2_unknown_seller_seller_of_another_hub_and_another_sellers_order_are_4xx_and_store_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await SeedAsync(factory);
        await factory.SeedSellerAsync("other-seller");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var operatorClient = factory.CreateSignedClient(TestClients.Operator);
        await SubmittedAsync(platform, Body("ORD-other", Now.AddMinutes(-5), sellerId: "other-seller"));
        await CountsCommittedAsync(factory); // the valid intake's count too, before the snapshot
        var before = await TableSnapshot.AllAsync(factory.Names);

        await HttpAssert.Problem(await SubmitAsync(platform, Body("ORD-x", Now, sellerId: "no-such-seller")), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await SubmitAsync(platform, Body("ORD-y", Now, hub: "xian")), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await SubmitAsync(seller, Body("ORD-z", Now)), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await seller.GetAsync("/api/orders/ORD-other"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-other", "INS-1"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-missing", "INS-1"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-other", "bad id"), HttpStatusCode.UnprocessableEntity, "invalid-id");
        await HttpAssert.Problem(await operatorClient.GetAsync("/api/orders/ORD-other"), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await platform.PostAsync("/api/orders", new StringContent("{\"orderId\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "malformed-json");
        await HttpAssert.Problem(await SubmitAsync(platform, Valid().With("items", "many")), HttpStatusCode.UnprocessableEntity, "invalid-value");
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
        Assert.Equal("open", await StatusAsync(platform, "ORD-other"));
    }
}
