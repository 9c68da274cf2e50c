using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1: the three input forms, separators and symbology identifiers.</summary>
public sealed class LabelFormsTests
{
    private static void AssertSample(LabelValidation result, Gs1InputForm form)
    {
        Assert.True(result.Valid, Codes(result));
        Assert.Empty(result.Errors);
        Assert.Equal(form, result.Form);
        Assert.Equal(Gtin, result.Gtin);
        Assert.Equal("ABC123", result.Batch);
        Assert.Equal(new DateOnly(2024, 2, 29), result.ProductionDate);
        Assert.Equal(new DateOnly(2026, 12, 31), result.ExpiryDate);
        Assert.Equal("SN0001", result.Serial);
    }

    [Fact]
    public void LBL_1_bracketed_form_is_read()
    {
        AssertSample(Validator().Validate(Bracketed), Gs1InputForm.Bracketed);
    }

    [Fact]
    public void LBL_1_raw_element_string_is_read()
    {
        AssertSample(Validator().Validate(Raw), Gs1InputForm.ElementString);
    }

    [Fact]
    public void LBL_1_digital_link_is_read()
    {
        AssertSample(Validator().Validate(DigitalLink), Gs1InputForm.DigitalLink);
    }

    [Fact]
    public void LBL_1_input_keeps_what_was_sent_and_elements_list_every_ai()
    {
        var result = Validator().Validate(Bracketed + "(3103)001250");

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(Bracketed + "(3103)001250", result.Input);
        Assert.Equal(["01", "10", "11", "17", "21", "3103"], result.Elements.Select(e => e.Ai));
        Assert.Equal("001250", result.Elements[^1].Value);
    }

    [Theory]
    [InlineData("]C1")]
    [InlineData("]d2")]
    [InlineData("]Q3")]
    [InlineData("]e0")]
    [InlineData("]J1")]
    public void LBL_1_gs1_symbology_identifiers_are_accepted(string identifier)
    {
        AssertSample(Validator().Validate(identifier + Raw), Gs1InputForm.ElementString);
        AssertSample(Validator().Validate(identifier + GS + Raw), Gs1InputForm.ElementString);
    }

    [Theory]
    [InlineData("]C0")]
    [InlineData("]d1")]
    [InlineData("]Q1")]
    [InlineData("]E0")]
    [InlineData("]X")]
    [InlineData("]")]
    public void LBL_1_other_symbology_identifiers_are_rejected(string identifier)
    {
        var result = Validator().Validate(identifier + Raw);

        Assert.Equal(LabelErrorCodes.UnsupportedSymbology, Assert.Single(result.Errors).Code);
        Assert.Null(result.Form);
    }

    [Theory]
    [InlineData("]Q1")]
    [InlineData("]d1")]
    public void LBL_1_plain_qr_and_data_matrix_identifiers_may_carry_a_digital_link(string identifier)
    {
        AssertSample(Validator().Validate(identifier + DigitalLink), Gs1InputForm.DigitalLink);
    }

    [Fact]
    public void LBL_1_a_leading_gs_is_accepted_without_symbology_identifier()
    {
        AssertSample(Validator().Validate(GS + Raw), Gs1InputForm.ElementString);
    }

    [Fact]
    public void LBL_1_fixed_length_ais_need_no_separator_but_tolerate_one()
    {
        // 01, 11, 17 are of predefined length; (10) and (21) end at GS or the end.
        var tight = "0109506000134352" + "11240229" + "17261231" + "10ABC123" + GS + "21SN0001";
        var loose = "0109506000134352" + GS + "11240229" + GS + "17261231" + GS + "10ABC123" + GS + "21SN0001" + GS;

        AssertSample(Validator().Validate(tight), Gs1InputForm.ElementString);
        AssertSample(Validator().Validate(loose), Gs1InputForm.ElementString);
    }

