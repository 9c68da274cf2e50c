using HubFunctions.Core.Common;

namespace HubFunctions.Core.Identifiers;

/// <summary>
/// The Unified Social Credit Code (统一社会信用代码, GB 32100-2015) of a Chinese legal entity (ADM-11,
/// checked on applications and on the business licence, ADM-9).
/// <list type="bullet">
/// <item>18 characters from <see cref="Alphabet"/> (<c>0-9</c> and the capital letters without I, O, S, V, Z).</item>
/// <item>Positions 3–8 (1-based) are digits: the administrative region code.</item>
/// <item>Position 18 is the check character: <c>Alphabet[(31 − Σ value(cᵢ) × wᵢ mod 31) mod 31]</c> over
/// positions 1–17 with the weights <see cref="Weights"/>, where value(c) is c's index in <see cref="Alphabet"/>.</item>
/// </list>
/// <para>
/// <b>Case:</b> the code is case-insensitive on input: ASCII lower-case letters are upper-cased
/// before any check, and the upper-case form is the normalised value (what is stored and compared).
/// Lower-case i, o, s, v, z are therefore refused exactly like I, O, S, V, Z.
/// <b>Whitespace</b> is never trimmed or removed: a space, tab or line break anywhere is an
/// <see cref="CharacterCode"/> error (and usually a <see cref="LengthCode"/> error), so what is stored is
/// exactly what was sent, apart from case.
/// </para>
/// <para>
/// Not checked (DOMAIN.md does not ask for it): whether position 1 (registration authority) and
/// position 2 (entity class) are values the standard assigns, and whether the region code exists.
/// </para>
/// </summary>
public static class UnifiedSocialCreditCode
{
    /// <summary>The 31 characters a code may contain, in value order (GB 32100-2015 table).</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    /// <summary>The code's length.</summary>
    public const int Length = 18;

    /// <summary>The API field that carries the code (API.md application body).</summary>
    public const string Field = "unifiedSocialCreditCode";

    /// <summary>Error code: the value is missing or empty.</summary>
    public const string RequiredCode = "uscc-required";

    /// <summary>Error code: not 18 characters.</summary>
    public const string LengthCode = "uscc-length";

    /// <summary>Error code: a character outside <see cref="Alphabet"/> (I, O, S, V, Z, punctuation, whitespace, non-ASCII).</summary>
    public const string CharacterCode = "uscc-character";

    /// <summary>Error code: positions 3–8 (the region code) are not all digits.</summary>
    public const string RegionCode = "uscc-region";

    /// <summary>Error code: the 18th character is not the check character of the first 17.</summary>
    public const string CheckCode = "uscc-check";

    /// <summary>The weights of positions 1–17 (3ⁱ mod 31).</summary>
    public static readonly IReadOnlyList<int> Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>
    /// Checks <paramref name="input"/> and returns every problem found (empty when valid), each a
    /// <see cref="FieldError"/> naming <paramref name="field"/>. Errors are reported in this order and
    /// later checks only run when they are meaningful: required (alone); length and/or character;
    /// region (only at the right length); check character (only when nothing else is wrong).
    /// </summary>
    /// <param name="input">The code as sent.</param>
    /// <param name="field">The field name to report (<see cref="Field"/> for the application body).</param>
    /// <param name="normalised">The upper-case code when valid; otherwise null.</param>
    public static IReadOnlyList<FieldError> Validate(string? input, string field, out string? normalised)
    {
        normalised = null;
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(input))
        {
            errors.Add(new FieldError(field, RequiredCode, $"{field} is required (ADM-11)."));
            return errors;
        }

        var upper = ToUpperAscii(input);
        if (upper.Length != Length)
        {
            errors.Add(new FieldError(field, LengthCode, $"{field} must be {Length} characters (ADM-11); got {upper.Length}."));
        }

        var bad = upper.Select((c, i) => (c, i)).Where(p => Alphabet.IndexOf(p.c, StringComparison.Ordinal) < 0).ToList();
        if (bad.Count > 0)
        {
            // At most the first 5 positions are named, so a long garbage value gives a short message.
            var positions = string.Join(", ", bad.Take(5).Select(p => p.i + 1)) + (bad.Count > 5 ? " and more" : "");
            errors.Add(new FieldError(field, CharacterCode,
                $"{field} may only contain 0-9 and the capital letters except I, O, S, V, Z (ADM-11); invalid character at position {positions}."));
        }

        if (upper.Length == Length && upper.AsSpan(2, 6).ContainsAnyExceptInRange('0', '9'))
        {
            errors.Add(new FieldError(field, RegionCode, $"{field} positions 3-8 (the region code) must be digits (ADM-11)."));
        }

        if (errors.Count == 0 && upper[17] != CheckCharacter(upper.AsSpan(0, 17)))
        {
            errors.Add(new FieldError(field, CheckCode, $"{field} check character (position 18) does not match the first 17 characters (ADM-11, GB 32100-2015)."));
        }

        if (errors.Count == 0)
        {
            normalised = upper;
        }

        return errors;
    }

    /// <summary>Validates against the application body's field name, <see cref="Field"/>.</summary>
    public static IReadOnlyList<FieldError> Validate(string? input, out string? normalised) => Validate(input, Field, out normalised);

    /// <summary>True when <paramref name="input"/> is a valid code (after upper-casing, see the type's remarks).</summary>
    public static bool IsValid(string? input) => Validate(input, Field, out _).Count == 0;

    /// <summary>
    /// The check character for the first 17 characters of a code (ADM-11).
    /// </summary>
    /// <exception cref="ArgumentException">Not 17 characters, or a character outside <see cref="Alphabet"/>.</exception>
    public static char CheckCharacter(ReadOnlySpan<char> first17)
    {
        if (first17.Length != 17)
        {
            throw new ArgumentException("The check character is computed over exactly 17 characters.", nameof(first17));
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var value = Alphabet.IndexOf(first17[i]);
            if (value < 0)
            {
                throw new ArgumentException($"'{first17[i]}' is not in the USCC alphabet.", nameof(first17));
            }

            sum += value * Weights[i];
        }

        return Alphabet[(31 - (sum % 31)) % 31];
    }

    private static string ToUpperAscii(string s) => string.Create(s.Length, s, static (span, src) =>
    {
        for (var i = 0; i < src.Length; i++)
        {
            span[i] = char.IsAsciiLetterLower(src[i]) ? (char)(src[i] - 32) : src[i];
        }
    });
}
