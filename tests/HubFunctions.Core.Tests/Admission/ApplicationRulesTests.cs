using CsCheck;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Tests.Admission;

/// <summary>ADM-1..4 and ADM-11 at intake: field errors (422) and the category rules (pre-review).</summary>
public sealed class ApplicationRulesTests
{
    // Submitted on 2026-11-28 (Asia/Shanghai): the last six complete months are 2026-05..2026-10.
    private static readonly DateOnly Today = new(2026, 11, 28);

    private static readonly string[] Window = ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"];

    private static ApplicationSubmission Base(string category) => new(
        SellerId: "seller-42",
        StoreName: "Example Store",
        EntityName: "华为技术有限公司",
        Category: category,
        UnifiedSocialCreditCode: "914403001922038216",
        Hub: "hangzhou");

    private static ApplicationSubmission Manufacturer(decimal? export) => Base(SellerCategories.Manufacturer) with { AnnualExportCny = export };

    private static ApplicationSubmission BrandTrader(bool? own, bool? certified) =>
        Base(SellerCategories.BrandTrader) with { OwnBrand = own, BrandAuthorizationCertified = certified };

    private static ApplicationSubmission Wms(bool? cainiao, params (string Month, decimal Rate)[] rates) =>
        Base(SellerCategories.WmsProvider) with
        {
            CainiaoWms = cainiao,
            MonthlyFulfilmentRates = [.. rates.Select(r => new MonthlyFulfilmentRate(r.Month, r.Rate))],
        };

    private static (string, decimal)[] AllAt(decimal rate, params string[] months) => [.. months.Select(m => (m, rate))];

    private static void AssertValid(ApplicationSubmission s)
    {
        var errors = ApplicationRules.Validate(s, Today);
        Assert.True(errors.Count == 0, string.Join("; ", errors));
    }

    private static FieldError SingleError(ApplicationSubmission s) => Assert.Single(ApplicationRules.Validate(s, Today));

    // ---------- ADM-2 ----------

    [Fact]
    public void ADM_2_export_value_of_exactly_5_000_000_00_passes()
    {
        var s = Manufacturer(5_000_000.00m);
        AssertValid(s);
        Assert.Empty(ApplicationRules.CheckCategory(s, Today));
    }