    [Fact]
    public void LBL_1_missing_gs_after_batch_merges_the_serial_into_it_and_is_caught()
    {
        var merged = "0109506000134352" + "11240229" + "17261231" + "10ABC123" + "21SN0001";

        var result = Validator().Validate(merged);

        Assert.False(result.Valid);
        Assert.Equal("ABC12321SN0001", result.Batch); // what the data says, read strictly
        Assert.Null(result.Serial);
        Assert.Equal([LabelErrorCodes.MissingSeparator, LabelErrorCodes.MissingAi21], result.Errors.Select(e => e.Code));
        Assert.Contains("'ABC123'", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("21SN0001", result.Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LBL_1_missing_gs_after_batch_that_swallows_dates_is_caught_for_each_missing_ai()
    {
        var merged = "0109506000134352" + "10AB" + "11240229" + "17261231" + GS + "21SN0001";

        var result = Validator().Validate(merged);

        Assert.Equal(
            [LabelErrorCodes.MissingSeparator, LabelErrorCodes.MissingAi11, LabelErrorCodes.MissingSeparator, LabelErrorCodes.MissingAi17],
            result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void LBL_1_missing_gs_that_makes_the_batch_too_long_reports_both()
    {
        var merged = "0109506000134352" + "11240229" + "17261231" + "10BATCH-0000000001" + "21SERIAL-000000001";

        var result = Validator().Validate(merged);

        Assert.Equal(
            [LabelErrorCodes.ValueTooLong, LabelErrorCodes.MissingSeparator, LabelErrorCodes.MissingAi21],
            result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void LBL_1_missing_serial_without_a_merge_is_just_missing()
    {
        var result = Validator().Validate("(01)09506000134352(10)ABC123(11)240229(17)261231");

        Assert.Equal(LabelErrorCodes.MissingAi21, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_every_missing_required_ai_is_reported()
    {
        var result = Validator().Validate("(3103)001250");

        Assert.Equal(
            [LabelErrorCodes.MissingAi01, LabelErrorCodes.MissingAi10, LabelErrorCodes.MissingAi11, LabelErrorCodes.MissingAi17, LabelErrorCodes.MissingAi21],
            result.Errors.Select(e => e.Code));
    }

    [Fact]
    public void LBL_1_unknown_ai_in_raw_data_stops_the_reading_and_is_reported_alone()
    {
        // (23) is not an AI: what follows cannot be split without guessing.
        var result = Validator().Validate("0109506000134352" + "23ABC" + GS + "21SN0001");

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.UnknownAi, error.Code);
        Assert.Equal("23", error.Ai);
        Assert.Equal(Gtin, result.Gtin);
    }

    [Fact]
    public void LBL_1_unknown_ai_in_brackets_is_reported_and_the_rest_is_read()
    {
        var result = Validator().Validate(Bracketed + "(235)XYZ");

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.UnknownAi, error.Code);
        Assert.Equal("235", error.Ai);
        Assert.Equal("SN0001", result.Serial);
    }

    [Fact]
    public void LBL_1_duplicate_ai_is_rejected()
    {
        var result = Validator().Validate(Bracketed + "(10)ABC123");

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.DuplicateAi, error.Code);
        Assert.Equal("10", error.Ai);
    }

    [Theory]
    [InlineData("10", "ABCDEFGHIJKLMNOPQRSTU")]
    [InlineData("21", "123456789012345678901")]
    public void LBL_1_batch_and_serial_over_20_characters_are_rejected(string ai, string value)
    {
        var result = Validator().Validate(BracketedWith(ai, value));

        Assert.Equal(LabelErrorCodes.ValueTooLong, Assert.Single(result.Errors).Code);
    }

    [Theory]
    [InlineData("10", "ABC 123")]   // space
    [InlineData("21", "SN#1")]      // '#' is not in set 82
    [InlineData("21", "SN@1")]
    [InlineData("10", "A\u001DB")]  // GS inside a bracketed value
    public void LBL_1_characters_outside_set_82_are_rejected(string ai, string value)
    {
        var result = Validator().Validate(BracketedWith(ai, value));

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.InvalidCharacter, error.Code);
        Assert.Equal(ai, error.Ai);
    }

    [Fact]
    public void LBL_1_every_set_82_character_is_accepted_in_a_serial()
    {
        var validator = Validator();
        foreach (var chunk in Gs1CharacterSet.Cs82Characters.Chunk(20))
        {
            var serial = new string(chunk);
            var result = validator.Validate(Gs1Formatter.ToElementString(Gs1Formatter.HubLabel(Gtin, "B", "240229", "261231", serial), "]d2"));
            Assert.True(result.Valid, Codes(result));
            Assert.Equal(serial, result.Serial);
        }
    }

    [Fact]
    public void LBL_1_bracketed_values_may_hold_escaped_brackets()
    {
        var result = Validator().Validate(@"(01)09506000134352(10)A\(1)B(11)240229(17)261231(21)S)N");

        Assert.True(result.Valid, Codes(result));
        Assert.Equal("A(1)B", result.Batch);
        Assert.Equal("S)N", result.Serial);
    }

    [Fact]
    public void LBL_1_bracketed_unescaped_bracket_in_a_value_is_a_syntax_error()
    {
        var result = Validator().Validate("(01)09506000134352(10)A(B(11)240229(17)261231(21)SN1");

        Assert.Equal(LabelErrorCodes.InvalidSyntax, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_spaces_around_bracketed_elements_are_ignored()
    {
        var result = Validator().Validate("  (01) 09506000134352 (10) ABC123 (11) 240229 (17) 261231 (21) SN0001 ");

        AssertSample(result, Gs1InputForm.Bracketed);
    }

    [Theory]
    [InlineData("(1)09506000134352")]
    [InlineData("(01095060001343)52")]
    [InlineData("(01")]
    [InlineData("(AB)123")]
    public void LBL_1_malformed_brackets_are_syntax_errors(string input)
    {
        var result = Validator().Validate(input);

        Assert.Equal(LabelErrorCodes.InvalidSyntax, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_two_separators_in_a_row_are_a_syntax_error()
    {
        var result = Validator().Validate("0109506000134352" + "10ABC123" + GS + GS + "11240229" + "17261231" + "21SN0001");

        Assert.Equal(LabelErrorCodes.InvalidSyntax, Assert.Single(result.Errors).Code);
        Assert.Equal("SN0001", result.Serial);
    }

    [Fact]
    public void LBL_1_truncated_fixed_length_value_is_invalid_length()
    {
        var result = Validator().Validate("0109506000134352" + "10ABC123" + GS + "21SN0001" + GS + "17261231" + "1124022");

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.InvalidLength, error.Code);
        Assert.Equal("11", error.Ai);
    }
}
