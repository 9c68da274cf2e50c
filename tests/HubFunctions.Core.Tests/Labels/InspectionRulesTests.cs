using HubFunctions.Core.Labels;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-4: failure rate above 5% opens a rectification order; a re-inspection at or below 5% closes it.</summary>
public sealed class InspectionRulesTests
{
    [Theory]
    [InlineData(100, 5, false, "0.05")]
    [InlineData(100, 6, true, "0.06")]
    [InlineData(19, 1, true, "0.0526")]
    [InlineData(20, 1, false, "0.05")]
    [InlineData(21, 1, false, "0.0476")]
    [InlineData(1, 0, false, "0")]
    [InlineData(1, 1, true, "1")]
    [InlineData(2_000_000_000, 100_000_000, false, "0.05")]
    [InlineData(2_000_000_000, 100_000_001, true, "0.05")]
    public void LBL_4_rectification_is_required_strictly_above_five_percent(int sampled, int failed, bool required, string rounded)
    {
        var outcome = InspectionRules.Evaluate(sampled, failed);

        Assert.Equal(required, outcome.RectificationRequired);
        Assert.Equal(decimal.Parse(rounded, System.Globalization.CultureInfo.InvariantCulture), outcome.FailureRateRounded);
        Assert.Equal((decimal)failed / sampled, outcome.FailureRate);
    }

    [Fact]
    public void LBL_4_one_in_nineteen_is_five_point_two_six_percent()
    {
        var outcome = InspectionRules.Evaluate(19, 1);

        Assert.True(outcome.RectificationRequired);
        Assert.Equal(0.0526m, outcome.FailureRateRounded);
        Assert.True(outcome.FailureRate > InspectionRules.Threshold);
    }

    [Theory]
    [InlineData(0, 0, InspectionRules.InvalidSampleSize)]
    [InlineData(-1, 0, InspectionRules.InvalidSampleSize)]
    [InlineData(10, -1, InspectionRules.InvalidFailureCount)]
    [InlineData(10, 11, InspectionRules.InvalidFailureCount)]
    public void LBL_4_impossible_counts_are_refused(int sampled, int failed, string code)
    {
        Assert.False(InspectionRules.TryEvaluate(sampled, failed, out _, out var error));
        Assert.Equal(code, error.Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => InspectionRules.Evaluate(sampled, failed));
    }

    [Theory]
    [InlineData(false, 100, 6, RectificationTransition.Open)]
    [InlineData(false, 100, 5, RectificationTransition.None)]
    [InlineData(true, 100, 6, RectificationTransition.RemainOpen)]
    [InlineData(true, 100, 5, RectificationTransition.Close)]   // re-inspection at exactly 5% closes
    [InlineData(true, 19, 1, RectificationTransition.RemainOpen)]
    [InlineData(true, 50, 0, RectificationTransition.Close)]
    public void LBL_4_rectification_order_opens_above_and_closes_at_or_below_five_percent(bool open, int sampled, int failed, RectificationTransition expected)
    {
        Assert.Equal(expected, InspectionRules.Transition(open, InspectionRules.Evaluate(sampled, failed)));
    }
}
