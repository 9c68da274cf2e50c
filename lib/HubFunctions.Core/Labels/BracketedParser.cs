using System.Text;

namespace HubFunctions.Core.Labels;

/// <summary>
/// Reads the bracketed human-readable form <c>(01)09506000134352(10)ABC123...</c> (LBL-1). Each
/// <c>(</c> starts an AI of 2 to 4 digits closed by <c>)</c>; the value runs to the next <c>(</c> or
/// the end. As in the GS1 Barcode Syntax Engine, a literal <c>(</c> inside a value is written
/// <c>\(</c> (a backslash is not in character set 82, so this is unambiguous). Spaces around an
/// element are ignored: a space is never GS1 data. Unknown AIs are reported and skipped; the
/// brackets delimit them, so reading goes on.
/// </summary>
internal static class BracketedParser
{
    public static void Parse(ReadOnlySpan<char> text, int offset, Gs1ParseSink sink)
    {
        var pos = 0;
        while (pos < text.Length)
        {
            // text[pos] is '(' here: the input starts with it and every value ends before one.
            var close = pos + 1;
            while (close < text.Length && char.IsAsciiDigit(text[close]))
            {
                close++;
            }

            var aiLength = close - pos - 1;
            if (close >= text.Length || text[close] != ')' || aiLength is < 2 or > 4)
            {
                sink.Fail(
                    LabelErrorCodes.InvalidSyntax,
                    $"Malformed AI at character {offset + pos + 1}: expected '(' then 2 to 4 digits then ')' (write a literal '(' in a value as '\\(').");
                return;
            }

            var ai = text[(pos + 1)..close];
            var start = close + 1;
            var end = start;
            var escaped = false;
            while (end < text.Length)
            {
                if (text[end] == '(')
                {
                    if (end > start && text[end - 1] == '\\')
                    {
                        escaped = true;
                    }
                    else
                    {
                        break;
                    }
                }

                end++;
            }

            var raw = text[start..end].Trim(' ');
            if (Gs1ApplicationIdentifiers.TryGet(ai, out var definition))
            {
                sink.Add(definition.Ai, escaped ? Unescape(raw) : raw.ToString());
            }
            else
            {
                sink.Error(LabelErrorCodes.UnknownAi, $"AI ({ai}) at character {offset + pos + 1} is not a known AI.", ai.ToString());
            }

            pos = end;
        }
    }

    private static string Unescape(ReadOnlySpan<char> raw)
    {
        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length && raw[i + 1] == '(')
            {
                continue;
            }

            builder.Append(raw[i]);
        }

        return builder.ToString();
    }
}
