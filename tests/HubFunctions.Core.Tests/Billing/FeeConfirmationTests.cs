using HubFunctions.Core.Billing;

namespace HubFunctions.Core.Tests.Billing;

/// <summary>What the fee confirmation letter lists (BIL-8) and when there is none (H-1).</summary>
public sealed class FeeConfirmationTests
{
    private static readonly DateOnly Today = new(2026, 11, 28);

    private static FeeConfirmationResult Prepare(string hub, params RateCard[] cards)
        => FeeConfirmation.Prepare("s-1", "HGH-000001", "杭州示例贸易有限公司", hub, new RateCardHistory(hub, cards), Today);

    [Fact]
    public void BIL_8_the_letter_lists_the_card_in_force_today_and_every_later_one_but_no_superseded_card()
    {
        var old = new RateCard("hangzhou", new(2024, 1, 1), 18.00m, PublishedRates.UsageRates);
        var current = new RateCard("hangzhou", new(2026, 6, 1), 19.00m, PublishedRates.UsageRates);
        var next = new RateCard("hangzhou", new(2027, 1, 1), 20.00m, PublishedRates.UsageRates);

        var letter = Prepare("hangzhou", next, old, current).Letter!;

        Assert.Equal([current, next], letter.Cards);
        Assert.Equal((Today, "hangzhou", "HGH-000001", "杭州示例贸易有限公司"), (letter.IssuedOn, letter.Hub, letter.HubSellerId, letter.SellerName));
    }

    [Fact]
    public void BIL_8_the_published_hangzhou_card_is_the_whole_letter()
        => Assert.Equal(18.00m, Assert.Single(Prepare("hangzhou", [.. PublishedRates.Cards]).Letter!.Cards).StoragePerCubicMetreMonth);

    [Fact]
    public void BIL_8_a_card_scheduled_for_later_at_a_hub_without_one_today_is_listed()
    {
        var next = new RateCard("tianjin", new(2027, 1, 1), 12.00m, PublishedRates.UsageRates);
        Assert.Equal([next], Prepare("tianjin", next).Letter!.Cards);
    }

    [Theory]
    [InlineData("tianjin")]
    [InlineData("xian")]
    public void H_1_a_hub_without_a_rate_card_gets_no_letter(string hub)
    {
        var result = Prepare(hub, [.. PublishedRates.Cards]);
        Assert.False(result.Prepared);
        Assert.Contains("H-1", result.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(hub, result.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hangzhou", true)]
    [InlineData("xian", true)]
    [InlineData("shanghai", false)]
    [InlineData("", false)]
    [InlineData("Hangzhou", false)]
    public void H_1_only_the_four_hubs_are_hubs(string hub, bool valid)
    {
        var error = FeeConfirmation.CheckHub(hub);
        Assert.Equal(valid, error is null);
        Assert.True(valid || error!.Code == "H-1");
    }

    [Fact]
    public void BIL_8_the_stored_name_changes_with_every_rate_and_not_otherwise()
    {
        var letter = Prepare("hangzhou", [.. PublishedRates.Cards]).Letter!;
        var rates = new Dictionary<string, decimal>(PublishedRates.UsageRates) { [UsageKind.Assembly] = 0.81m };
        var changed = letter with { Cards = [new RateCard("hangzhou", new(2024, 1, 1), 18.00m, rates)] };

        Assert.Equal(FeeConfirmationHandler.DocumentName(letter), FeeConfirmationHandler.DocumentName(letter with { }));
        Assert.StartsWith("fee-confirmations/s-1/hangzhou/2026-11-28-", FeeConfirmationHandler.DocumentName(letter), StringComparison.Ordinal);
        Assert.NotEqual(FeeConfirmationHandler.DocumentName(letter), FeeConfirmationHandler.DocumentName(changed));
        Assert.NotEqual(FeeConfirmationHandler.DocumentName(letter), FeeConfirmationHandler.DocumentName(letter with { SellerName = "另一家公司" }));
    }
}
