using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1: AI (01) GTIN-14 with the GS1 mod-10 check digit.</summary>
public sealed class Gs1CheckDigitTests
{
    [Theory]
    [InlineData("0950600013435", 2)]
    [InlineData("03600029145", 2)]   // UPC-A 036000291452
    [InlineData("9506000", 2)]       // EAN-8 95060002
    [InlineData("1234567", 0)]       // EAN-8 12345670
    [InlineData("61414100003", 6)]   // UPC-A 614141000036
    public void LBL_1_check_digit_is_computed_by_the_gs1_mod_10_rule(string data, int expected)
    {
        Assert.Equal(expected, Gs1CheckDigit.Compute(data));
        Assert.True(Gs1CheckDigit.IsValid(data + expected));
    }

    [Fact]
    public void LBL_1_valid_gtin_is_accepted()
    {
        var result = Validator().Validate(Bracketed);

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(Gtin, result.Gtin);
    }

    public static TheoryData<int> Positions()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < 14; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Positions))]
    public void LBL_1_gtin_with_altered_digit_is_rejected(int position)
    {
        var validator = Validator();
        for (var digit = '0'; digit <= '9'; digit++)
        {
            if (digit == Gtin[position])
            {
                continue;
            }

            var altered = Gtin[..position] + digit + Gtin[(position + 1)..];
            Assert.False(Gs1CheckDigit.IsValid(altered));

            var result = validator.Validate(BracketedWith("01", altered));

            Assert.False(result.Valid);
            var error = Assert.Single(result.Errors);
            Assert.Equal(LabelErrorCodes.GtinCheckDigit, error.Code);
            Assert.Equal("01", error.Ai);
            Assert.Null(result.Gtin);
        }
    }

    [Theory]
    [InlineData("0950600013435")]
    [InlineData("095060001343521")]
    [InlineData("")]
    public void LBL_1_gtin_of_wrong_length_is_rejected(string gtin)
    {
        var result = Validator().Validate(BracketedWith("01", gtin));

        Assert.Equal(LabelErrorCodes.GtinLength, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_gtin_with_a_letter_is_rejected_as_invalid_character()
    {
        var result = Validator().Validate(BracketedWith("01", "0950600013435A"));

        Assert.Equal(LabelErrorCodes.InvalidCharacter, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_other_keys_with_a_bad_check_digit_get_check_digit()
    {
        var result = Validator().Validate(Bracketed + "(00)106141411234567898");

        Assert.Equal(LabelErrorCodes.CheckDigit, Assert.Single(result.Errors).Code);
        Assert.True(Validator().Validate(Bracketed + "(00)106141411234567897").Valid);
    }
}
