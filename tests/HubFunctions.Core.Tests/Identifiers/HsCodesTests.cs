using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Tests.Identifiers;

/// <summary>LBL-5: HS codes of 6 to 10 digits and the WMS-versus-declared comparison.</summary>
public sealed class HsCodesTests
{
    [Theory]
    [InlineData("847130")]
    [InlineData("8471300")]
    [InlineData("84713000")]
    [InlineData("847130000")]
    [InlineData("8471300000")]
    public void LBL_5_hs_codes_of_6_to_10_digits_are_valid(string code)
    {
        Assert.True(HsCodes.IsValid(code));
    }

    [Theory]
    [InlineData("84713")]        // 5 digits
    [InlineData("84713000001")]  // 11 digits
    [InlineData("８４７１３０")]   // full-width digits
    [InlineData("8471.30")]
    [InlineData("8471 30")]
    [InlineData("84713A")]
    [InlineData("")]
    [InlineData(null)]
    public void LBL_5_other_hs_codes_are_invalid(string? code)
    {
        Assert.False(HsCodes.IsValid(code));
    }

    [Theory]
    [InlineData("8471300000", "8471300000", false)]
    [InlineData("847130", "8471300000", false)]   // shorter is a prefix of the longer: less specific, not contradictory
    [InlineData("8471300000", "84713000", false)]
    [InlineData("847130", "847141", true)]        // harmonised 6 digits differ
    [InlineData("84713000", "84713090", true)]    // a national digit both have differs
    [InlineData("847130", "947130", true)]
    public void LBL_5_mismatch_compares_the_first_six_digits_and_every_further_digit_both_codes_have(string wms, string declared, bool mismatch)
    {
        Assert.Equal(mismatch, HsCodes.Mismatch(wms, declared));
        Assert.Equal(mismatch, HsCodes.Mismatch(declared, wms));
        Assert.Equal(mismatch ? HsCodeComparison.Mismatch : HsCodeComparison.Match, HsCodes.Compare(wms, declared));
    }

    [Fact]
    public void LBL_5_an_invalid_code_never_matches_and_says_which_side_is_wrong()
    {
        Assert.Equal(HsCodeComparison.WmsCodeInvalid, HsCodes.Compare("8471.30", "847130"));
        Assert.Equal(HsCodeComparison.DeclaredCodeInvalid, HsCodes.Compare("847130", "84713"));
        Assert.True(HsCodes.Mismatch(null, "847130"));
        Assert.True(HsCodes.Mismatch("８４７１３０", "847130"));
    }
}
