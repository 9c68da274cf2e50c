using System.Collections.Frozen;

namespace HubFunctions.Core.Labels;

/// <summary>Extra content rule of an AI's value, beyond character set and length.</summary>
public enum Gs1ValueCheck
{
    /// <summary>No further rule.</summary>
    None,

    /// <summary>The last digit is a GS1 mod-10 check digit (<see cref="Gs1CheckDigit"/>).</summary>
    CheckDigit,

    /// <summary>A YYMMDD date where DD = 00 means the last day of the month (<see cref="Gs1Date"/>).</summary>
    DateYymmd0,
}

/// <summary>
/// One Application Identifier as the GS1 General Specifications (and the GS1 Barcode Syntax
/// Dictionary) define it.
/// </summary>
/// <param name="Ai">The AI digits, e.g. <c>01</c> or <c>3103</c>.</param>
/// <param name="Title">The GS1 data title, e.g. <c>BATCH/LOT</c>.</param>
/// <param name="Numeric">True for N (digits only); false for X (GS1 character set 82).</param>
/// <param name="MinLength">Shortest value.</param>
/// <param name="MaxLength">Longest value.</param>
/// <param name="PredefinedLength">
/// True when the AI is in the GS1 table of predefined-length element strings: it needs no FNC1/GS
/// after its value. Every other AI ends at GS or at the end of the data.
/// </param>
/// <param name="Check">Extra content rule.</param>
public sealed record Gs1AiDefinition(
    string Ai, string Title, bool Numeric, int MinLength, int MaxLength, bool PredefinedLength, Gs1ValueCheck Check)
{
    /// <summary>True when every value has the same length.</summary>
    public bool FixedLength => MinLength == MaxLength;
}

/// <summary>
/// The AIs this hub can read (LBL-1). The hub's own AIs (01, 10, 11, 17, 21) plus the common ones
/// whose format is simple and certain, taken from the GS1 General Specifications / GS1 Barcode
/// Syntax Dictionary. Any other AI is reported as <c>unknown-ai</c>: its length is never guessed.
/// </summary>
/// <remarks>
/// GS1 AIs are prefix-free (no AI is the beginning of another), so a raw element string can be
/// read by trying 2, 3 and 4 leading digits against this table.
/// </remarks>
public static class Gs1ApplicationIdentifiers
{
    /// <summary>AI (01) GTIN: N14 with check digit.</summary>
    public const string Gtin = "01";

    /// <summary>AI (10) batch/lot: X..20.</summary>
    public const string Batch = "10";

    /// <summary>AI (11) production date: N6 YYMMDD.</summary>
    public const string ProductionDate = "11";

    /// <summary>AI (17) expiry date: N6 YYMMDD.</summary>
    public const string ExpiryDate = "17";

    /// <summary>AI (21) serial number: X..20.</summary>
    public const string Serial = "21";

    /// <summary>AI (22) consumer product variant: X..20 (a Digital Link key qualifier).</summary>
    public const string ConsumerProductVariant = "22";

