namespace HubFunctions.Core.Identifiers;

/// <summary>How a WMS HS code compares with the declared one (LBL-5).</summary>
public enum HsCodeComparison
{
    /// <summary>The codes agree (see <see cref="HsCodes.Compare"/>).</summary>
    Match,

    /// <summary>Both codes are valid and they differ.</summary>
    Mismatch,

    /// <summary>The code entered in the WMS is not a valid HS code.</summary>
    WmsCodeInvalid,

    /// <summary>The declared code is not a valid HS code.</summary>
    DeclaredCodeInvalid,
}

/// <summary>
/// HS (Harmonized System) codes (LBL-5): 6 to 10 ASCII digits, written without dots or spaces.
/// The first 6 digits are the internationally harmonised subheading; digits 7 to 10 are national
/// (e.g. China's 8-digit tariff line and 10-digit statistical code).
/// </summary>
public static class HsCodes
{
    /// <summary>Fewest digits.</summary>
    public const int MinDigits = 6;

    /// <summary>Most digits.</summary>
    public const int MaxDigits = 10;

    /// <summary>True for 6 to 10 ASCII digits and nothing else (full-width digits, dots, spaces are invalid).</summary>
    public static bool IsValid(string? code) =>
        code is { Length: >= MinDigits and <= MaxDigits } && !code.AsSpan().ContainsAnyExceptInRange('0', '9');

    /// <summary>
    /// Compares the code in the WMS with the declared code. Rule: the first 6 digits (the
    /// harmonised subheading) must be equal, and so must every further digit that both codes have;
    /// digits only one code has are not compared. So a shorter code that is a prefix of the longer
    /// one matches (<c>847130</c> vs <c>8471300000</c>: a less specific entry, not a contradiction),
    /// while any differing digit is a mismatch (<c>84713000</c> vs <c>84714100</c>). An invalid code
    /// can never match.
    /// </summary>
    public static HsCodeComparison Compare(string? wmsCode, string? declaredCode)
    {
        if (!IsValid(wmsCode))
        {
            return HsCodeComparison.WmsCodeInvalid;
        }

        if (!IsValid(declaredCode))
        {
            return HsCodeComparison.DeclaredCodeInvalid;
        }

        var common = Math.Min(wmsCode!.Length, declaredCode!.Length);
        return wmsCode.AsSpan(0, common).SequenceEqual(declaredCode.AsSpan(0, common))
            ? HsCodeComparison.Match
            : HsCodeComparison.Mismatch;
    }

    /// <summary>
    /// True when the codes differ by <see cref="Compare"/>, or when either is not a valid HS code
    /// (an invalid code cannot be shown to agree, so the diagnosis flags it too).
    /// </summary>
    public static bool Mismatch(string? wmsCode, string? declaredCode) =>
        Compare(wmsCode, declaredCode) != HsCodeComparison.Match;
}
