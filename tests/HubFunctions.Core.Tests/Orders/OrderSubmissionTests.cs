using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using static HubFunctions.Core.Tests.Orders.OrderTestData;

namespace HubFunctions.Core.Tests.Orders;

/// <summary>DSP-1, DSP-2, BIL-10 and the field rules of <c>POST /api/orders</c>.</summary>
public sealed class OrderSubmissionTests
{
    private static readonly DateTimeOffset Now = Created.AddMinutes(1);

    private static IReadOnlyList<(string Field, string Code)> Errors(OrderRequest request, DateTimeOffset? now = null)
        => [.. OrderSubmission.Check(request, now ?? Now).Errors.Select(e => (e.Field, e.Code))];

    [Fact]
    public void DSP_2_a_valid_order_has_its_deadline_at_creation_plus_exactly_two_hours()
    {
        var check = OrderSubmission.Check(Request(), Now);

        Assert.True(check.Accepted);
        Assert.Equal(Created.AddHours(2), check.Order!.DispatchDeadline);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 4, 0, 0, TimeSpan.Zero), check.Order.DispatchDeadline.ToUniversalTime());
        Assert.Equal([new OrderItem("SKU-1", 2)], check.Order.Items);
        Assert.Equal(OrderStatus.Open, check.Order.ToOrder(Now).Status);
    }

    [Theory]
    [InlineData("taobao")]
    [InlineData("amazon")]
    [InlineData("aliexpress-plus")]
    public void DSP_1_a_non_aliexpress_channel_is_refused_with_DSP_1(string channel)
    {
        var check = OrderSubmission.Check(Request() with { Channel = channel }, Now);

        Assert.False(check.Accepted);
        Assert.Equal("DSP-1", check.Code);
        Assert.Equal(("channel", "DSP-1"), Errors(Request() with { Channel = channel }).Single());
    }

    [Fact]
    public void DSP_1_the_channel_is_compared_ignoring_case_and_stored_lower_case() =>
        Assert.Equal("aliexpress", OrderSubmission.Check(Request() with { Channel = "AliExpress" }, Now).Order!.Channel);

    [Fact]
    public void DSP_1_a_missing_channel_is_required() =>
        Assert.Equal(("channel", "required"), Errors(Request() with { Channel = null }).Single());

    [Theory]
    [InlineData("non-standard", null, "packaging")]
    [InlineData(null, "customised", "afterSales")]
    [InlineData(null, "engraving", "afterSales")]
    public void BIL_10_non_standard_packaging_and_customised_after_sales_are_refused_with_BIL_10(string? packaging, string? afterSales, string field) =>
        Assert.Equal((field, "BIL-10"), Errors(Request() with { Packaging = packaging, AfterSales = afterSales }).Single());

    [Fact]
    public void BIL_10_standard_packaging_and_after_sales_are_accepted() =>
        Assert.True(OrderSubmission.Check(Request() with { Packaging = "standard", AfterSales = "Standard" }, Now).Accepted);

    [Fact]
    public void Every_field_error_is_listed_at_once_rule_refusals_first()
    {
        var request = new OrderRequest("bad id", "", "taobao", "2026-12-01T10:00:00", "atlantis",
            [new OrderItemRequest("SKU-1", 0), new OrderItemRequest(null, -1), new OrderItemRequest("SKU-3", 1.5m), null], Packaging: "gift-box");

        Assert.Equal(
            [("channel", "DSP-1"), ("packaging", "BIL-10"), ("orderId", Ids.InvalidId), ("sellerId", Ids.InvalidId),
             ("createdAt", "offset-required"), ("hub", "unknown-hub"),
             ("items[0].quantity", "invalid-quantity"), ("items[1].sku", "required"), ("items[1].quantity", "invalid-quantity"),
             ("items[2].quantity", "invalid-quantity"), ("items[3].sku", "required"), ("items[3].quantity", "required")],
            Errors(request));
    }

    [Fact]
    public void Items_missing_or_empty_are_refused()
    {
        Assert.Equal(("items", "required"), Errors(Request() with { Items = null }).Single());
        Assert.Equal(("items", "invalid-items"), Errors(Request() with { Items = [] }).Single());
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00", "offset-required")]
    [InlineData("2026-12-01T10:00:00-00:00", "offset-required")]
    [InlineData("2026-12-01 10:00:00+08:00", "invalid-date-time")]
    [InlineData("2026-02-30T10:00:00+08:00", "invalid-date-time")]
    [InlineData("2026-12-01T10:00:00+25:00", "invalid-date-time")]
    [InlineData("yesterday", "invalid-date-time")]
    [InlineData("", "required")]
    public void CreatedAt_must_be_rfc3339_with_an_explicit_offset(string createdAt, string code) =>
        Assert.Equal(("createdAt", code), Errors(Request(createdAt)).Single());

    [Theory]
    [InlineData("2026-12-01T02:00:00Z")]
    [InlineData("2026-12-01t02:00:00z")]
    [InlineData("2026-12-01T10:00:00.1234567+08:00")]
    [InlineData("2026-12-01T16:00:00+14:00")]
    [InlineData("2026-11-30T21:30:00-04:30")]
    public void CreatedAt_with_an_explicit_offset_is_accepted(string createdAt) =>
        Assert.True(OrderSubmission.Check(Request(createdAt), Now).Accepted);

    [Fact]
    public void CreatedAt_in_the_future_beyond_five_minutes_of_clock_skew_is_refused()
    {
        var now = Created;
        Assert.True(OrderSubmission.Check(Request("2026-12-01T10:05:00+08:00"), now).Accepted);
        Assert.Equal(("createdAt", "created-in-future"), Errors(Request("2026-12-01T10:05:00.0000001+08:00"), now).Single());
    }

    [Fact]
    public void CreatedAt_in_another_offset_is_the_same_instant_and_the_same_fingerprint()
    {
        var a = OrderSubmission.Check(Request("2026-12-01T10:00:00+08:00"), Now).Order!;
        var b = OrderSubmission.Check(Request("2026-12-01T02:00:00Z"), Now).Order!;
        var c = OrderSubmission.Check(Request() with { Items = [new OrderItemRequest("SKU-1", 3)] }, Now).Order!;

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), c.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), (a with { Premium = true }).Fingerprint());
    }
}
