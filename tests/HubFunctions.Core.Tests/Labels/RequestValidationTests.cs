using HubFunctions.Core.Common;
using HubFunctions.Core.Labels;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>The checks a label batch, a receipt and an inspection pass before anything runs (LBL-1, LBL-3, LBL-4).</summary>
public sealed class RequestValidationTests
{
    private static IEnumerable<string> Codes(IReadOnlyList<FieldError> errors) => errors.Select(e => e.Code);

    [Fact]
    public void LBL_1_a_batch_needs_1_to_1000_labels()
    {
        Assert.Equal("labels-required", Assert.Single(LabelValidator.CheckBatch(null)).Code);
        Assert.Equal("labels-required", Assert.Single(LabelValidator.CheckBatch([])).Code);
        Assert.Empty(LabelValidator.CheckBatch([null]));
        Assert.Empty(LabelValidator.CheckBatch(new string?[1000]));
        var tooMany = Assert.Single(LabelValidator.CheckBatch(new string?[1001]));
        Assert.Equal(("labels", "too-many-labels"), (tooMany.Field, tooMany.Code));
    }

    [Fact]
    public void LBL_3_a_receipt_needs_key_safe_ids_before_its_labels_are_checked()
    {
        var ids = LabelReceipts.Validate("R 1", null, null);
        Assert.Equal(["receiptId", "sellerId"], ids.Select(e => e.Field));
        Assert.All(ids, e => Assert.Equal(Ids.InvalidId, e.Code));

        Assert.Equal("labels-required", Assert.Single(LabelReceipts.Validate("R-1", "demo-seller", null)).Code);
        Assert.Empty(LabelReceipts.Validate("R-1", "demo-seller", ["(01)123"]));
    }

    [Fact]
    public void LBL_4_a_valid_inspection_has_no_errors()
        => Assert.Empty(InspectionRules.Validate("R-1", "demo-seller", 100, ["smudged", "wrong GTIN"]));

    [Theory]
    [InlineData(null, "invalid-sample-size")]
    [InlineData(0, "invalid-sample-size")]
    [InlineData(100_001, "invalid-sample-size")]
    [InlineData(1, "invalid-failure-count")]
    public void LBL_4_an_inspection_samples_1_to_100000_units_and_fails_at_most_as_many(int? sampled, string code)
    {
        var error = Assert.Single(InspectionRules.Validate("R-1", "demo-seller", sampled, ["a", "b"]));
        Assert.Equal(code, error.Code);
        Assert.Equal(code == "invalid-sample-size" ? "sampled" : "failures", error.Field);
    }

    [Fact]
    public void LBL_4_failures_must_be_a_list_and_each_needs_a_reason()
    {
        Assert.Equal(("failures", "failures-required"), Assert.Single(InspectionRules.Validate("R-1", "s", 10, null)) is var e ? (e.Field, e.Code) : default);

        var errors = InspectionRules.Validate("R-1", "s", 10, ["ok", null, "", "  ", new string('x', 501), new string('x', 500)]);
        Assert.Equal(["failures[1].reason", "failures[2].reason", "failures[3].reason", "failures[4].reason"], errors.Select(x => x.Field));
        Assert.All(errors, x => Assert.Equal("reason-required", x.Code));
    }

    [Fact]
    public void LBL_4_at_most_20_errors_are_reported()
    {
        var errors = InspectionRules.Validate("bad id", "s", 100, Enumerable.Repeat<string?>(null, 50).ToList());
        Assert.Equal(20, errors.Count);
        Assert.Equal(Ids.InvalidId, errors[0].Code);
    }

    [Fact]
    public void LBL_4_impossible_counts_name_the_field()
    {
        Assert.False(InspectionRules.TryEvaluate(0, 0, out _, out var sample));
        Assert.Equal(("sampled", InspectionRules.InvalidSampleSize), (sample.Field, sample.Code));
        Assert.False(InspectionRules.TryEvaluate(10, 11, out _, out var count));
        Assert.Equal(("failures", InspectionRules.InvalidFailureCount), (count.Field, count.Code));
        Assert.Contains(Codes([count]), c => c == "invalid-failure-count");
    }
}