    private static readonly FrozenDictionary<string, Gs1AiDefinition> Table = Build().ToFrozenDictionary(d => d.Ai, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Gs1AiDefinition>.AlternateLookup<ReadOnlySpan<char>> SpanLookup =
        Table.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every AI known here.</summary>
    public static IEnumerable<Gs1AiDefinition> All => Table.Values;

    /// <summary>The definition of an AI given exactly (e.g. from brackets or a URI).</summary>
    public static bool TryGet(ReadOnlySpan<char> ai, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Gs1AiDefinition? definition) =>
        SpanLookup.TryGetValue(ai, out definition);

    /// <summary>
    /// The AI that starts <paramref name="data"/> (a raw element string), trying 2, 3 then 4
    /// leading ASCII digits; null when none of them is a known AI.
    /// </summary>
    public static Gs1AiDefinition? MatchPrefix(ReadOnlySpan<char> data)
    {
        if (data.Length < 2 || !char.IsAsciiDigit(data[0]) || !char.IsAsciiDigit(data[1]))
        {
            return null;
        }

        for (var length = 2; length <= 4 && length <= data.Length; length++)
        {
            if (!char.IsAsciiDigit(data[length - 1]))
            {
                return null;
            }

            if (SpanLookup.TryGetValue(data[..length], out var definition))
            {
                return definition;
            }
        }

        return null;
    }

    private static IEnumerable<Gs1AiDefinition> Build()
    {
        static Gs1AiDefinition Fixed(string ai, string title, int length, Gs1ValueCheck check = Gs1ValueCheck.None) =>
            new(ai, title, Numeric: true, length, length, PredefinedLength: true, check);

        static Gs1AiDefinition Text(string ai, string title, int max) =>
            new(ai, title, Numeric: false, 1, max, PredefinedLength: false, Gs1ValueCheck.None);

        static Gs1AiDefinition Digits(string ai, string title, int max) =>
            new(ai, title, Numeric: true, 1, max, PredefinedLength: false, Gs1ValueCheck.None);

        yield return Fixed("00", "SSCC", 18, Gs1ValueCheck.CheckDigit);
        yield return Fixed(Gtin, "GTIN", 14, Gs1ValueCheck.CheckDigit);
        yield return Fixed("02", "CONTENT", 14, Gs1ValueCheck.CheckDigit);
        yield return Text(Batch, "BATCH/LOT", 20);
        yield return Fixed(ProductionDate, "PROD DATE", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed("12", "DUE DATE", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed("13", "PACK DATE", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed("15", "BEST BEFORE or BEST BY", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed("16", "SELL BY", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed(ExpiryDate, "USE BY or EXPIRY", 6, Gs1ValueCheck.DateYymmd0);
        yield return Fixed("20", "VARIANT", 2);
        yield return Text(Serial, "SERIAL", 20);
        yield return Text(ConsumerProductVariant, "CPV", 20);
        yield return Text("240", "ADDITIONAL ID", 30);
        yield return Text("241", "CUST. PART No.", 30);
        yield return Text("250", "SECONDARY SERIAL", 30);
        yield return Text("251", "REF. TO SOURCE", 30);
        yield return Digits("30", "VAR. COUNT", 8);

        // Measures: 4-digit AIs, N6, predefined length; the fourth digit is the implied decimal
        // position 0..5. Only the ranges the GS1 Barcode Syntax Dictionary assigns.
        (int From, int To, string Title)[] measures =
        [
            (310, 316, "MEASURE (trade, metric)"),
            (320, 329, "MEASURE (trade, imperial)"),
            (330, 337, "MEASURE (logistic, metric)"),
            (340, 349, "MEASURE (logistic, imperial)"),
            (350, 357, "MEASURE (area, net weight/volume)"),
            (360, 369, "MEASURE (volume)"),
        ];
        foreach (var (from, to, title) in measures)
        {
            for (var stem = from; stem <= to; stem++)
            {
                for (var decimals = 0; decimals <= 5; decimals++)
                {
                    yield return Fixed($"{stem}{decimals}", title, 6);
                }
            }
        }

        yield return Digits("37", "COUNT", 8);
        yield return Text("400", "ORDER NUMBER", 30);
        yield return Text("401", "GINC", 30);
        yield return Text("403", "ROUTE", 30);
        yield return Fixed("410", "SHIP TO LOC", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("411", "BILL TO", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("412", "PURCHASE FROM", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("413", "SHIP FOR LOC", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("414", "LOC No.", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("415", "PAY TO", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("416", "PROD/SERV LOC", 13, Gs1ValueCheck.CheckDigit);
        yield return Fixed("417", "PARTY", 13, Gs1ValueCheck.CheckDigit);
        yield return Text("420", "SHIP TO POST", 20);
        yield return Text("90", "INTERNAL", 30);
        for (var internalAi = 91; internalAi <= 99; internalAi++)
        {
            yield return Text($"{internalAi}", "INTERNAL", 90);
        }
    }
}