    [Fact]
    public void ADM_2_export_value_of_4_999_999_99_fails_pre_review()
    {
        var s = Manufacturer(4_999_999.99m);
        AssertValid(s);
        var reason = Assert.Single(ApplicationRules.CheckCategory(s, Today));
        Assert.Equal("ADM-2", reason.Code);
        Assert.Contains("4,999,999.99", reason.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5000000.01")]
    [InlineData("123456789012.34")]
    public void ADM_2_export_value_above_the_threshold_passes(string value)
    {
        Assert.Empty(ApplicationRules.CheckCategory(Manufacturer(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture)), Today));
    }

    [Fact]
    public void ADM_2_export_value_threshold_property()
    {
        Gen.Decimal[0m, 20_000_000m].Select(d => decimal.Round(d, 2)).Sample(d =>
        {
            var passes = ApplicationRules.CheckCategory(Manufacturer(d), Today).Count == 0;
            Assert.Equal(d >= 5_000_000.00m, passes);
        });
    }

    [Fact]
    public void ADM_2_negative_export_value_is_a_field_error()
    {
        var error = SingleError(Manufacturer(-0.01m));
        Assert.Equal(("annualExportCny", ApplicationRules.NegativeAmount), (error.Field, error.Code));
    }

    [Fact]
    public void ADM_2_export_value_with_more_than_two_decimals_is_a_field_error()
    {
        var error = SingleError(Manufacturer(5_000_000.001m));
        Assert.Equal(("annualExportCny", ApplicationRules.AmountPrecision), (error.Field, error.Code));
        AssertValid(Manufacturer(5_000_000.10m)); // trailing zero scale is fine
        AssertValid(Manufacturer(5_000_000.100m));
    }

    [Fact]
    public void ADM_2_manufacturer_without_export_value_is_a_field_error()
    {
        var error = SingleError(Manufacturer(null));
        Assert.Equal(("annualExportCny", ApplicationRules.Required), (error.Field, error.Code));
    }

    // ---------- ADM-3 ----------

    [Fact]
    public void ADM_3_own_brand_and_certified_passes()
    {
        var s = BrandTrader(true, true);
        AssertValid(s);
        Assert.Empty(ApplicationRules.CheckCategory(s, Today));
    }

    [Theory]
    [InlineData(false, true, 1)]
    [InlineData(true, false, 1)]
    [InlineData(false, false, 2)]
    public void ADM_3_not_own_brand_or_not_certified_fails_pre_review_once_per_missing_condition(bool own, bool certified, int reasons)
    {
        var s = BrandTrader(own, certified);
        AssertValid(s);
        var found = ApplicationRules.CheckCategory(s, Today);
        Assert.Equal(reasons, found.Count);
        Assert.All(found, r => Assert.Equal("ADM-3", r.Code));
    }

    [Fact]
    public void ADM_3_brand_trader_without_the_flags_is_a_field_error()
    {
        var errors = ApplicationRules.Validate(BrandTrader(null, null), Today);
        Assert.Equal(["brandAuthorizationCertified", "ownBrand"], errors.Select(e => e.Field).Order(StringComparer.Ordinal));
        Assert.All(errors, e => Assert.Equal(ApplicationRules.Required, e.Code));
    }

    // ---------- ADM-4 ----------

    [Fact]
    public void ADM_4_the_window_is_the_six_complete_months_before_the_submission_month()
    {
        Assert.Equal(Window, ApplicationRules.FulfilmentWindow(Today).Select(m => m.ToString()));
        Assert.Equal(["2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"],
            ApplicationRules.FulfilmentWindow(new DateOnly(2026, 1, 1)).Select(m => m.ToString()));
        Assert.Equal(["2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01"],
            ApplicationRules.FulfilmentWindow(new DateOnly(2026, 2, 28)).Select(m => m.ToString()));
    }

    [Fact]
    public void ADM_4_six_months_at_exactly_98_50_percent_pass()
    {
        var s = Wms(true, AllAt(0.9850m, Window));
        AssertValid(s);
        Assert.Empty(ApplicationRules.CheckCategory(s, Today));
    }

    [Fact]
    public void ADM_4_one_month_at_98_49_percent_fails()
    {
        var rates = AllAt(0.991m, Window);
        rates[3] = ("2026-08", 0.9849m);
        var s = Wms(true, rates);
        AssertValid(s);
        var reason = Assert.Single(ApplicationRules.CheckCategory(s, Today));
        Assert.Equal("ADM-4", reason.Code);
        Assert.Contains("2026-08", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_a_rate_a_hair_below_98_5_percent_fails_exactly()
    {
        var rates = AllAt(0.985m, Window);
        rates[0] = ("2026-05", 0.9849999999999999999999999999m);
        Assert.Equal("ADM-4", Assert.Single(ApplicationRules.CheckCategory(Wms(true, rates), Today)).Code);
    }

    [Fact]
    public void ADM_4_each_month_below_the_threshold_is_its_own_reason()
    {
        var s = Wms(true, AllAt(0.90m, Window));
        Assert.Equal(6, ApplicationRules.CheckCategory(s, Today).Count(r => r.Code == "ADM-4"));
    }

    [Fact]
    public void ADM_4_rate_threshold_property_compared_exactly()
    {
        // Rates from 0.97 to 1 in steps of 0.0000001: pass exactly when ≥ 0.985 (the boundary itself has its own tests).
        var gen = from units in Gen.Int[9_700_000, 10_000_000] select units / 10_000_000m;
        gen.Sample(rate =>
        {
            var rates = AllAt(0.99m, Window);
            rates[5] = ("2026-10", rate);
            var passes = ApplicationRules.CheckCategory(Wms(true, rates), Today).Count == 0;
            Assert.Equal(rate >= 0.985m, passes);
        });
    }

    [Fact]
    public void ADM_4_five_months_fail()
    {
        var s = Wms(true, AllAt(0.99m, Window[1..]));
        AssertValid(s);
        var reason = Assert.Single(ApplicationRules.CheckCategory(s, Today));
        Assert.Equal("ADM-4", reason.Code);
        Assert.Contains("missing: 2026-05", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_five_recent_months_and_an_older_one_fail()
    {
        // Six months, but not consecutive: 2026-04 stands in for the missing 2026-05.
        var s = Wms(true, AllAt(0.99m, ["2026-04", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]));
        AssertValid(s);
        Assert.Contains("missing: 2026-05", Assert.Single(ApplicationRules.CheckCategory(s, Today)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_six_months_with_a_gap_fail()
    {
        var s = Wms(true, AllAt(0.99m, ["2026-04", "2026-05", "2026-06", "2026-08", "2026-09", "2026-10"]));
        AssertValid(s);
        var reason = Assert.Single(ApplicationRules.CheckCategory(s, Today));
        Assert.Equal("ADM-4", reason.Code);
        Assert.Contains("missing: 2026-07", reason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_six_months_ending_a_month_early_fail()
    {
        // The last complete month (2026-10) is missing: 2026-04..2026-09 is consecutive but stale.
        var s = Wms(true, AllAt(0.99m, ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]));
        Assert.Contains("missing: 2026-10", Assert.Single(ApplicationRules.CheckCategory(s, Today)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_the_current_incomplete_month_does_not_count()
    {
        // 2026-06..2026-11: the current month 2026-11 is not complete, so 2026-05 is missing.
        var s = Wms(true, AllAt(0.99m, ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]));
        AssertValid(s);
        Assert.Contains("missing: 2026-05", Assert.Single(ApplicationRules.CheckCategory(s, Today)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_older_months_and_the_current_month_are_ignored_even_when_low()
    {
        var rates = AllAt(0.99m, Window).Concat([("2026-04", 0.5m), ("2026-11", 0.1m)]).ToArray();
        var s = Wms(true, rates);
        AssertValid(s);
        Assert.Empty(ApplicationRules.CheckCategory(s, Today));
    }

    [Fact]
    public void ADM_4_a_month_in_the_future_is_a_field_error()
    {
        var rates = AllAt(0.99m, Window).Concat([("2026-12", 0.99m)]).ToArray();
        var error = SingleError(Wms(true, rates));
        Assert.Equal(("monthlyFulfilmentRates[6].month", ApplicationRules.FutureMonth), (error.Field, error.Code));
    }

    [Fact]
    public void ADM_4_the_future_is_judged_in_Asia_Shanghai()
    {
        // 2026-11-30T17:00Z is already 2026-12-01 in Shanghai: 2026-12 is the current month, not the future.
        var today = ChinaTime.DateOf(new DateTimeOffset(2026, 11, 30, 17, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 12, 1), today);
        Assert.Empty(ApplicationRules.Validate(Wms(true, ("2026-12", 0.99m)), today));
    }

    [Fact]
    public void ADM_4_duplicate_months_are_a_field_error()
    {
        var rates = AllAt(0.99m, Window).Concat([("2026-07", 0.995m)]).ToArray();
        var error = SingleError(Wms(true, rates));
        Assert.Equal(("monthlyFulfilmentRates[6].month", ApplicationRules.DuplicateMonth), (error.Field, error.Code));
    }

    [Theory]
    [InlineData("-0.0001")]
    [InlineData("1.0001")]
    [InlineData("98.5")]
    public void ADM_4_rates_outside_0_to_1_are_field_errors(string rate)
    {
        var rates = AllAt(0.99m, Window);
        rates[2] = (rates[2].Item1, decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture));
        var error = SingleError(Wms(true, rates));
        Assert.Equal(("monthlyFulfilmentRates[2].rate", ApplicationRules.RateOutOfRange), (error.Field, error.Code));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    public void ADM_4_rates_of_0_and_1_are_accepted(string rate)
    {
        AssertValid(Wms(true, AllAt(decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture), Window)));
    }

    [Theory]
    [InlineData("2026-5")]
    [InlineData("2026-13")]
    [InlineData("2026-00")]
    [InlineData("202605")]
    [InlineData("2026-05-01")]
    [InlineData("26-05")]
    [InlineData("2026/05")]
    [InlineData(" 2026-05")]
    [InlineData("２０２６-05")]
    public void ADM_4_malformed_months_are_field_errors(string month)
    {
        var error = SingleError(Wms(true, (month, 0.99m)));
        Assert.Equal(("monthlyFulfilmentRates[0].month", ApplicationRules.InvalidMonth), (error.Field, error.Code));
    }

    [Fact]
    public void ADM_4_missing_month_rate_or_entry_are_field_errors()
    {
        var s = Base(SellerCategories.WmsProvider) with
        {
            CainiaoWms = true,
            MonthlyFulfilmentRates = [new MonthlyFulfilmentRate(null, 0.99m), new MonthlyFulfilmentRate("2026-05", null), null],
        };
        var errors = ApplicationRules.Validate(s, Today);
        Assert.Equal(
            ["monthlyFulfilmentRates[0].month", "monthlyFulfilmentRates[1].rate", "monthlyFulfilmentRates[2]"],
            errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal(ApplicationRules.Required, e.Code));
    }

    [Fact]
    public void ADM_4_not_on_Cainiao_WMS_fails_pre_review()
    {
        var s = Wms(false, AllAt(0.99m, Window));
        AssertValid(s);
        Assert.Equal("ADM-4", Assert.Single(ApplicationRules.CheckCategory(s, Today)).Code);
    }

    [Fact]
    public void ADM_4_wms_provider_without_flag_or_rates_is_a_field_error()
    {
        var errors = ApplicationRules.Validate(Base(SellerCategories.WmsProvider), Today);
        Assert.Equal(["cainiaoWms", "monthlyFulfilmentRates"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ADM_4_an_empty_list_is_accepted_at_intake_and_fails_pre_review()
    {
        var s = Wms(true);
        AssertValid(s);
        Assert.Contains("missing: 2026-05, 2026-06, 2026-07, 2026-08, 2026-09, 2026-10",
            Assert.Single(ApplicationRules.CheckCategory(s, Today)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADM_4_window_property_any_submission_day_six_months_at_threshold_pass_and_dropping_one_fails()
    {
        var gen = from day in Gen.Int[0, 365 * 3] from drop in Gen.Int[0, 5] select (Date: new DateOnly(2024, 1, 1).AddDays(day), Drop: drop);
        gen.Sample(t =>
        {
            var window = ApplicationRules.FulfilmentWindow(t.Date).Select(m => m.ToString()).ToArray();
            Assert.Equal(6, window.Length);
            Assert.Empty(ApplicationRules.CheckCategory(Wms(true, AllAt(0.985m, window)), t.Date));
            var dropped = window.Where((_, i) => i != t.Drop).ToArray();
            Assert.Equal("ADM-4", Assert.Single(ApplicationRules.CheckCategory(Wms(true, AllAt(0.985m, dropped)), t.Date)).Code);
        });
    }

    // ---------- ADM-1, identity fields ----------

    [Fact]
    public void ADM_1_unknown_category_is_a_field_error()
    {
        var error = SingleError(Base("distributor"));
        Assert.Equal(("category", ApplicationRules.UnknownCategory), (error.Field, error.Code));
        Assert.Equal(ApplicationRules.UnknownCategory, SingleError(Base("Manufacturer")).Code); // case-sensitive
    }

    [Fact]
    public void Unknown_hub_is_a_field_error()
    {
        var error = SingleError(Manufacturer(5_000_000m) with { Hub = "shanghai" });
        Assert.Equal(("hub", ApplicationRules.UnknownHub), (error.Field, error.Code));
        foreach (var hub in new[] { "hangzhou", "dongguan", "tianjin", "xian" })
        {
            AssertValid(Manufacturer(5_000_000m) with { Hub = hub });
        }
    }

    [Fact]
    public void Every_required_field_missing_is_reported_at_once()
    {
        var errors = ApplicationRules.Validate(new ApplicationSubmission(null, null, null, null, null, null), Today);
        Assert.Equal(
            ["sellerId", "storeName", "entityName", "category", "unifiedSocialCreditCode", "hub"],
            errors.Select(e => e.Field));
        Assert.Equal(
            [ApplicationRules.Required, ApplicationRules.Required, ApplicationRules.Required, ApplicationRules.Required, "uscc-required", ApplicationRules.Required],
            errors.Select(e => e.Code));
    }

    [Fact]
    public void Several_bad_fields_are_reported_together()
    {
        var s = new ApplicationSubmission("bad id/with slash", "  ", new string('x', 201), "wms-provider", "91440300192203821I", "mars",
            AnnualExportCny: -1m, CainiaoWms: true, MonthlyFulfilmentRates: [new MonthlyFulfilmentRate("2030-01", 2m)]);
        var errors = ApplicationRules.Validate(s, Today);
        Assert.Equal(
            [
                ("sellerId", Ids.InvalidId),
                ("storeName", ApplicationRules.Blank),
                ("entityName", ApplicationRules.TooLong),
                ("unifiedSocialCreditCode", "uscc-character"),
                ("hub", ApplicationRules.UnknownHub),
                ("annualExportCny", ApplicationRules.NegativeAmount),
                ("monthlyFulfilmentRates[0].month", ApplicationRules.FutureMonth),
                ("monthlyFulfilmentRates[0].rate", ApplicationRules.RateOutOfRange),
            ],
            errors.Select(e => (e.Field, e.Code)));
    }

    [Fact]
    public void ADM_11_an_invalid_code_is_a_field_error_naming_unifiedSocialCreditCode()
    {
        var error = SingleError(Manufacturer(5_000_000m) with { UnifiedSocialCreditCode = "914403001922038217" });
        Assert.Equal(("unifiedSocialCreditCode", "uscc-check"), (error.Field, error.Code));
        AssertValid(Manufacturer(5_000_000m) with { UnifiedSocialCreditCode = "914403001922038216".ToLowerInvariant() });
    }

    [Fact]
    public void Names_are_bounded_and_free_of_control_characters()
    {
        AssertValid(Manufacturer(5_000_000m) with { StoreName = new string('店', 100), EntityName = new string('司', 200) });
        Assert.Equal(ApplicationRules.TooLong, SingleError(Manufacturer(5_000_000m) with { StoreName = new string('店', 101) }).Code);
        Assert.Equal(ApplicationRules.ControlCharacters, SingleError(Manufacturer(5_000_000m) with { EntityName = "A\u0000B" }).Code);
        Assert.Equal(ApplicationRules.Blank, SingleError(Manufacturer(5_000_000m) with { EntityName = "" }).Code);
    }

    [Fact]
    public void Fields_of_another_category_are_still_checked_when_present()
    {
        var error = SingleError(BrandTrader(true, true) with { AnnualExportCny = -5m });
        Assert.Equal(("annualExportCny", ApplicationRules.NegativeAmount), (error.Field, error.Code));
        // ...but their thresholds do not apply: a brand trader with a small export value passes.
        Assert.Empty(ApplicationRules.CheckCategory(BrandTrader(true, true) with { AnnualExportCny = 1m }, Today));
    }
}
