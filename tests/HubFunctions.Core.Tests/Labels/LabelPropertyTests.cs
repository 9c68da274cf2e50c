using System.Text;
using CsCheck;
using HubFunctions.Core.Labels;
using static HubFunctions.Core.Tests.Labels.LabelTestData;

namespace HubFunctions.Core.Tests.Labels;

/// <summary>LBL-1/LBL-2 properties: formatter round trips in all three forms; no input makes validation throw.</summary>
public sealed class LabelPropertyTests
{
    private const int CurrentYear = 2026;

    // In 2026 the century rule maps YY onto 1977..2076.
    private static readonly DateOnly FirstDate = new(CurrentYear - 49, 1, 1);
    private static readonly DateOnly LastDate = new(CurrentYear + 50, 12, 31);

    private static readonly LabelValidator Validator2026 = Validator(CurrentYear);

    private static readonly Gen<string> GenGtin =
        Gen.Char['0', '9'].Array[13].Select(digits =>
        {
            var data = new string(digits);
            return data + (char)('0' + Gs1CheckDigit.Compute(data));
        });

    private static Gen<string> GenCs82(int max) =>
        Gen.Char[Gs1CharacterSet.Cs82Characters].Array[1, max].Select(chars => new string(chars));

    /// <summary>A date in the century-rule window, written as YYMMDD or (one time in four) as YYMM00.</summary>
    private static readonly Gen<(string Yymmdd, DateOnly Date)> GenDate =
        Gen.Select(Gen.DateOnly[FirstDate, LastDate], Gen.Int[0, 3], (date, zeroDay) =>
            zeroDay == 0
                ? (Gs1Date.FormatMonthEnd(date.Year, date.Month), new DateOnly(date.Year, date.Month, DateTime.DaysInMonth(date.Year, date.Month)))
                : (Gs1Date.Format(date), date));

    private static readonly Gen<Gs1Element?> GenExtra = Gen.OneOf<Gs1Element?>(
        Gen.Const((Gs1Element?)null),
        Gen.Char['0', '9'].Array[6].Select(d => (Gs1Element?)new Gs1Element("3103", new string(d))),
        GenCs82(30).Select(v => (Gs1Element?)new Gs1Element("240", v)),
        GenCs82(90).Select(v => (Gs1Element?)new Gs1Element("91", v)));

    private sealed record Sample(
        string Gtin, string Batch, string Serial, (string Yymmdd, DateOnly Date) Production, (string Yymmdd, DateOnly Date) Expiry,
        Gs1Element? Extra, int[] Order, int Framing)
    {
        public IReadOnlyList<Gs1Element> Elements()
        {
            var elements = Gs1Formatter.HubLabel(Gtin, Batch, Production.Yymmdd, Expiry.Yymmdd, Serial).ToList();
            if (Extra is not null)
            {
                elements.Add(Extra);
            }

            return [.. Order.Where(i => i < elements.Count).Select(i => elements[i])];
        }

        public string? Symbology => Framing % 6 == 5 ? null : Gs1SymbologyIdentifiers.ElementString[Framing % 6];

        public bool LeadingSeparator => Framing >= 6;
    }

    private static readonly Gen<Sample> GenSample =
        Gen.Select(GenGtin, GenCs82(20), GenCs82(20), GenDate, GenDate, GenExtra, Gen.Shuffle(new[] { 0, 1, 2, 3, 4, 5 }), Gen.Int[0, 11],
            (gtin, batch, serial, first, second, extra, order, framing) =>
                first.Date <= second.Date
                    ? new Sample(gtin, batch, serial, first, second, extra, order, framing)
                    : new Sample(gtin, batch, serial, second, first, extra, order, framing));

    private static void AssertRoundTrip(Sample sample, string label)
    {
        var result = Validator2026.Validate(label);
        var context = $"{label} → {Codes(result)}";
        Assert.True(result.Valid, context);
        Assert.Equal(sample.Gtin, result.Gtin);
        Assert.Equal(sample.Batch, result.Batch);
        Assert.Equal(sample.Serial, result.Serial);
        Assert.Equal(sample.Production.Date, result.ProductionDate);
        Assert.Equal(sample.Expiry.Date, result.ExpiryDate);
        Assert.Equal(
            sample.Elements().OrderBy(e => e.Ai, StringComparer.Ordinal),
            result.Elements.OrderBy(e => e.Ai, StringComparer.Ordinal));
    }

    [Fact]
    public void LBL_1_formatted_bracketed_labels_parse_back_to_the_same_values()
    {
        GenSample.Sample(sample => AssertRoundTrip(sample, Gs1Formatter.ToBracketed(sample.Elements())), iter: 3000);
    }

