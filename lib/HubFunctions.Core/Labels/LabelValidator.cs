namespace HubFunctions.Core.Labels;

/// <summary>
/// Validates labels for the hub (LBL-1..LBL-2): GS1-correct in any of the three forms, with the
/// required AIs (01) GTIN, (10) batch, (11) production date, (17) expiry date, (21) serial, and
/// production date ≤ expiry date. Serial uniqueness (LBL-3) needs the stored labels: see
/// <see cref="SerialUniqueness"/>. Pure apart from reading the clock for the century rule; never
/// throws on any input; stateless and thread-safe (register it as a singleton).
/// </summary>
public sealed class LabelValidator(TimeProvider clock)
{
    /// <summary>Longest label read (characters); longer ones get <c>too-long</c>.</summary>
    public const int MaxInputLength = Gs1Parser.MaxInputLength;

    /// <summary>
    /// Most labels the validation endpoint accepts in one call. <see cref="ValidateAll"/> does not
    /// enforce it: the HTTP function answers 400 above it, before calling.
    /// </summary>
    public const int MaxLabelsPerRequest = 1000;

    /// <summary>The AIs every unit's label must carry (LBL-1), in report order.</summary>
    public static readonly IReadOnlyList<string> RequiredAis =
    [
        Gs1ApplicationIdentifiers.Gtin,
        Gs1ApplicationIdentifiers.Batch,
        Gs1ApplicationIdentifiers.ProductionDate,
        Gs1ApplicationIdentifiers.ExpiryDate,
        Gs1ApplicationIdentifiers.Serial,
    ];

    /// <summary>Validates one label against today's year (Asia/Shanghai) for the century rule.</summary>
    public LabelValidation Validate(string? input) => Validate(input, Gs1Date.CurrentYear(clock));

    /// <summary>Validates labels in order, all against the same current year.</summary>
    public IReadOnlyList<LabelValidation> ValidateAll(IReadOnlyList<string?> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var currentYear = Gs1Date.CurrentYear(clock);
        var results = new LabelValidation[inputs.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Validate(inputs[i], currentYear);
        }

        return results;
    }

    /// <summary>Validates one label with an explicit current year for the century rule.</summary>
    public static LabelValidation Validate(string? input, int currentYear)
    {
        var parsed = Gs1Parser.Parse(input);
        var errors = new List<LabelError>(parsed.Errors);
        string? gtin = null, batch = null, serial = null;
        DateOnly? production = null, expiry = null;
        var present = new List<string>(parsed.Elements.Count);

        foreach (var element in parsed.Elements)
        {
            if (present.Contains(element.Ai))
            {
                errors.Add(new LabelError(LabelErrorCodes.DuplicateAi, $"AI ({element.Ai}) appears more than once.", element.Ai));
                continue;
            }

            present.Add(element.Ai);
            if (!Gs1ApplicationIdentifiers.TryGet(element.Ai, out var definition))
            {
                continue; // parsers only emit known AIs
            }

            var error = Gs1ValueRules.Check(element, definition, currentYear, out var date);
            if (error is not null)
            {
                errors.Add(error);
                continue;
            }

            switch (element.Ai)
            {
                case Gs1ApplicationIdentifiers.Gtin: gtin = element.Value; break;
                case Gs1ApplicationIdentifiers.Batch: batch = element.Value; break;
                case Gs1ApplicationIdentifiers.Serial: serial = element.Value; break;
                case Gs1ApplicationIdentifiers.ProductionDate: production = date; break;
                case Gs1ApplicationIdentifiers.ExpiryDate: expiry = date; break;
            }
        }

        // Absence only means something when the whole input was read.
        if (parsed.Complete && parsed.Form is not null)
        {
            foreach (var required in RequiredAis)
            {
                if (present.Contains(required))
                {
                    continue;
                }

                if (parsed.Form == Gs1InputForm.ElementString && MissingSeparators.Find(parsed.Elements, required) is { } merged)
                {
                    errors.Add(merged);
                }

                errors.Add(new LabelError(LabelErrorCodes.MissingAi(required), $"The label has no AI ({required}) {Title(required)}.", required));
            }
        }

        if (production is { } made && expiry is { } expires && made > expires)
        {
            errors.Add(new LabelError(
                LabelErrorCodes.ProductionAfterExpiry,
                $"The production date {made:yyyy-MM-dd} is after the expiry date {expires:yyyy-MM-dd}."));
        }

        return new LabelValidation
        {
            Input = input ?? string.Empty,
            Form = parsed.Form,
            Gtin = gtin,
            Batch = batch,
            ProductionDate = production,
            ExpiryDate = expiry,
            Serial = serial,
            Elements = parsed.Elements,
            Errors = errors,
        };
    }

    private static string Title(string ai) =>
        Gs1ApplicationIdentifiers.TryGet(ai, out var definition) ? definition.Title : string.Empty;
}
