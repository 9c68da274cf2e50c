using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1: bad input gives a clear result with errors, never an exception.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void LBL_1_empty_label_is_rejected_as_empty(string? input)
    {
        var result = Validator().Validate(input);

        Assert.False(result.Valid);
        Assert.Equal(LabelErrorCodes.Empty, Assert.Single(result.Errors).Code);
        Assert.Equal(input ?? string.Empty, result.Input);
        Assert.Null(result.Form);
    }

    [Fact]
    public void LBL_1_ten_thousand_character_label_is_rejected_as_too_long_without_parsing()
    {
        var input = Bracketed + new string('9', 10_000 - Bracketed.Length);

        var result = Validator().Validate(input);

        Assert.Equal(LabelErrorCodes.TooLong, Assert.Single(result.Errors).Code);
        Assert.Null(result.Gtin);
        Assert.Equal(10_000, result.Input.Length);
    }

    [Fact]
    public void LBL_1_label_of_exactly_the_maximum_length_is_parsed()
    {
        var input = Bracketed + "(91)" + new string('X', 90);
        input += new string(' ', LabelValidator.MaxInputLength - input.Length);

        var result = Validator().Validate(input);

        Assert.True(result.Valid, Codes(result));
        Assert.Equal(LabelErrorCodes.TooLong, Validator().Validate(input + " ").Errors.Single().Code);
    }

    [Theory]
    [InlineData("（01）09506000134352(10)ABC123(11)240229(17)261231(21)SN0001")] // full-width brackets
    [InlineData("(01)０９５０６０００１３４３５２(10)ABC123(11)240229(17)261231(21)SN0001")] // full-width digits
    [InlineData("(01)09506000134352(10)ABC123(11)240229(17)261231(21)SN0001\r\n")]
    [InlineData("(01)09506000134352(10)AB\tC(11)240229(17)261231(21)SN0001")]
    [InlineData("\u0000")]
    [InlineData("(01)09506000134352(10)ÄBC(11)240229(17)261231(21)SN0001")]
    [InlineData("0109506000134352\u001E10ABC")]
    [InlineData("(01)09506000134352(10)批次(11)240229(17)261231(21)SN0001")]
    public void LBL_1_control_and_non_ascii_characters_are_rejected_with_their_position(string input)
    {
        var result = Validator().Validate(input);

        var error = Assert.Single(result.Errors);
        Assert.Equal(LabelErrorCodes.InvalidCharacter, error.Code);
        Assert.Contains("Character ", error.Message, StringComparison.Ordinal);
        Assert.Contains("U+", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("ABC(01)09506000134352")]
    [InlineData("0")]
    [InlineData("\u001D")]
    [InlineData("]d2")]
    [InlineData("]d2\u001D")]
    public void LBL_1_text_that_is_no_element_string_is_a_syntax_error(string input)
    {
        var result = Validator().Validate(input);

        Assert.Equal(LabelErrorCodes.InvalidSyntax, Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void LBL_1_validate_all_keeps_order_and_judges_each_label_alone()
    {
        string?[] inputs = [Bracketed, null, "x", Raw, new string('1', 600), DigitalLink];

        var results = Validator().ValidateAll(inputs);

        Assert.Equal([true, false, false, true, false, true], results.Select(r => r.Valid));
        Assert.Equal([string.Empty, LabelErrorCodes.Empty, LabelErrorCodes.InvalidSyntax, string.Empty, LabelErrorCodes.TooLong, string.Empty], results.Select(Codes));
    }

    [Fact]
    public void LBL_1_a_thousand_labels_validate_in_one_call()
    {
        var inputs = Enumerable.Range(0, LabelValidator.MaxLabelsPerRequest)
            .Select(i => BracketedWith("21", $"SN{i:D6}"))
            .ToArray();

        var results = Validator().ValidateAll(inputs);

        Assert.Equal(1000, results.Count);
        Assert.All(results, r => Assert.True(r.Valid));
        Assert.Equal("SN000999", results[^1].Serial);
    }
}
