using System.Buffers;
using System.Globalization;

namespace HubFunctions.Core.Labels;

/// <summary>
/// GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1): the characters an
/// alphanumeric (X) AI value may hold, e.g. batch (10) and serial (21) (LBL-1).
/// <c>! " % &amp; ' ( ) * + , - . / 0-9 : ; &lt; = &gt; ? A-Z _ a-z</c>. No space, no <c># $ @ [ \ ] ^ ` { | } ~</c>,
/// no control or non-ASCII characters.
/// </summary>
public static class Gs1CharacterSet
{
    /// <summary>The 82 characters.</summary>
    public const string Cs82Characters =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    /// <summary>The ASCII group separator, which stands for FNC1 in transmitted (raw) element strings.</summary>
    public const char GroupSeparator = '\u001D';

    private static readonly SearchValues<char> Cs82 = SearchValues.Create(Cs82Characters);

    /// <summary>True when <paramref name="c"/> is in character set 82.</summary>
    public static bool IsCs82(char c) => Cs82.Contains(c);

    /// <summary>Index of the first character not in character set 82, or -1.</summary>
    public static int IndexOfNonCs82(ReadOnlySpan<char> value) => value.IndexOfAnyExcept(Cs82);

    /// <summary>Index of the first character that is not an ASCII digit, or -1 (full-width digits are not digits here).</summary>
    public static int IndexOfNonDigit(ReadOnlySpan<char> value) => value.IndexOfAnyExceptInRange('0', '9');

    /// <summary>A character shown safely in a message: printable ASCII as itself, anything else as U+XXXX.</summary>
    public static string Describe(char c) =>
        c is >= ' ' and <= '~'
            ? $"'{c}'"
            : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
