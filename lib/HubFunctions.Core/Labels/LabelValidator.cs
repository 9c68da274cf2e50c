using HubFunctions.Core.Common;

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
    /// Most labels one call may carry. <see cref="ValidateAll"/> does not enforce it: callers check
    /// the batch with <see cref="CheckBatch"/> first (the HTTP functions answer 422).
    /// </summary>
    public const int MaxLabelsPerRequest = 1000;

    /// <summary>Error code: no label list, or an empty one.</summary>
    public const string LabelsRequired = "labels-required";

    /// <summary>Error code: more than <see cref="MaxLabelsPerRequest"/> labels.</summary>
    public const string TooManyLabels = "too-many-labels";

    /// <summary>The AIs every unit's label must carry (LBL-1), in report order.</summary>
    public static readonly IReadOnlyList<string> RequiredAis =
    [
        Gs1ApplicationIdentifiers.Gtin,
        Gs1ApplicationIdentifiers.Batch,
        Gs1ApplicationIdentifiers.ProductionDate,
        Gs1ApplicationIdentifiers.ExpiryDate,
        Gs1ApplicationIdentifiers.Serial,
    ];

    /// <summary>
    /// Checks a batch of labels as sent (field <c>labels</c>): a list of 1 to
    /// <see cref="MaxLabelsPerRequest"/> labels. The labels themselves are checked one by one by
    /// <see cref="ValidateAll"/>; a bad label never fails the batch.
    /// </summary>
    /// <returns>The error, if any (at most one).</returns>
    public static IReadOnlyList<FieldError> CheckBatch(IReadOnlyCollection<string?>? labels) => labels switch
    {
        null => [new("labels", LabelsRequired, "Send { \"labels\": [\"...\"] } with 1 to 1,000 labels.")],
        { Count: 0 } => [new("labels", LabelsRequired, "Send at least one label.")],
        { Count: > MaxLabelsPerRequest } => [new("labels", TooManyLabels,
            $"At most {MaxLabelsPerRequest:N0} labels per call; got {labels.Count:N0}. Split the list.")],
        _ => [],
    };

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
