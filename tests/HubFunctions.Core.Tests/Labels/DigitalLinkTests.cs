using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1: GS1 Digital Link URIs.</summary>
public sealed class DigitalLinkTests
{
    [Fact]
    public void LBL_1_digital_link_with_query_attributes_is_read()
    {
        var result = Validator().Validate(DigitalLink);

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(Gs1InputForm.DigitalLink, result.Form);
        Assert.Equal(new DateOnly(2024, 2, 29), result.ProductionDate);
        Assert.Equal(new DateOnly(2026, 12, 31), result.ExpiryDate);
    }

    [Fact]
    public void LBL_1_digital_link_without_query_attributes_reads_its_path_and_lacks_the_dates()
    {
        var result = Validator().Validate("https://id.example.com/01/09506000134352/10/ABC123/21/SN0001");

        Assert.Equal(Gtin, result.Gtin);
        Assert.Equal("ABC123", result.Batch);
        Assert.Equal("SN0001", result.Serial);
        Assert.Equal([LabelErrorCodes.MissingAi11, LabelErrorCodes.MissingAi17], result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void LBL_1_digital_link_with_only_the_gtin_reads_the_gtin()
    {
        var result = Validator().Validate("https://id.gs1.org/01/09506000134352");

        Assert.Equal(Gtin, result.Gtin);
        Assert.Equal(4, result.Errors.Count);
    }

    [Theory]
    [InlineData("9506000134352", "09506000134352")] // GTIN-13
    [InlineData("036000291452", "00036000291452")]  // GTIN-12 (UPC-A)
    [InlineData("95060002", "00000095060002")]      // GTIN-8
    [InlineData("09506000134352", "09506000134352")]
    public void LBL_1_digital_link_gtin_is_zero_padded_to_14(string inPath, string gtin14)
    {
        var result = Validator().Validate($"https://id.example.com/01/{inPath}/10/ABC123/21/SN0001?11=240229&17=261231");

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(gtin14, result.Gtin);
    }

    [Theory]
    [InlineData("950600013435")]    // 12 digits, wrong check digit once padded
    [InlineData("9506000134353")]
    public void LBL_1_padded_digital_link_gtin_still_needs_its_check_digit(string inPath)
    {
        var result = Validator().Validate($"https://id.example.com/01/{inPath}/10/ABC123/21/SN0001?11=240229&17=261231");

        Assert.Equal(LabelErrorCodes.GtinCheckDigit, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("950600013")]
    [InlineData("09506000134352000")]
    public void LBL_1_digital_link_gtin_of_other_lengths_is_rejected(string inPath)
    {
        var result = Validator().Validate($"https://id.example.com/01/{inPath}/10/ABC123/21/SN0001?11=240229&17=261231");

        Assert.Equal(LabelErrorCodes.GtinLength, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_digital_link_values_are_percent_decoded()
    {
        var result = Validator().Validate(
            "HTTPS://id.example.com/some/prefix/01/09506000134352/22/V%2F1/10/AB%2FC%25%26/21/S%3FN?11=240229&17=261231&linkType=gs1:pip#top");

        Assert.True(result.Valid, Codes(result));
        Assert.Equal("AB/C%&", result.Batch);
        Assert.Equal("S?N", result.Serial);
        Assert.Contains(result.Elements, e => e is { Ai: "22", Value: "V/1" });
    }

    [Fact]
    public void LBL_1_digital_link_unknown_non_numeric_query_parameters_are_ignored()
    {
        var result = Validator().Validate(DigitalLink + "&utm_source=x&linkType=all&&=&foo");

        Assert.True(result.Valid, Codes(result));
    }

    [Fact]
    public void LBL_1_digital_link_unknown_numeric_query_parameter_is_unknown_ai()
    {
        var result = Validator().Validate(DigitalLink + "&99999=1");

        Assert.Equal(LabelErrorCodes.UnknownAi, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_digital_link_other_known_ais_may_be_query_attributes()
    {
        var result = Validator().Validate(DigitalLink + "&3103=001250&15=261130");

        Assert.True(result.Valid, Codes(result));
        Assert.Contains(result.Elements, e => e is { Ai: "3103", Value: "001250" });
    }

    [Theory]
    [InlineData("https://id.example.com/01/09506000134352/21/SN0001/10/ABC123?11=240229&17=261231")] // qualifiers out of order
    [InlineData("https://id.example.com/01/09506000134352/10/ABC123/17/261231?11=240229")]           // (17) is not a qualifier
    [InlineData("https://id.example.com/10/ABC123/21/SN0001?01=09506000134352")]                   // no key in the path
    [InlineData("https://id.example.com/")]
    [InlineData("https://id.example.com")]
    [InlineData("https://id.example.com/01/09506000134352/10/ABC123/21")]                           // dangling AI
    [InlineData("https://id.example.com/01/09506000134352/10/AB%2/21/SN0001?11=240229&17=261231")] // bad escape
    [InlineData("https://id.example.com/01/09506000134352/10/ABC123?21=SN0001&11=240229&17=261231")] // qualifier in query
    [InlineData("https://id.exa(mple.com/01/09506000134352/10/ABC123/21/SN0001?11=240229&17=261231")]
    public void LBL_1_malformed_digital_links_are_rejected(string uri)
    {
        var result = Validator().Validate(uri);

        Assert.False(result.Valid);
        Assert.Contains(result.Errors, e => e.Code == LabelErrorCodes.InvalidDigitalLink);
    }

    [Fact]
    public void LBL_1_digital_link_with_characters_a_uri_cannot_hold_is_rejected()
    {
        var result = Validator().Validate("https://id.example.com/01/09506000134352/10/ABC 123/21/SN0001?11=240229&17=261231");

        Assert.Equal(LabelErrorCodes.InvalidCharacter, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_digital_link_percent_encoded_non_set_82_characters_are_rejected()
    {
        var result = Validator().Validate("https://id.example.com/01/09506000134352/10/AB%20C/21/S%00N?11=240229&17=261231");

        Assert.Equal([LabelErrorCodes.InvalidCharacter, LabelErrorCodes.InvalidCharacter], result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void LBL_1_digital_link_plus_is_a_space_in_the_query_and_literal_in_the_path()
    {
        var path = Validator().Validate("https://id.example.com/01/09506000134352/10/A+B/21/SN0001?11=240229&17=261231");
        var query = Validator().Validate(DigitalLink + "&240=A+B");

        Assert.Equal("A+B", path.Batch);
        Assert.True(path.Valid, Codes(path));
        Assert.Equal(LabelErrorCodes.InvalidCharacter, Assert.Single(query.Errors).Code);
    }

    [Fact]
    public void LBL_1_digital_link_duplicate_query_attribute_is_rejected()
    {
        var result = Validator().Validate(DigitalLink + "&17=261231");

        Assert.Equal(LabelErrorCodes.DuplicateAi, Assert.Single(result.Errors).Code);
    }
}
