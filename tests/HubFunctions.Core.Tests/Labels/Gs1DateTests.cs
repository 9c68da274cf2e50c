using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-2: YYMMDD dates, DD = 00, and the GS1 century rule against an injected clock.</summary>
public sealed class Gs1DateTests
{
    [Theory]
    [InlineData("240229", "2024-02-29")] // leap day
    [InlineData("261231", "2026-12-31")]
    [InlineData("250101", "2025-01-01")]
    [InlineData("240200", "2024-02-29")] // DD=00: last day, leap February
    [InlineData("230200", "2023-02-28")] // DD=00: last day, common February
    [InlineData("250400", "2025-04-30")]
    [InlineData("251200", "2025-12-31")]
    [InlineData("000229", "2000-02-29")] // 2000 is a leap year (divisible by 400)
    public void LBL_2_valid_yymmdd_reads_as_the_calendar_date(string yymmdd, string expected)
    {
        Assert.True(Gs1Date.TryParse(yymmdd, 2026, out var date, out var problem), problem);
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date);
    }

    [Theory]
    [InlineData("230229")] // 2023 is not a leap year
    [InlineData("241301")] // month 13
    [InlineData("240001")] // month 00
    [InlineData("240431")] // April has 30 days
    [InlineData("240132")]
    [InlineData("24010")]  // five digits
    [InlineData("24O101")] // letter O
    public void LBL_2_impossible_dates_are_rejected(string yymmdd)
    {
        Assert.False(Gs1Date.TryParse(yymmdd, 2026, out _, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void LBL_2_production_date_2024_02_29_is_valid_on_a_label()
    {
        var result = Validator().Validate(BracketedWith("11", "240229"));

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(new DateOnly(2024, 2, 29), result.ProductionDate);
    }

    [Theory]
    [InlineData("11", "230229")]
    [InlineData("11", "241301")]
    [InlineData("17", "261301")]
    [InlineData("17", "270229")]
    public void LBL_2_invalid_date_on_a_label_is_reported_with_its_ai(string ai, string value)
    {
        var result = Validator().Validate(BracketedWith(ai, value));

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.InvalidDate, error.Code);
        Assert.Equal(ai, error.Ai);
    }

    [Fact]
    public void LBL_2_expiry_dd_00_means_the_last_day_of_the_month()
    {
        var result = Validator().Validate(BracketedWith("17", "280200"));

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(new DateOnly(2028, 2, 29), result.ExpiryDate);
    }

    [Theory]
    // Current year 2026: difference yy - 26.
    [InlineData(2026, 76, 2076)] // +50 → same century
    [InlineData(2026, 77, 1977)] // +51 → previous century
    [InlineData(2026, 99, 1999)] // +73
    [InlineData(2026, 0, 2000)]  // -26
    [InlineData(2026, 26, 2026)]
    // Century ends and starts.
    [InlineData(2099, 49, 2149)] // -50 → next century
    [InlineData(2099, 50, 2050)] // -49 → same century
    [InlineData(2099, 0, 2100)]  // -99 → next century
    [InlineData(2000, 50, 2050)] // +50 → same
    [InlineData(2000, 51, 1951)] // +51 → previous
    [InlineData(2000, 99, 1999)] // +99 → previous
    [InlineData(2049, 99, 2099)] // +50 → same
    [InlineData(2050, 0, 2100)]  // -50 → next
    [InlineData(2050, 1, 2001)]  // -49 → same
    [InlineData(2100, 50, 2150)]
    [InlineData(2100, 51, 2051)]
    public void LBL_2_century_rule_resolves_two_digit_years(int currentYear, int yy, int expected)
    {
        Assert.Equal(expected, Gs1Date.ResolveYear(yy, currentYear));
    }

    [Fact]
    public void LBL_2_century_rule_reads_the_year_from_the_injected_clock_in_asia_shanghai()
    {
        // 2025-12-31 23:59:59 in Shanghai is still 2025: YY 75 is +50 (2075), YY 76 is +51 (1976).
        var lastSecondOf2025 = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2025, 12, 31, 15, 59, 59, TimeSpan.Zero));
        Assert.Equal(2025, Gs1Date.CurrentYear(lastSecondOf2025));
        var before = new LabelValidator(lastSecondOf2025).Validate(BracketedWith("17", "760101"));
        Assert.Equal(new DateOnly(1976, 1, 1), before.ExpiryDate);

        // One second later it is 2026-01-01 in Shanghai (still 2025 in UTC): YY 76 is +50 → 2076.
        lastSecondOf2025.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2026, Gs1Date.CurrentYear(lastSecondOf2025));
        var after = new LabelValidator(lastSecondOf2025).Validate(BracketedWith("17", "760101"));
        Assert.Equal(new DateOnly(2076, 1, 1), after.ExpiryDate);
        Assert.True(after.Valid, Codes(after));
    }

    [Fact]
    public void LBL_2_century_rule_applies_before_the_leap_year_check()
    {
        // In 2099, YY 00 is 2100, which is not a leap year; in 2026 it is 2000, which is.
        Assert.False(Gs1Date.TryParse("000229", 2099, out _, out _));
        Assert.True(Gs1Date.TryParse("000229", 2026, out var date, out _));
        Assert.Equal(new DateOnly(2000, 2, 29), date);
        Assert.True(Gs1Date.TryParse("000200", 2099, out var monthEnd, out _));
        Assert.Equal(new DateOnly(2100, 2, 28), monthEnd);
    }

    [Fact]
    public void LBL_2_production_after_expiry_is_rejected()
    {
        var result = Validator().Validate(
            Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(Gtin, "ABC123", "261231", "240229", "SN0001")));

        Assert.Equal(LabelErrorCodes.ProductionAfterExpiry, Assert.Single(result.Errors).Code);
        Assert.Equal(new DateOnly(2026, 12, 31), result.ProductionDate);
        Assert.Equal(new DateOnly(2024, 2, 29), result.ExpiryDate);
    }

    [Fact]
    public void LBL_2_production_on_the_expiry_day_is_accepted()
    {
        var result = Validator().Validate(
            Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(Gtin, "ABC123", "260331", "260300", "SN0001")));

        Assert.True(result.Valid, Codes(result));
    }

    [Fact]
    public void LBL_2_production_and_expiry_compare_after_the_century_rule()
    {
        // In 2026: 991231 is 1999-12-31 and 000101 is 2000-01-01, so production precedes expiry.
        var result = Validator().Validate(
            Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(Gtin, "ABC123", "991231", "000101", "SN0001")));

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(new DateOnly(1999, 12, 31), result.ProductionDate);
    }
}
