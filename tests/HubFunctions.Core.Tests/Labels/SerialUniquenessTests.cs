using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-3: a serial is unique per GTIN within a seller's stock.</summary>
public sealed class SerialUniquenessTests
{
    private static LabelValidation Label(string gtin, string serial) =>
        Validator().Validate(Gs1Formatter.ToBracketed(Gs1Formatter.HubLabel(gtin, "B1", "240229", "261231", serial)));

    [Fact]
    public void LBL_3_serial_already_in_stock_is_a_duplicate()
    {
        var known = new HashSet<GtinSerial> { new(Gtin, "SN0001") };

        var results = SerialUniqueness.FlagRepeats([Label(Gtin, "SN0001"), Label(Gtin, "SN0002")], known);

        Assert.False(results[0].Valid);
        Assert.Equal(LabelErrorCodes.DuplicateSerial, Assert.Single(results[0].Errors).Code);
        Assert.True(results[1].Valid);
    }

    [Fact]
    public void LBL_3_repeat_within_a_batch_flags_the_later_labels_only()
    {
        var labels = new[] { Label(Gtin, "SN1"), Label(Gtin, "SN2"), Label(Gtin, "SN1"), Label(Gtin, "SN1") };

        var results = SerialUniqueness.FlagRepeats(labels, new HashSet<GtinSerial>());

        Assert.Equal([true, true, false, false], results.Select(r => r.Valid));
        Assert.Same(labels[0], results[0]);
    }

    [Fact]
    public void LBL_3_the_same_serial_under_another_gtin_is_not_a_repeat()
    {
        var results = SerialUniqueness.FlagRepeats(
            [Label(Gtin, "SN1"), Label("00036000291452", "SN1")],
            new HashSet<GtinSerial> { new("95060002000000", "SN1") });

        Assert.All(results, r => Assert.True(r.Valid));
    }

    [Fact]
    public void LBL_3_serials_compare_case_sensitively()
    {
        var results = SerialUniqueness.FlagRepeats([Label(Gtin, "sn1")], new HashSet<GtinSerial> { new(Gtin, "SN1") });

        Assert.True(results[0].Valid);
    }

    [Fact]
    public void LBL_3_labels_without_a_readable_serial_are_left_as_they_are()
    {
        var broken = Validator().Validate("(01)09506000134352");

        var results = SerialUniqueness.FlagRepeats([broken, broken], new HashSet<GtinSerial>());

        Assert.Same(broken, results[0]);
        Assert.Same(broken, results[1]);
    }

    [Fact]
    public void LBL_3_flagging_again_with_more_known_pairs_does_not_flag_twice()
    {
        var labels = new[] { Label(Gtin, "SN1"), Label(Gtin, "SN1"), Label(Gtin, "SN2") };
        var first = SerialUniqueness.FlagRepeats(labels, new HashSet<GtinSerial>());

        var second = SerialUniqueness.FlagRepeats(first, new HashSet<GtinSerial> { new(Gtin, "SN1") });

        Assert.Equal([1, 1, 0], second.Select(r => r.Errors.Count(e => e.Code == LabelErrorCodes.DuplicateSerial)));
    }
}
