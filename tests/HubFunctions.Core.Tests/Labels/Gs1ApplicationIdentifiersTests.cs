using HubFunctions.Core.Labels;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1: the AI table the raw parser relies on.</summary>
public sealed class Gs1ApplicationIdentifiersTests
{
    [Fact]
    public void LBL_1_no_known_ai_is_the_beginning_of_another()
    {
        var ais = Gs1ApplicationIdentifiers.All.Select(d => d.Ai).ToList();

        var clashes = ais.SelectMany(a => ais.Where(b => a != b && b.StartsWith(a, StringComparison.Ordinal)).Select(b => $"{a}/{b}")).ToList();

        Assert.Empty(clashes);
    }

    [Theory]
    [InlineData("01", 14, true)]
    [InlineData("10", 20, false)]
    [InlineData("11", 6, true)]
    [InlineData("17", 6, true)]
    [InlineData("21", 20, false)]
    [InlineData("3103", 6, true)]
    [InlineData("410", 13, true)]
    [InlineData("91", 90, false)]
    public void LBL_1_hub_ais_have_their_gs1_lengths(string ai, int maxLength, bool predefined)
    {
        Assert.True(Gs1ApplicationIdentifiers.TryGet(ai, out var definition));
        Assert.Equal(maxLength, definition.MaxLength);
        Assert.Equal(predefined, definition.PredefinedLength);
    }

    [Theory]
    [InlineData("3106")] // decimal position 6 is not assigned
    [InlineData("3170")]
    [InlineData("23")]
    [InlineData("235")]  // real AI, but not in our table: reported, never guessed
    [InlineData("1")]
    [InlineData("")]
    public void LBL_1_unknown_ais_are_not_matched(string ai)
    {
        Assert.False(Gs1ApplicationIdentifiers.TryGet(ai, out _));
        Assert.Null(Gs1ApplicationIdentifiers.MatchPrefix(ai + "ABC"));
    }

    [Fact]
    public void LBL_1_raw_prefix_matching_reads_the_longest_known_ai()
    {
        Assert.Equal("3103", Gs1ApplicationIdentifiers.MatchPrefix("3103001250")?.Ai);
        Assert.Equal("01", Gs1ApplicationIdentifiers.MatchPrefix("0109506000134352")?.Ai);
        Assert.Equal("240", Gs1ApplicationIdentifiers.MatchPrefix("240ABC")?.Ai);
        Assert.Null(Gs1ApplicationIdentifiers.MatchPrefix("0"));
        Assert.Null(Gs1ApplicationIdentifiers.MatchPrefix("٠١")); // Arabic-Indic digits are not digits here
    }
}
