namespace HubFunctions.Core.Labels;

/// <summary>One GS1 element string: an Application Identifier and its (decoded) value.</summary>
/// <param name="Ai">The AI digits, e.g. <c>01</c>.</param>
/// <param name="Value">The value as data, without brackets, separators, escapes or percent-encoding.</param>
public sealed record Gs1Element(string Ai, string Value);

/// <summary>The three input forms of LBL-1.</summary>
public enum Gs1InputForm
{
    /// <summary>Human-readable <c>(01)09506000134352(10)ABC123...</c>; a literal '(' in a value is written <c>\(</c>.</summary>
    Bracketed,

    /// <summary>Raw (transmitted) element string: AIs and values back to back, GS (0x1D) = FNC1 after variable-length values, optionally led by a symbology identifier such as <c>]d2</c>.</summary>
    ElementString,

    /// <summary>GS1 Digital Link URI: <c>https://host/01/{gtin}/10/{batch}/21/{serial}?17=...</c>.</summary>
    DigitalLink,
}

/// <summary>
/// The result of splitting an input into element strings (<see cref="Gs1Parser"/>): the form,
/// the elements in input order, and the structural errors. Values are not validated here (see
/// <see cref="Gs1ValueRules"/> and <see cref="LabelValidator"/>).
/// </summary>
/// <param name="Form">The form recognised, or null when the input was rejected before (empty, too long, bad characters).</param>
/// <param name="Elements">Elements with known AIs, in input order (repeats included).</param>
/// <param name="Errors">Structural errors.</param>
/// <param name="Complete">False when part of the input could not be read (e.g. after an unknown AI in a raw element string), so absence of an AI proves nothing.</param>
public sealed record Gs1ParseResult(
    Gs1InputForm? Form, IReadOnlyList<Gs1Element> Elements, IReadOnlyList<LabelError> Errors, bool Complete);

/// <summary>The symbology identifiers (ISO/IEC 15424) accepted before a raw element string or a Digital Link (LBL-1).</summary>
public static class Gs1SymbologyIdentifiers
{
    /// <summary>GS1-128.</summary>
    public const string Gs1_128 = "]C1";

    /// <summary>GS1 DataMatrix.</summary>
    public const string Gs1DataMatrix = "]d2";

    /// <summary>GS1 QR Code.</summary>
    public const string Gs1QrCode = "]Q3";

    /// <summary>GS1 DataBar.</summary>
    public const string Gs1DataBar = "]e0";

    /// <summary>GS1 DotCode.</summary>
    public const string Gs1DotCode = "]J1";

    /// <summary>Identifiers that announce a GS1 element string.</summary>
    public static readonly IReadOnlyList<string> ElementString = [Gs1_128, Gs1DataMatrix, Gs1QrCode, Gs1DataBar, Gs1DotCode];

    /// <summary>Plain QR Code and Data Matrix (no FNC1): accepted only when a Digital Link URI follows.</summary>
    public static readonly IReadOnlyList<string> PlainForUri = ["]Q1", "]d1"];

    /// <summary>True when <paramref name="identifier"/> is one of <see cref="ElementString"/> (case-sensitive, as transmitted).</summary>
    public static bool IsElementString(ReadOnlySpan<char> identifier)
    {
        foreach (var known in ElementString)
        {
            if (identifier.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool IsPlainForUri(ReadOnlySpan<char> identifier) =>
        identifier.SequenceEqual("]Q1") || identifier.SequenceEqual("]d1");
}
