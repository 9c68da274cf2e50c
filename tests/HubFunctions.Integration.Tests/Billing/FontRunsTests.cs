using System.Text;
using CsCheck;
using HubFunctions.Infrastructure.Billing.Pdf;
using Microsoft.Extensions.Options;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>The CJK/Latin run splitter the PDFs draw with (PDFsharp does no font fallback).</summary>
public sealed class FontRunsTests
{
    [Theory]
    [InlineData("", "")]
    [InlineData("Invoice", "L:Invoice")]
    [InlineData("费用确认书", "C:费用确认书")]
    [InlineData("发票/账单 Invoice", "C:发票|L:/|C:账单|L: Invoice")]
    [InlineData("元/立方米/月 per m³ per month", "C:元|L:/|C:立方米|L:/|C:月|L: per m³ per month")]
    [InlineData("18.00 × 3,885 ÷ 31", "L:18.00 × 3,885 ÷ 31")]
    [InlineData("(H-1)。", "L:(H-1)|C:。")]
    [InlineData("(T+3\uFF0CBIL-7)", "L:(T+3|C:\uFF0C|L:BIL-7)")]
    [InlineData("「あ한」", "C:「あ한」")]
    [InlineData("a𠀀b", "L:a|C:𠀀|L:b")]
    public void BIL_8_text_is_split_into_cjk_and_latin_runs(string text, string expected)
        => Assert.Equal(expected, string.Join("|", FontRuns.Split(text).Select(r => $"{(r.Slot == FontSlot.Cjk ? "C" : "L")}:{r.Text}")));

    [Fact]
    public void BIL_8_runs_give_the_text_back_alternate_slots_never_split_a_surrogate_pair_and_classify_every_character()
    {
        var chars = Gen.OneOf(Gen.Char['a', 'z'], Gen.Char[' ', '@'], Gen.Char['\u4E00', '\u9FFF'], Gen.Char['\u3000', '\u303F'],
            Gen.Char['\uFF00', '\uFFEF'], Gen.Const('³'), Gen.Char['\uD800', '\uDFFF']).Select(c => c.ToString());
        var pairs = Gen.Int[0x20000, 0x2A6DF].Select(cp => char.ConvertFromUtf32(cp));
        Gen.OneOf(chars, pairs).Array[0, 40].Select(parts => string.Concat(parts)).Sample(text =>
        {
            var runs = FontRuns.Split(text);
            Assert.Equal(text, string.Concat(runs.Select(r => r.Text)));
            Assert.All(runs, r => Assert.NotEmpty(r.Text));
            for (var i = 1; i < runs.Count; i++)
            {
                Assert.NotEqual(runs[i - 1].Slot, runs[i].Slot);
            }

            for (var r = 0; r < runs.Count; r++)
            {
                var run = runs[r];
                Assert.False(r > 0 && char.IsLowSurrogate(run.Text[0]) && char.IsHighSurrogate(runs[r - 1].Text[^1]), "a surrogate pair was split");
                for (var i = 0; i < run.Text.Length; i++)
                {
                    var isPair = char.IsHighSurrogate(run.Text[i]) && i + 1 < run.Text.Length && char.IsLowSurrogate(run.Text[i + 1]);
                    var cp = isPair ? char.ConvertToUtf32(run.Text[i], run.Text[i + 1]) : run.Text[i];
                    var cjk = (!char.IsSurrogate(run.Text[i]) || isPair) && FontRuns.IsCjk(cp);
                    Assert.Equal(run.Slot, cjk ? FontSlot.Cjk : FontSlot.Latin);
                    i += isPair ? 1 : 0;
                }
            }
        });
    }

    [Fact]
    public void BIL_8_missing_fonts_are_named_with_the_fix()
    {
        var folder = Path.Combine(Path.GetTempPath(), "no-fonts-" + Convert.ToHexString(Guid.NewGuid().ToByteArray()));
        var (_, problems) = BillingFonts.Locate(folder);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains(BillingFonts.CjkFile, StringComparison.Ordinal) && p.Contains("Hub:Pdf:FontFolder", StringComparison.Ordinal));
        var error = Assert.Throws<InvalidOperationException>(() => new BillingFonts(Options.Create(new PdfOptions { FontFolder = folder })));
        Assert.Contains("DroidSansFallbackFull.ttf", error.Message, StringComparison.Ordinal);
        Assert.Empty(BillingFonts.Locate(null).Problems);
    }

    /// <summary>
    /// The fonts ship with the app (an Azure deployment has no Debian font packages): the build copies the three files and their
    /// licences into the output's <c>fonts</c> folder, byte for byte the files kept in the Functions project, and with no
    /// <c>Hub:Pdf:FontFolder</c> set they are the ones used; the Debian paths only fill in for a file missing there.
    /// </summary>
    [Fact]
    public void BIL_8_the_fonts_ship_with_the_app_and_are_used_from_its_folder()
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "fonts");
        var source = Path.Combine(RepositoryRoot(), "functions", "HubFunctions.Functions", "fonts");
        foreach (var file in new[] { BillingFonts.CjkFile, BillingFonts.LatinFile, BillingFonts.LatinBoldFile })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(source, file)), File.ReadAllBytes(Path.Combine(shipped, file)));
            Assert.Equal(Path.Combine(shipped, file), BillingFonts.Locate(null).Paths[file]);
        }

        Assert.True(File.Exists(Path.Combine(shipped, "LICENSE-Apache-2.0.txt")) && File.Exists(Path.Combine(shipped, "LICENSE-DejaVu.txt")));

        // A folder lacking one file: that one comes from the Debian path (or is named as missing where the packages are not installed).
        var partial = Directory.CreateTempSubdirectory("fonts-").FullName;
        File.Copy(Path.Combine(shipped, BillingFonts.LatinFile), Path.Combine(partial, BillingFonts.LatinFile));
        var (paths, problems) = BillingFonts.Locate(null, partial);
        Assert.Equal(Path.Combine(partial, BillingFonts.LatinFile), paths[BillingFonts.LatinFile]);
        Assert.Equal(BillingFonts.DebianPaths[BillingFonts.CjkFile], paths[BillingFonts.CjkFile]);
        Assert.Equal(File.Exists(BillingFonts.DebianPaths[BillingFonts.CjkFile]), !problems.Any(p => p.Contains(BillingFonts.CjkFile, StringComparison.Ordinal)));
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HubFunctions.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("HubFunctions.sln not found above the test folder.");
    }
}
