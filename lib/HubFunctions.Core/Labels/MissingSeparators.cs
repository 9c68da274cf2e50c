namespace HubFunctions.Core.Labels;

/// <summary>
/// Detects the tell-tale of a missing GS after a variable-length AI in a raw element string
/// (LBL-1): the value then runs on and swallows the following elements, e.g.
/// <c>0109506000134352 10ABC123 21SN0001</c> without a GS after <c>ABC123</c> reads as batch
/// <c>ABC12321SN0001</c> and no serial. When a required AI is missing and a variable-length value
/// contains, after at least one character, that AI's digits followed by a plausible value (the full
/// number of digits for a predefined-length AI; at least one character otherwise), it is reported
/// as <c>missing-separator</c>. This is a diagnosis: the label is rejected either way, and nothing
/// is re-read or guessed into the result.
/// </summary>
internal static class MissingSeparators
{
    public static LabelError? Find(IReadOnlyList<Gs1Element> elements, string missingAi)
    {
        if (!Gs1ApplicationIdentifiers.TryGet(missingAi, out var missing))
        {
            return null;
        }

        foreach (var element in elements)
        {
            if (!Gs1ApplicationIdentifiers.TryGet(element.Ai, out var host) || host.PredefinedLength)
            {
                continue;
            }

            var value = element.Value.AsSpan();
            for (var at = 1; at + missingAi.Length < value.Length; at++)
            {
                if (!value[at..].StartsWith(missingAi, StringComparison.Ordinal))
                {
                    continue;
                }

                var tail = value[(at + missingAi.Length)..];
                var plausible = missing.PredefinedLength
                    ? tail.Length >= missing.MaxLength && Gs1CharacterSet.IndexOfNonDigit(tail[..missing.MaxLength]) < 0
                    : Gs1CharacterSet.IsCs82(tail[0]);
                if (!plausible)
                {
                    continue;
                }

                return new LabelError(
                    LabelErrorCodes.MissingSeparator,
                    $"AI ({element.Ai}) {host.Title} reads '{element.Value}', which contains '{value[at..]}': a GS separator is probably missing after ({element.Ai}) '{value[..at]}', so ({missingAi}) {missing.Title} was read as part of it.",
                    element.Ai);
            }
        }

        return null;
    }
}
