namespace HubFunctions.Core.Labels;

/// <summary>
/// Splits a label into GS1 element strings (LBL-1), whatever its form: bracketed, raw element string
/// (with or without a symbology identifier), or GS1 Digital Link URI. Pure and total: any string,
/// however malformed, gives a <see cref="Gs1ParseResult"/>; nothing throws.
/// </summary>
/// <remarks>
/// Before parsing: spaces at both ends are ignored (a space is never GS1 data); empty input gives
/// <c>empty</c>; more than <see cref="MaxInputLength"/> characters gives <c>too-long</c>; any control
/// character (other than GS) or non-ASCII character, e.g. full-width digits, gives
/// <c>invalid-character</c>. Form: <c>http://</c> or <c>https://</c> → Digital Link, <c>(</c> →
/// bracketed, <c>]</c> → symbology identifier, anything else → raw element string.
/// </remarks>
public static class Gs1Parser
{
    /// <summary>Longest input parsed (characters, before trimming). Longer inputs are rejected unread.</summary>
    public const int MaxInputLength = 512;

    /// <summary>Parses one label.</summary>
    public static Gs1ParseResult Parse(string? input)
    {
        var sink = new Gs1ParseSink();
        if (input is null || input.AsSpan().Trim(' ').IsEmpty)
        {
            sink.Fail(LabelErrorCodes.Empty, "The label is empty.");
            return sink.Result(null);
        }

        if (input.Length > MaxInputLength)
        {
            sink.Fail(LabelErrorCodes.TooLong, $"The label has {input.Length} characters; at most {MaxInputLength} are read.");
            return sink.Result(null);
        }

        var text = input.AsSpan().TrimEnd(' ');
        var leading = text.Length - text.TrimStart(' ').Length;
        text = text[leading..];

        var bad = IndexOfForbidden(text);
        if (bad >= 0)
        {
            var what = text[bad] > '~' ? "a non-ASCII character" : "a control character";
            sink.Fail(
                LabelErrorCodes.InvalidCharacter,
                $"Character {leading + bad + 1} is {what} ({Gs1CharacterSet.Describe(text[bad])}); labels hold ASCII only (digits must be 0-9).");
            return sink.Result(null);
        }

        if (IsHttpUri(text))
        {
            DigitalLinkParser.Parse(text, leading, sink);
            return sink.Result(Gs1InputForm.DigitalLink);
        }

        if (text[0] == '(')
        {
            BracketedParser.Parse(text, leading, sink);
            return sink.Result(Gs1InputForm.Bracketed);
        }

        if (text[0] == ']')
        {
            var identifier = text[..Math.Min(3, text.Length)];
            if (Gs1SymbologyIdentifiers.IsElementString(identifier))
            {
                ElementStringParser.Parse(text[3..], leading + 3, sink);
                return sink.Result(Gs1InputForm.ElementString);
            }

            if (identifier.Length == 3 && Gs1SymbologyIdentifiers.IsPlainForUri(identifier) && IsHttpUri(text[3..]))
            {
                DigitalLinkParser.Parse(text[3..], leading + 3, sink);
                return sink.Result(Gs1InputForm.DigitalLink);
            }

            sink.Fail(
                LabelErrorCodes.UnsupportedSymbology,
                $"Symbology identifier '{identifier}' does not announce GS1 data; expected one of {string.Join(", ", Gs1SymbologyIdentifiers.ElementString)} (or ]Q1/]d1 before a Digital Link URI).");
            return sink.Result(null);
        }

        ElementStringParser.Parse(text, leading, sink);
        return sink.Result(Gs1InputForm.ElementString);
    }

    internal static bool IsHttpUri(ReadOnlySpan<char> text) =>
        text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || text.StartsWith("http://", StringComparison.OrdinalIgnoreCase);

    /// <summary>First control character other than GS, DEL, or non-ASCII character; -1 when none.</summary>
    private static int IndexOfForbidden(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (true)
        {
            var i = text[offset..].IndexOfAnyExceptInRange(' ', '~');
            if (i < 0)
            {
                return -1;
            }

            if (text[offset + i] != Gs1CharacterSet.GroupSeparator)
            {
                return offset + i;
            }

            offset += i + 1;
        }
    }
}

/// <summary>Collects what the form parsers find.</summary>
internal sealed class Gs1ParseSink
{
    private readonly List<Gs1Element> _elements = new(6);
    private List<LabelError>? _errors;
    private bool _complete = true;

    public void Add(string ai, string value) => _elements.Add(new Gs1Element(ai, value));

    /// <summary>An error after which parsing goes on.</summary>
    public void Error(string code, string message, string? ai = null) => (_errors ??= []).Add(new LabelError(code, message, ai));

    /// <summary>An error after which the rest of the input cannot be read.</summary>
    public void Fail(string code, string message, string? ai = null)
    {
        Error(code, message, ai);
        _complete = false;
    }

    public Gs1ParseResult Result(Gs1InputForm? form) =>
        new(form, _elements, _errors is null ? [] : _errors, _complete);
}
