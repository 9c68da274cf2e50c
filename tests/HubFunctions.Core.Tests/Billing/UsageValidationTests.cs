using HubFunctions.Core.Billing;
using static HubFunctions.Core.Tests.Billing.BillingTestData;

namespace HubFunctions.Core.Tests.Billing;

/// <summary>Bad input of usage records, snapshots, claims and periods: every field error at once, nothing accepted.</summary>
public sealed class UsageValidationTests
{
    private static readonly DateTimeOffset Now = new(2025, 4, 10, 12, 0, 0, TimeSpan.FromHours(8));

    private static UsageRecordInput Good(string id = "u1", string quantity = "2") => new(id, HangzhouSeller, UsageKind.Picking, quantity, "2025-04-10T09:00:00+08:00");

    [Fact]
    public void BIL_2_valid_records_are_accepted_with_exact_decimal_quantities()
    {
        var errors = UsageRecords.Check("hangzhou", [Good("u1", "0.5"), Good("u2", "1233"), Good("u3", "1.25e2")], Now, out var valid);

        Assert.Empty(errors);
        Assert.Equal([0.5m, 1233m, 125m], valid.Select(v => v.Quantity));
        Assert.Equal(new DateOnly(2025, 4, 10), valid[0].Date);
    }

    [Theory]
    [InlineData("-1", BillingCodes.InvalidQuantity)]
    [InlineData("0", BillingCodes.InvalidQuantity)]
    [InlineData("-0.0", BillingCodes.InvalidQuantity)]
    [InlineData("NaN", BillingCodes.InvalidQuantity)]
    [InlineData("Infinity", BillingCodes.InvalidQuantity)]
    [InlineData("\"5\"", BillingCodes.InvalidQuantity)]
    [InlineData("1,5", BillingCodes.InvalidQuantity)]
    [InlineData(" 1", BillingCodes.InvalidQuantity)]
    [InlineData("1\n", BillingCodes.InvalidQuantity)]
    [InlineData("0x10", BillingCodes.InvalidQuantity)]
    [InlineData("1e-400", BillingCodes.InvalidQuantity)]
    [InlineData("-1e400", BillingCodes.InvalidQuantity)]
    [InlineData("1000000.001", BillingCodes.QuantityTooLarge)]
    [InlineData("1e400", BillingCodes.QuantityTooLarge)]
    [InlineData("99999999999999999999999999999999999", BillingCodes.QuantityTooLarge)]
    public void BIL_2_negative_zero_nan_and_huge_quantities_are_refused(string quantity, string code)
    {
        var errors = UsageRecords.Check("hangzhou", [Good(quantity: quantity)], Now, out var valid);

        var error = Assert.Single(errors);
        Assert.Equal(("records[0].quantity", code), (error.Field, error.Code));
        Assert.Empty(valid);
    }

    [Fact]
    public void BIL_2_every_field_error_of_every_record_is_listed_at_once()
    {
        var errors = UsageRecords.Check("hangzhou",
        [
            Good("u1"),
            new UsageRecordInput(null, "DGG-000001", "packing", "-3", "2025-04-10 09:00"),
            new UsageRecordInput("u1", "nobody", null, null, null),
            new UsageRecordInput("u4", HangzhouSeller, UsageKind.Return, "1", "2025-04-10T12:06:00+08:00"),
            new UsageRecordInput("u5", HangzhouSeller, UsageKind.Return, "1", "2025-04-10T09:00:00"),
        ], Now, out var valid);

        Assert.Equal(
        [
            ("records[1].usageId", BillingCodes.Required),
            ("records[1].sellerId", BillingCodes.WrongHub),
            ("records[1].kind", BillingCodes.UnknownKind),
            ("records[1].quantity", BillingCodes.InvalidQuantity),
            ("records[1].occurredAt", BillingCodes.InvalidOccurredAt),
            ("records[2].usageId", BillingCodes.DuplicateId),
            ("records[2].sellerId", BillingCodes.InvalidSellerId),
            ("records[2].kind", BillingCodes.Required),
            ("records[2].quantity", BillingCodes.Required),
            ("records[2].occurredAt", BillingCodes.Required),
            ("records[3].occurredAt", BillingCodes.OccurredInFuture),
            ("records[4].occurredAt", BillingCodes.InvalidOccurredAt),
        ], errors.Select(e => (e.Field, e.Code)));
        Assert.Empty(valid);
    }

    [Fact]
    public void BIL_2_five_minutes_of_clock_skew_are_tolerated_but_not_more()
    {
        Assert.Empty(UsageRecords.Check("hangzhou", [Good() with { OccurredAt = "2025-04-10T12:05:00+08:00" }], Now, out _));
        Assert.Single(UsageRecords.Check("hangzhou", [Good() with { OccurredAt = "2025-04-10T12:05:01+08:00" }], Now, out _));
    }

