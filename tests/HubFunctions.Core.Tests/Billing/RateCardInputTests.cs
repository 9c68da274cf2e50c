using HubFunctions.Core.Billing;

namespace HubFunctions.Core.Tests.Billing;

public sealed class RateCardInputTests
{
    private static readonly DateOnly Today = new(2025, 4, 10);

    private static Dictionary<string, string?> PublishedTexts() => new()
    {
        [UsageKind.InboundQc] = "0.30",
        [UsageKind.Shelving] = "0.20",
        [UsageKind.Picking] = "0.40",
        [UsageKind.Labelling] = "0.15",
        [UsageKind.Assembly] = "0.80",
        [UsageKind.Return] = "5.00",
    };

    [Fact]
    public void BIL_1_a_complete_card_from_the_first_of_a_month_is_accepted()
    {
        Assert.Empty(RateCardInputs.Check("tianjin", new RateCardInput("2025-05-01", "12.50", PublishedTexts()), Today, out var card));
        Assert.Equal(("tianjin", new DateOnly(2025, 5, 1), 12.50m, 0.40m), (card!.Hub, card.EffectiveFrom, card.StoragePerCubicMetreMonth, card.RateOf(UsageKind.Picking)));
    }

    [Fact]
    public void H_1_BIL_1_every_error_of_a_bad_card_is_listed_and_no_card_is_made()
    {
        var rates = PublishedTexts();
        rates.Remove(UsageKind.Return);
        rates[UsageKind.Picking] = "-0.40";
        rates[UsageKind.Labelling] = "0.12345";
        rates["engraving"] = "9";

        var errors = RateCardInputs.Check("tianjin", new RateCardInput("2025-05-16", null, rates), Today, out var card);

        Assert.Null(card);
        Assert.Equal(
        [
            ("effectiveFrom", BillingCodes.InvalidDate),
            ("storagePerCubicMetreMonth", BillingCodes.Required),
            ("rates.picking", RateCardInputs.InvalidRate),
            ("rates.labelling", RateCardInputs.InvalidRate),
            ("rates.return", BillingCodes.Required),
            ("rates.engraving", BillingCodes.UnknownKind),
        ], errors.Select(e => (e.Field, e.Code)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10000.01")]
    [InlineData("NaN")]
    public void H_1_storage_rent_must_be_a_positive_sane_rate(string storage)
        => Assert.Equal(("storagePerCubicMetreMonth", RateCardInputs.InvalidRate),
            (RateCardInputs.Check("xian", new RateCardInput("2025-05-01", storage, PublishedTexts()), Today, out _) is [var e] ? (e.Field, e.Code) : default));

    [Theory]
    [InlineData("2025-04-10", "2025-04-01")]
    [InlineData("2025-04-10", "2025-03-01")]
    [InlineData("2025-04-10", "2024-01-01")]
    [InlineData("2025-05-01", "2025-05-01")]
    [InlineData("2025-12-31", "2025-12-01")]
    public void BIL_1_a_new_version_never_starts_in_a_month_begun_already(string today, string effectiveFrom)
    {
        var errors = RateCardInputs.Check("tianjin", new RateCardInput(effectiveFrom, "12.50", PublishedTexts()), DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), out var card);
        Assert.Null(card);
        Assert.Equal([("effectiveFrom", RateCardInputs.EffectiveFromNotFuture)], errors.Select(e => (e.Field, e.Code)));
    }

    [Theory]
    [InlineData("2025-03-01", null)]
    [InlineData("2024-06-01", null)]
    [InlineData("2025-03-01", "2025-05-01")]
    [InlineData("2025-01-01", "2025-02-01")]
    public void H_1_a_version_before_every_card_of_the_hub_may_start_in_a_past_month_it_prices_only_days_no_card_covered(string effectiveFrom, string? firstCard)
    {
        var first = firstCard is null ? (DateOnly?)null : DateOnly.Parse(firstCard, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Empty(RateCardInputs.Check("tianjin", new RateCardInput(effectiveFrom, "12.50", PublishedTexts()), Today, first, out var card));
        Assert.NotNull(card);
    }

    [Theory]
    [InlineData("2025-03-01", "2025-03-01")]
    [InlineData("2025-03-01", "2024-01-01")]
    [InlineData("2025-04-01", "2025-02-01")]
    public void BIL_1_a_past_version_on_or_after_the_hubs_first_card_would_reprice_billed_days_and_is_refused(string effectiveFrom, string firstCard)
    {
        var errors = RateCardInputs.Check("hangzhou", new RateCardInput(effectiveFrom, "12.50", PublishedTexts()), Today, DateOnly.Parse(firstCard, System.Globalization.CultureInfo.InvariantCulture), out var card);
        Assert.Null(card);
        Assert.Equal([("effectiveFrom", RateCardInputs.EffectiveFromNotFuture)], errors.Select(e => (e.Field, e.Code)));
    }

    [Theory]
    [InlineData("2025-04-30", "2025-05-01")]
    [InlineData("2025-04-01", "2025-05-01")]
    [InlineData("2025-12-31", "2026-01-01")]
    [InlineData("2025-04-10", "2026-03-01")]
    public void BIL_1_a_new_version_from_the_first_of_a_month_still_to_come_is_accepted(string today, string effectiveFrom)
        => Assert.Empty(RateCardInputs.Check("tianjin", new RateCardInput(effectiveFrom, "12.50", PublishedTexts()), DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture), out _));
}
