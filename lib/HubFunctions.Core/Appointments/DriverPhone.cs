using System.Diagnostics.CodeAnalysis;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>
/// APT-3: the driver's contact, a mainland mobile number: 11 digits matching <c>1[3-9]\d{9}</c>. The
/// normalised form is those 11 digits.
/// <para>Accepted around them (decided here; DOMAIN.md names only the 11 digits):</para>
/// <list type="bullet">
/// <item>the country code written <c>+86</c> or <c>0086</c>, optionally followed by one space or hyphen;
/// a bare <c>86</c> prefix is refused (ambiguous to a reader, and nobody dials it);</item>
/// <item>single ASCII spaces or hyphens between digits, as people group numbers (<c>138 1234 5678</c>,
/// <c>138-1234-5678</c>); surrounding ASCII spaces.</item>
/// </list>
/// Refused: anything else, in particular full-width digits, non-ASCII digits, parentheses, dots, two
/// separators in a row, and control or invisible characters (never silently mapped). Log only
/// <see cref="Redact"/>ed numbers.
/// </summary>
public static class DriverPhone
{
    /// <summary>The field name in requests.</summary>
    public const string Field = "driverPhone";

    /// <summary>Inputs longer than this are refused before they are looked at.</summary>
    public const int MaxInputLength = 32;

    /// <summary>Normalises and checks a phone (APT-3); on failure <paramref name="error"/> says why (field <c>driverPhone</c>, code <c>APT-3</c>).</summary>
    public static bool TryNormalise(string? input, out string phone, [NotNullWhen(false)] out FieldError? error)
    {
        var problem = Check(input, out phone);
        error = problem is null ? null : new FieldError(Field, AppointmentCodes.PlateOrPhone, problem);
        return problem is null;
    }

    /// <summary>True when <paramref name="input"/> normalises to a valid mainland mobile number.</summary>
    public static bool IsValid(string? input) => TryNormalise(input, out _, out _);

    /// <summary>
    /// The number for logs: <c>138****5678</c> (first 3 and last 4 digits of the normalised number). Anything
    /// that is not a valid number gives <c>***</c>: an invalid input is never echoed, it may be a real number mistyped.
    /// </summary>
    public static string Redact(string? phone)
        => TryNormalise(phone, out var normalised, out _) ? normalised[..3] + "****" + normalised[7..] : "***";

    private static string? Check(string? input, out string phone)
    {
        phone = string.Empty;
        if (string.IsNullOrEmpty(input) || input.All(c => c == ' '))
        {
            return "driverPhone is required.";
        }

        if (input.Length > MaxInputLength)
        {
            return $"driverPhone is at most {MaxInputLength} characters long.";
        }

        foreach (var c in input)
        {
            if (c > '\u007F' || char.IsControl(c))
            {
                return $"driverPhone contains U+{(int)c:X4}; use ASCII digits (full-width, non-ASCII and invisible characters are refused).";
            }

            if (!char.IsAsciiDigit(c) && c is not (' ' or '-' or '+'))
            {
                return $"driverPhone contains '{c}'; only digits, an optional +86 or 0086 prefix, and single spaces or hyphens between digits are accepted.";
            }
        }

        var text = input.Trim(' ');
        if (text.StartsWith("+86", StringComparison.Ordinal))
        {
            text = StripOneSeparator(text[3..]);
        }
        else if (text.StartsWith("0086", StringComparison.Ordinal))
        {
            text = StripOneSeparator(text[4..]);
        }

        if (text.Contains('+', StringComparison.Ordinal))
        {
            return "driverPhone may start with +86 (or 0086), and no other country code is accepted: the driver needs a mainland mobile number.";
        }

        var digits = new char[11];
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                if (count == digits.Length)
                {
                    return text.Length > 2 && text[..2] == "86"
                        ? "driverPhone has a bare 86 prefix; write +86 or 0086, or the 11 digits alone."
                        : "driverPhone has more than 11 digits; a mainland mobile number has 11 (1[3-9] and 9 more).";
                }

                digits[count++] = c;
                continue;
            }

            // A space or hyphen: only one, and only between two digits.
            if (i == 0 || i == text.Length - 1 || !char.IsAsciiDigit(text[i - 1]) || !char.IsAsciiDigit(text[i + 1]))
            {
                return "driverPhone may contain single spaces or hyphens only between digits.";
            }
        }

        if (count != digits.Length)
        {
            return $"driverPhone has {count} digits; a mainland mobile number has 11 (1[3-9] and 9 more).";
        }

        if (digits[0] != '1' || digits[1] is < '3' or > '9')
        {
            return "driverPhone must be a mainland mobile number starting 13-19.";
        }

        phone = new string(digits);
        return null;
    }

    private static string StripOneSeparator(string rest) => rest.Length > 0 && rest[0] is ' ' or '-' ? rest[1..] : rest;
}