    [Fact]
    public void BIL_2_empty_or_oversized_requests_are_refused()
    {
        Assert.Equal(BillingCodes.Required, Assert.Single(UsageRecords.Check("hangzhou", [], Now, out _)).Code);
        var many = Enumerable.Range(0, UsageRecords.MaxRecordsPerRequest + 1).Select(i => Good($"u{i}")).ToList();
        Assert.Equal(BillingCodes.TooManyRecords, Assert.Single(UsageRecords.Check("hangzhou", many, Now, out _)).Code);
        Assert.Empty(UsageRecords.Check("hangzhou", many[..^1], Now, out _));
    }

    [Fact]
    public void BIL_4_snapshot_validation_lists_every_error_and_accepts_zero()
    {
        Assert.Empty(StorageSnapshots.Check("hangzhou", "2025-04-10", [new(HangzhouSeller, "0"), new("HGH-000043", "12.5")], Now, out var date, out var valid));
        Assert.Equal(new DateOnly(2025, 4, 10), date);
        Assert.Equal([(HangzhouSeller, 0m), ("HGH-000043", 12.5m)], valid);

        var errors = StorageSnapshots.Check("hangzhou", "2025-04-11",
            [new(HangzhouSeller, "-1"), new(HangzhouSeller, "1"), new("HGH-000044", "NaN"), new("HGH-000045", "1000001"), new("HGH-000046", null)], Now, out _, out valid);
        Assert.Equal(
        [
            ("date", BillingCodes.DateInFuture),
            ("sellers[0].cubicMeters", BillingCodes.InvalidCubicMeters),
            ("sellers[1].sellerId", BillingCodes.DuplicateId),
            ("sellers[2].cubicMeters", BillingCodes.InvalidCubicMeters),
            ("sellers[3].cubicMeters", BillingCodes.InvalidCubicMeters),
            ("sellers[4].cubicMeters", BillingCodes.Required),
        ], errors.Select(e => (e.Field, e.Code)));
        Assert.Empty(valid);
        Assert.Equal(BillingCodes.InvalidDate, StorageSnapshots.Check("hangzhou", "2025-4-1", [new(HangzhouSeller, "1")], Now, out _, out _)[0].Code);
    }

    [Theory]
    [InlineData("2345.67", null)]
    [InlineData("0.01", null)]
    [InlineData("0", BillingCodes.InvalidAmount)]
    [InlineData("-5", BillingCodes.InvalidAmount)]
    [InlineData("1.005", BillingCodes.InvalidAmount)]
    [InlineData("10000000.01", BillingCodes.InvalidAmount)]
    [InlineData(null, BillingCodes.Required)]
    public void BIL_9_claim_goods_value_is_a_positive_cny_amount(string? raw, string? code)
        => Assert.Equal(code, Claims.CheckGoodsValue(raw, out _)?.Code);

    [Theory]
    [InlineData("2025-03", null)]
    [InlineData("2025-04", BillingCodes.PeriodNotEnded)]
    [InlineData("2025-05", BillingCodes.PeriodNotEnded)]
    [InlineData("2025-13", BillingCodes.InvalidPeriod)]
    [InlineData("2025-3", BillingCodes.InvalidPeriod)]
    [InlineData("202503", BillingCodes.InvalidPeriod)]
    [InlineData(null, BillingCodes.InvalidPeriod)]
    public void BIL_6_only_a_closed_well_formed_period_can_be_billed(string? period, string? code)
        => Assert.Equal(code, BillingPeriod.CheckClosed(period, Now, out _).FirstOrDefault()?.Code);

    [Fact]
    public void BIL_6_a_month_is_closed_from_midnight_of_the_first_in_shanghai()
    {
        // 2025-03-31T16:00Z is 2025-04-01 00:00 in Asia/Shanghai: March has ended there, one second earlier it has not.
        Assert.Empty(BillingPeriod.CheckClosed("2025-03", new DateTimeOffset(2025, 3, 31, 16, 0, 0, TimeSpan.Zero), out var p));
        Assert.Equal((new DateOnly(2025, 3, 1), new DateOnly(2025, 3, 31), 31), (p.FirstDay, p.LastDay, p.Days));
        Assert.NotEmpty(BillingPeriod.CheckClosed("2025-03", new DateTimeOffset(2025, 3, 31, 15, 59, 59, TimeSpan.Zero), out _));
        Assert.Equal("2025-03", BillingPeriod.PreviousTo(new DateOnly(2025, 4, 1)).ToString());
        Assert.Equal("2024-12", BillingPeriod.PreviousTo(new DateOnly(2025, 1, 1)).ToString());
    }

    [Fact]
    public void BIL_1_rate_cards_must_be_complete_and_unique_per_effective_date()
    {
        var partial = new Dictionary<string, decimal>(PublishedRates.UsageRates);
        partial.Remove(UsageKind.Return);
        Assert.Throws<ArgumentException>(() => new RateCard("hangzhou", new(2025, 1, 1), 18m, partial));
        Assert.Throws<ArgumentException>(() => new RateCardHistory("hangzhou",
            [.. PublishedRates.Cards, new RateCard("hangzhou", PublishedRates.EffectiveFrom, 19m, PublishedRates.UsageRates)]));
        Assert.ThrowsAny<ArgumentException>(() => new RateCard("hangzhou", new(2025, 1, 1), -1m, PublishedRates.UsageRates));
    }
}
