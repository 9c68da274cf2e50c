namespace HubFunctions.Core.Labels;

/// <summary>A serialised item: GTIN-14 and serial number (case-sensitive, as GS1 serials are).</summary>
public readonly record struct GtinSerial(string Gtin, string Serial);

/// <summary>
/// LBL-3: a serial is unique per GTIN within a seller's stock; a repeat is a violation. Pure:
/// the caller supplies the pairs already stored for the seller.
/// </summary>
public static class SerialUniqueness
{
    /// <summary>
    /// Adds <c>duplicate-serial</c> to every label whose (GTIN, serial) is already in
    /// <paramref name="known"/>, and to every later label of the batch that repeats an earlier one
    /// (the first occurrence of a new pair passes). Labels without a valid GTIN and serial are
    /// returned unchanged; so is every label without a repeat (same instance). Idempotent: a label
    /// that already carries <c>duplicate-serial</c> is not flagged twice, so the result may be
    /// passed through again with more known pairs (e.g. ones a concurrent receipt stored first).
    /// </summary>
    /// <param name="labels">Validated labels, in the order received.</param>
    /// <param name="known">Pairs already in the seller's stock.</param>
    /// <returns>The labels, in the same order.</returns>
    public static IReadOnlyList<LabelValidation> FlagRepeats(IReadOnlyList<LabelValidation> labels, IReadOnlySet<GtinSerial> known)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(known);
        var seen = new HashSet<GtinSerial>();
        var results = new LabelValidation[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            results[i] = label;
            if (label.Gtin is not { } gtin || label.Serial is not { } serial)
            {
                continue;
            }

            var pair = new GtinSerial(gtin, serial);
            string? reason = known.Contains(pair)
                ? "is already in the seller's stock"
                : !seen.Add(pair) ? "repeats an earlier label of this batch" : null;
            if (reason is not null && !label.Errors.Any(e => e.Code == LabelErrorCodes.DuplicateSerial))
            {
                results[i] = label with
                {
                    Errors = [.. label.Errors, new LabelError(LabelErrorCodes.DuplicateSerial, $"Serial '{serial}' of GTIN {gtin} {reason}.", Gs1ApplicationIdentifiers.Serial)],
                };
            }
        }

        return results;
    }
}
