namespace HubFunctions.Core.Labels;

/// <summary>
/// The stable, kebab-case error codes of label validation (LBL-1..LBL-3). Clients may branch on
/// these; the accompanying messages are for people and may change. Codes are never renamed:
/// a new situation gets a new code.
/// </summary>
public static class LabelErrorCodes
{
    /// <summary>The input is null, empty or only spaces.</summary>
    public const string Empty = "empty";

    /// <summary>The input is longer than <see cref="LabelValidator.MaxInputLength"/> characters; it is not parsed.</summary>
    public const string TooLong = "too-long";

    /// <summary>
    /// A character that cannot appear there: a control character (other than GS in a raw element
    /// string), a non-ASCII character (e.g. full-width digits), a non-digit in a numeric AI, a
    /// character outside GS1 character set 82 in an alphanumeric AI, or a character a URI cannot hold.
    /// </summary>
    public const string InvalidCharacter = "invalid-character";

    /// <summary>The element string cannot be split into AIs: a malformed <c>(AI)</c>, no AI where one is expected, or an empty element between two separators.</summary>
    public const string InvalidSyntax = "invalid-syntax";

    /// <summary>A leading <c>]</c> symbology identifier that does not announce GS1 data (<c>]C1 ]d2 ]Q3 ]e0 ]J1</c>; <c>]d1 ]Q1</c> only before a Digital Link URI).</summary>
    public const string UnsupportedSymbology = "unsupported-symbology";

    /// <summary>An http(s) URI that is not a GS1 Digital Link we accept: no <c>/01/{gtin}</c> key, qualifiers out of order, a key qualifier in the query, malformed percent-encoding.</summary>
    public const string InvalidDigitalLink = "invalid-digital-link";

    /// <summary>An AI that is not in our table (<see cref="Gs1ApplicationIdentifiers"/>). In a raw element string nothing after it can be read: its length is unknown and is never guessed.</summary>
    public const string UnknownAi = "unknown-ai";

    /// <summary>The same AI appears more than once (the hub rejects repeats even with equal values).</summary>
    public const string DuplicateAi = "duplicate-ai";

    /// <summary>A value of the wrong length for its AI (fixed-length AIs other than 01), or an empty variable-length value.</summary>
    public const string InvalidLength = "invalid-length";

    /// <summary>A variable-length value longer than its AI allows (e.g. a batch of 21 characters).</summary>
    public const string ValueTooLong = "value-too-long";

    /// <summary>AI (01) is not 14 digits (in a Digital Link path: not 8, 12, 13 or 14 digits).</summary>
    public const string GtinLength = "gtin-length";

    /// <summary>AI (01) fails the GS1 mod-10 check digit.</summary>
    public const string GtinCheckDigit = "gtin-check-digit";

    /// <summary>Another AI with a check digit (00, 02, 410..417) fails the GS1 mod-10 check.</summary>
    public const string CheckDigit = "check-digit";

    /// <summary>A YYMMDD value that is not a calendar date (month 00 or 13, 2023-02-29, ...) (LBL-2).</summary>
    public const string InvalidDate = "invalid-date";

    /// <summary>
    /// In a raw element string, a required AI is missing and a variable-length value contains
    /// that AI followed by a plausible value: the GS separator after the variable-length AI is
    /// most likely missing, so the following element was read as part of its value.
    /// </summary>
    public const string MissingSeparator = "missing-separator";

    /// <summary>Hub requirement (LBL-1): AI (01) GTIN is missing.</summary>
    public const string MissingAi01 = "missing-ai-01";

    /// <summary>Hub requirement (LBL-1): AI (10) batch is missing.</summary>
    public const string MissingAi10 = "missing-ai-10";

    /// <summary>Hub requirement (LBL-1): AI (11) production date is missing.</summary>
    public const string MissingAi11 = "missing-ai-11";

    /// <summary>Hub requirement (LBL-1): AI (17) expiry date is missing.</summary>
    public const string MissingAi17 = "missing-ai-17";

    /// <summary>Hub requirement (LBL-1): AI (21) serial is missing.</summary>
    public const string MissingAi21 = "missing-ai-21";

    /// <summary>Hub requirement (LBL-2): the production date is after the expiry date.</summary>
    public const string ProductionAfterExpiry = "production-after-expiry";

    /// <summary>Hub requirement (LBL-3): the (GTIN, serial) pair is already known, or repeats earlier in the same batch.</summary>
    public const string DuplicateSerial = "duplicate-serial";

    /// <summary>Every code above, for documentation and for tests that check no other code escapes.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Empty, TooLong, InvalidCharacter, InvalidSyntax, UnsupportedSymbology, InvalidDigitalLink,
        UnknownAi, DuplicateAi, InvalidLength, ValueTooLong, GtinLength, GtinCheckDigit, CheckDigit,
        InvalidDate, MissingSeparator, MissingAi01, MissingAi10, MissingAi11, MissingAi17, MissingAi21,
        ProductionAfterExpiry, DuplicateSerial,
    ];

    /// <summary>The <c>missing-ai-NN</c> code of a required AI.</summary>
    public static string MissingAi(string ai) => ai switch
    {
        "01" => MissingAi01,
        "10" => MissingAi10,
        "11" => MissingAi11,
        "17" => MissingAi17,
        "21" => MissingAi21,
        _ => throw new ArgumentOutOfRangeException(nameof(ai), ai, "Not a hub-required AI."),
    };
}

/// <summary>One problem found in a label: a stable code from <see cref="LabelErrorCodes"/>, a message for people, and the AI concerned when there is one.</summary>
public sealed record LabelError(string Code, string Message, string? Ai = null);
