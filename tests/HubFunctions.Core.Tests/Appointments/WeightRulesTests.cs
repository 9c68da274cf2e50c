using CsCheck;
using HubFunctions.Core.Appointments;

namespace HubFunctions.Core.Tests.Appointments;

/// <summary>APT-4: at most 3,000 kg per vehicle; heavier bookings are refused with ⌈kg / 3000⌉.</summary>
public sealed class WeightRulesTests
{
    [Theory]
    [InlineData("0.001")]
    [InlineData("1")]
    [InlineData("2999.999")]
    [InlineData("3000")]
    [InlineData("3000.000")]
    public void APT_4_up_to_three_tonnes_is_accepted(string kg)
    {
        var check = AppointmentRules.CheckWeight(decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(check.Accepted);
        Assert.Null(check.SplitInto);
    }

    [Theory]
    [InlineData("3000.1", 2)]
    [InlineData("3000.0000000000000000000001", 2)]
    [InlineData("6000", 2)]
    [InlineData("6000.01", 3)]
    [InlineData("9000", 3)]
    [InlineData("9001", 4)]
    [InlineData("99000", 33)]
    [InlineData("100000", 34)]
    public void APT_4_overweight_booking_is_refused_with_split_count(string kg, int splitInto)
    {
        var check = AppointmentRules.CheckWeight(decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(check.Accepted);
        Assert.Equal(("weightKg", "APT-4"), (check.Error.Field, check.Error.Code));
        Assert.Equal(splitInto, check.SplitInto);
        Assert.Contains($"{splitInto} vehicles", check.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.001")]
    [InlineData("-3000")]
    [InlineData("100000.001")]
    [InlineData("79228162514264337593543950335")]
    public void APT_4_zero_negative_and_absurd_weights_are_invalid(string kg)
    {
        var check = AppointmentRules.CheckWeight(decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("invalid-weight", check.Error?.Code);
        Assert.Null(check.SplitInto);
    }

    [Fact]
    public void APT_4_a_missing_weight_is_required() => Assert.Equal("required", AppointmentRules.CheckWeight(null).Error?.Code);

    [Fact]
    public void APT_4_the_sanity_bound_is_configurable()
    {
        var options = new AppointmentOptions { MaxWeightKg = 200_000m };
        Assert.Equal(50, AppointmentRules.CheckWeight(150_000m, options).SplitInto);
        Assert.Equal("invalid-weight", AppointmentRules.CheckWeight(150_000m).Error?.Code);
    }

    [Fact]
    public void APT_4_split_count_is_the_least_number_of_vehicles_that_carry_the_weight()
    {
        var kgs = Gen.OneOf(
            Gen.Decimal[0.0000001m, 1_000_000m],
            Gen.Int[1, 400].Select(n => n * 3000m),                        // exact multiples
            Gen.Int[1, 400].Select(n => n * 3000m + 0.0000000000000001m),  // just above a multiple
            Gen.Decimal.Where(d => d > 0m));
        kgs.Sample(kg =>
        {
            var n = AppointmentRules.SplitInto(kg);
            Assert.True(n >= 1);
            if (n < int.MaxValue)
            {
                Assert.True(n * 3000m >= kg, $"{n} vehicles carry {n * 3000m} < {kg}");
                Assert.True((n - 1) * 3000m < kg, $"{n - 1} vehicles would carry {kg}");
            }

            Assert.Equal(kg > 3000m, AppointmentRules.IsOverweight(kg));
            Assert.Equal(AppointmentRules.IsOverweight(kg), n > 1);
        });
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public void APT_4_split_count_needs_a_positive_weight(string kg)
        => Assert.Throws<ArgumentOutOfRangeException>(() => AppointmentRules.SplitInto(decimal.Parse(kg, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void APT_7_APT_4_default_options_are_usable_and_bad_ones_are_named()
    {
        Assert.Empty(AppointmentOptions.Default.Problems());
        Assert.Equal(10, AppointmentOptions.Default.DockCapacityFor("hangzhou"));
        var bad = new AppointmentOptions
        {
            DockCapacityPerHour = 0,
            DockCapacityByHub = new Dictionary<string, int> { ["xian"] = -1 },
            BookingHorizon = TimeSpan.FromHours(47),
            MaxWeightKg = 2999m,
        };
        Assert.Equal(4, bad.Problems().Count);
    }
}
