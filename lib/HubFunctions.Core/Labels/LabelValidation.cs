namespace HubFunctions.Core.Labels;

/// <summary>
/// The outcome of validating one label (LBL-1..LBL-3). <see cref="Valid"/> means GS1-correct
/// <em>and</em> carrying the hub's required AIs (01, 10, 11, 17, 21) with production ≤ expiry
/// (and, after <see cref="SerialUniqueness"/>, an unseen serial). The value fields are filled
/// for every element whose own value is valid, even when the label as a whole is not, to help
/// the seller find the fault.
/// </summary>
public sealed record LabelValidation
{
    /// <summary>The input exactly as given (null becomes empty).</summary>
    public required string Input { get; init; }

    /// <summary>The form recognised, or null when the input was rejected before parsing.</summary>
    public Gs1InputForm? Form { get; init; }

    /// <summary>GTIN-14 from AI (01).</summary>
    public string? Gtin { get; init; }

    /// <summary>Batch/lot from AI (10).</summary>
    public string? Batch { get; init; }

    /// <summary>Production date from AI (11), century rule applied, DD = 00 resolved to the last day.</summary>
    public DateOnly? ProductionDate { get; init; }

    /// <summary>Expiry date from AI (17), century rule applied, DD = 00 resolved to the last day.</summary>
    public DateOnly? ExpiryDate { get; init; }

    /// <summary>Serial number from AI (21).</summary>
    public string? Serial { get; init; }

    /// <summary>Every element read, in input order (also AIs the hub does not require, e.g. 3103).</summary>
    public IReadOnlyList<Gs1Element> Elements { get; init; } = [];

    /// <summary>What is wrong, with stable codes from <see cref="LabelErrorCodes"/>; empty when valid.</summary>
    public required IReadOnlyList<LabelError> Errors { get; init; }

    /// <summary>True when there is no error.</summary>
    public bool Valid => Errors.Count == 0;

    /// <summary>Most characters of <see cref="Input"/> a result echoes back (<see cref="EchoedInput"/>).</summary>
    public const int MaxEchoLength = 128;

    /// <summary>
    /// <see cref="Input"/> as a result shows it: in full up to <see cref="MaxEchoLength"/>
    /// characters, else its first <see cref="MaxEchoLength"/> characters (one fewer rather than half
    /// a surrogate pair) and <c>…</c>, so a 4,000-character label is not sent back whole.
    /// </summary>
    public string EchoedInput => Input.Length <= MaxEchoLength
        ? Input
        : string.Concat(Input.AsSpan(0, char.IsHighSurrogate(Input[MaxEchoLength - 1]) ? MaxEchoLength - 1 : MaxEchoLength), "…");
}