    [Fact]
    public void LBL_1_formatted_raw_element_strings_parse_back_to_the_same_values()
    {
        GenSample.Sample(
            sample => AssertRoundTrip(sample, Gs1Formatter.ToElementString(sample.Elements(), sample.Symbology, sample.LeadingSeparator)),
            iter: 3000);
    }

    [Fact]
    public void LBL_1_formatted_digital_links_parse_back_to_the_same_values()
    {
        GenSample.Sample(
            sample => AssertRoundTrip(sample, Gs1Formatter.ToDigitalLink(sample.Elements(), "https://id.example.com/prefix")),
            iter: 3000);
    }

    [Fact]
    public void LBL_1_a_raw_label_without_the_gs_after_the_batch_is_never_valid_and_says_why()
    {
        GenSample.Sample(
            sample =>
            {
                var label = "01" + sample.Gtin + "11" + sample.Production.Yymmdd + "17" + sample.Expiry.Yymmdd + "10" + sample.Batch + "21" + sample.Serial;
                var result = Validator2026.Validate(label);
                Assert.False(result.Valid, label);
                Assert.Contains(result.Errors, e => e.Code == LabelErrorCodes.MissingSeparator);
                Assert.Contains(result.Errors, e => e.Code == LabelErrorCodes.MissingAi21);
            },
            iter: 2000);
    }

    private static void AssertWellFormed(string? input, LabelValidation result)
    {
        Assert.Equal(input ?? string.Empty, result.Input);
        Assert.Equal(result.Errors.Count == 0, result.Valid);
        foreach (var error in result.Errors)
        {
            Assert.Contains(error.Code, LabelErrorCodes.All);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }

        if (result.Valid)
        {
            Assert.NotNull(result.Gtin);
            Assert.NotNull(result.Batch);
            Assert.NotNull(result.Serial);
            Assert.NotNull(result.ProductionDate);
            Assert.NotNull(result.ExpiryDate);
            Assert.True(Gs1CheckDigit.IsValid(result.Gtin));
        }
    }

    [Fact]
    public void LBL_1_random_strings_never_throw_and_give_a_validation_result()
    {
        Gen.String[0, 700].Sample(input => AssertWellFormed(input, Validator2026.Validate(input)), iter: 5000);
    }

    [Fact]
    public void LBL_1_random_bytes_never_throw_and_give_a_validation_result()
    {
        Gen.Byte.Array[0, 700].Sample(
            bytes =>
            {
                foreach (var input in new[] { Encoding.Latin1.GetString(bytes), Encoding.UTF8.GetString(bytes) })
                {
                    AssertWellFormed(input, Validator2026.Validate(input));
                }
            },
            iter: 5000);
    }

    private static readonly string[] Tokens =
    [
        "(", ")", "\\(", "\\", "01", "09506000134352", "9506000134352", "10", "11", "17", "21", "22", "240229", "000000",
        "999999", "3103", "99", "235", "00", "41", "\u001D", "\u001D", "]C1", "]d2", "]Q1", "]", "https://", "http://h.example/",
        "/01/", "/10/", "/21/", "/", "?", "&", "=", "%", "%2", "%41", "%00", "+", "#", "A", "z", "0", "9", " ", "\u0000",
        "０", "é", "批", "\r\n",
    ];

    [Fact]
    public void LBL_1_label_shaped_noise_never_throws_and_gives_a_validation_result()
    {
        Gen.OneOf(Tokens).Array[0, 60].Select(string.Concat).Sample(
            input => AssertWellFormed(input, Validator2026.Validate(input)),
            iter: 20000);
    }

    [Fact]
    public void LBL_1_mutated_valid_labels_never_throw_and_give_a_validation_result()
    {
        Gen.Select(GenSample, Gen.Int[0, 2], Gen.Int[0, 2], Gen.Int[0, 1000], Gen.Char[(char)0, (char)0x7F], (sample, form, edit, where, c) =>
            {
                var label = form switch
                {
                    0 => Gs1Formatter.ToBracketed(sample.Elements()),
                    1 => Gs1Formatter.ToElementString(sample.Elements(), sample.Symbology, sample.LeadingSeparator),
                    _ => Gs1Formatter.ToDigitalLink(sample.Elements()),
                };
                var at = where % label.Length;
                return edit switch
                {
                    0 => label.Remove(at, 1),
                    1 => label.Insert(at, c.ToString()),
                    _ => label.Remove(at, 1).Insert(at, c.ToString()),
                };
            })
            .Sample(input => AssertWellFormed(input, Validator2026.Validate(input)), iter: 5000);
    }
}
