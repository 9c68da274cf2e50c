namespace HubFunctions.Core.Labels;

/// <summary>
/// Checks one element's value against its AI definition (LBL-1, LBL-2): character set (ASCII digits
/// for N, character set 82 for X), length, check digit, date. Reports the first problem only.
/// </summary>
public static class Gs1ValueRules
{
    /// <summary>The first problem with the value, or null when it is valid.</summary>
    /// <param name="element">The element.</param>
    /// <param name="definition">Its AI definition.</param>
    /// <param name="currentYear">Year for the century rule (<see cref="Gs1Date.CurrentYear"/>).</param>
    /// <param name="date">The calendar date, for a valid date AI; otherwise null.</param>
    public static LabelError? Check(Gs1Element element, Gs1AiDefinition definition, int currentYear, out DateOnly? date)
    {
        date = null;
        var ai = definition.Ai;
        var value = element.Value.AsSpan();
        var isGtin = ai == Gs1ApplicationIdentifiers.Gtin;

        var bad = definition.Numeric ? Gs1CharacterSet.IndexOfNonDigit(value) : Gs1CharacterSet.IndexOfNonCs82(value);
        if (bad >= 0)
        {
            var expected = definition.Numeric ? "digits 0-9 only" : "characters of GS1 character set 82 only";
            return new LabelError(
                LabelErrorCodes.InvalidCharacter,
                $"({ai}) {definition.Title} may hold {expected}; character {bad + 1} of its value is {Gs1CharacterSet.Describe(value[bad])}.",
                ai);
        }

        if (value.Length > definition.MaxLength && !definition.FixedLength)
        {
            return new LabelError(
                LabelErrorCodes.ValueTooLong,
                $"({ai}) {definition.Title} may hold at most {definition.MaxLength} characters; it has {value.Length}.",
                ai);
        }

        if (value.Length < definition.MinLength || value.Length > definition.MaxLength)
        {
            var expected = definition.FixedLength
                ? $"exactly {definition.MaxLength} {(definition.Numeric ? "digits" : "characters")}"
                : $"{definition.MinLength} to {definition.MaxLength} characters";
            return new LabelError(
                isGtin ? LabelErrorCodes.GtinLength : LabelErrorCodes.InvalidLength,
                $"({ai}) {definition.Title} must be {expected}; it has {value.Length}.",
                ai);
        }

        switch (definition.Check)
        {
            case Gs1ValueCheck.CheckDigit when !Gs1CheckDigit.IsValid(value):
                var expectedDigit = Gs1CheckDigit.Compute(value[..^1]);
                return new LabelError(
                    isGtin ? LabelErrorCodes.GtinCheckDigit : LabelErrorCodes.CheckDigit,
                    $"({ai}) {definition.Title} {element.Value} fails the GS1 check digit: the last digit should be {expectedDigit}.",
                    ai);
            case Gs1ValueCheck.DateYymmd0:
                if (!Gs1Date.TryParse(value, currentYear, out var parsed, out var problem))
                {
                    return new LabelError(LabelErrorCodes.InvalidDate, $"({ai}) {definition.Title} {element.Value} is not a date: {problem}.", ai);
                }

                date = parsed;
                break;
        }

        return null;
    }
}
