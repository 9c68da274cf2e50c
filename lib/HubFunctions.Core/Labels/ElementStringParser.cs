namespace HubFunctions.Core.Labels;

/// <summary>
/// Reads a raw (transmitted) GS1 element string (LBL-1): AI digits, then the value. An AI of
/// predefined length (01, 11, 17, ...) takes exactly its length and needs no separator; any other
/// AI (10, 21, ...) runs to the next GS (0x1D, standing for FNC1) or the end of the data. A leading
/// GS (FNC1 in first position, as some readers transmit it) and a GS after a predefined-length value
/// are accepted. An AI that is not in <see cref="Gs1ApplicationIdentifiers"/> stops the reading:
/// its length is unknown and is never guessed.
/// </summary>
internal static class ElementStringParser
{
    private const char GS = Gs1CharacterSet.GroupSeparator;

    /// <param name="data">The element string, without symbology identifier.</param>
    /// <param name="offset">Characters before <paramref name="data"/> in the input (for 1-based positions in messages).</param>
    /// <param name="sink">Receives elements and errors.</param>
    public static void Parse(ReadOnlySpan<char> data, int offset, Gs1ParseSink sink)
    {
        var pos = 0;
        if (pos < data.Length && data[pos] == GS)
        {
            pos++;
        }

        if (pos >= data.Length)
        {
            sink.Fail(LabelErrorCodes.InvalidSyntax, "There is no element string after the symbology identifier or separator.");
            return;
        }

        while (pos < data.Length)
        {
            if (data[pos] == GS)
            {
                sink.Error(LabelErrorCodes.InvalidSyntax, $"Empty element at character {offset + pos + 1}: two separators in a row.");
                pos++;
                continue;
            }

            var definition = Gs1ApplicationIdentifiers.MatchPrefix(data[pos..]);
            if (definition is null)
            {
                ReportUnreadable(data[pos..], offset + pos, sink);
                return;
            }

            pos += definition.Ai.Length;
            var rest = data[pos..];
            var separator = rest.IndexOf(GS);
            var available = separator < 0 ? rest.Length : separator;
            var length = definition.PredefinedLength ? Math.Min(definition.MaxLength, available) : available;
            sink.Add(definition.Ai, rest[..length].ToString());
            pos += length;
            if (pos < data.Length && data[pos] == GS)
            {
                pos++;
            }
        }
    }

    private static void ReportUnreadable(ReadOnlySpan<char> rest, int position, Gs1ParseSink sink)
    {
        var digits = rest.IndexOfAnyExceptInRange('0', '9');
        if (digits < 0)
        {
            digits = rest.Length;
        }

        if (digits < 2)
        {
            var found = digits < rest.Length ? Gs1CharacterSet.Describe(rest[digits]) : "the end of the data";
            sink.Fail(
                LabelErrorCodes.InvalidSyntax,
                $"Expected an AI (two or more digits) at character {position + 1}, found {found}.");
            return;
        }

        var shown = rest[..Math.Min(digits, 4)].ToString();
        sink.Fail(
            LabelErrorCodes.UnknownAi,
            $"No known AI starts the digits '{shown}' at character {position + 1}; the rest of the data ({rest.Length} characters) cannot be read because its length is unknown.",
            shown.Length >= 2 ? shown[..2] : shown);
    }
}
