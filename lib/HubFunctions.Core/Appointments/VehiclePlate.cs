using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Appointments;

/// <summary>The plate families APT-3 accepts (GA 36-2018).</summary>
public enum PlateKind
{
    /// <summary>7 characters: province, issuing-authority letter, 5 letters or digits (e.g. <c>浙A12345</c>, <c>粤B8Q2N7</c>).</summary>
    Ordinary,

    /// <summary>8 characters, small new-energy vehicle: D/F third, a letter or digit, then 4 digits (e.g. <c>粤BD12345</c>, <c>沪AFA1234</c>).</summary>
    NewEnergySmall,

    /// <summary>8 characters, large new-energy vehicle: 5 digits then D/F (e.g. <c>粤B12345D</c>).</summary>
    NewEnergyLarge,
}

/// <summary>
/// APT-3: the vehicle plate of a booking or a gate arrival, in mainland format (GA 36-2018).
/// <para>What is accepted, and why:</para>
/// <list type="bullet">
/// <item>First character: one of the 31 province abbreviations (<see cref="Provinces"/>). Second: the
/// issuing-authority letter A–Z without I and O.</item>
/// <item>Ordinary plate, 7 characters: then 5 characters, each a letter (no I, O) or a digit. GA 36 lets
/// local offices limit how many letters a serial carries (self-chosen numbers); that is an allocation
/// policy, not the format, so any mix is accepted.</item>
/// <item>New-energy plate, 8 characters (GA 36-2018 §5, green plates). Small vehicles: D (battery
/// electric) or F (other new energy) third, then one letter (no I, O) or digit, then 4 digits
/// (<c>粤BD12345</c>, <c>沪AFA1234</c>). Large vehicles: 5 digits, then D or F last (<c>粤B12345D</c>).</item>
/// <item>Special plates are refused, with a message naming them: police (警), coach (学), trailer (挂: the
/// tractor's plate identifies the vehicle at the gate), Hong Kong / Macau cross-border (港, 澳), embassy
/// (使) and consulate (领). APT-3 names 7-character ordinary and 8-character new-energy plates only.
/// Accepting one later is a change here and a test.</item>
/// </list>
/// <para>Normalisation (never a silent mapping of look-alikes):</para>
/// <list type="bullet">
/// <item>ASCII lower-case letters become upper-case (<c>浙a12345</c> → <c>浙A12345</c>).</item>
/// <item>ASCII spaces around the plate are dropped. Inside, ASCII spaces may separate the province from the
/// letter and the letter from the serial, where a plate prints its gap, and one middle dot U+00B7 may stand
/// after the letter, as printed on plates (<c>浙A·12345</c>, <c>浙 A 12345</c>). A separator anywhere else
/// is refused: <c>浙A123 45</c> is more likely a typo than a plate.</item>
/// <item>Refused, naming the code point: control characters (including tab and newline), invisible format
/// characters (zero-width space/joiners, BOM, bidi marks), full-width forms (<c>ＡＢ１２</c>, the ideographic
/// space U+3000), any other whitespace (no-break space), non-ASCII letters and digits (Cyrillic А, Greek Α,
/// Arabic-Indic digits), other middle dots (U+30FB, U+2022).</item>
/// </list>
/// </summary>
public static class VehiclePlate
{
    /// <summary>The field name in requests.</summary>
    public const string Field = "vehiclePlate";

    /// <summary>Inputs longer than this are refused before they are looked at.</summary>
    public const int MaxInputLength = 32;

    /// <summary>The middle dot printed on plates between the authority letter and the serial.</summary>
    public const char MiddleDot = '\u00B7';

    /// <summary>
    /// The 31 province abbreviations, each with its ISO 3166-2:CN subdivision code (used by <see cref="ToKeySafe"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<char, string> Provinces = new Dictionary<char, string>
    {
        ['京'] = "BJ",
        ['津'] = "TJ",
        ['沪'] = "SH",
        ['渝'] = "CQ",
        ['冀'] = "HE",
        ['豫'] = "HA",
        ['云'] = "YN",
        ['辽'] = "LN",
        ['黑'] = "HL",
        ['湘'] = "HN",
        ['皖'] = "AH",
        ['鲁'] = "SD",
        ['新'] = "XJ",
        ['苏'] = "JS",
        ['浙'] = "ZJ",
        ['赣'] = "JX",
        ['鄂'] = "HB",
        ['桂'] = "GX",
        ['甘'] = "GS",
        ['晋'] = "SX",
        ['蒙'] = "NM",
        ['陕'] = "SN",
        ['吉'] = "JL",
        ['闽'] = "FJ",
        ['贵'] = "GZ",
        ['粤'] = "GD",
        ['青'] = "QH",
        ['藏'] = "XZ",
        ['川'] = "SC",
        ['宁'] = "NX",
        ['琼'] = "HI",
    };

    private static readonly Dictionary<string, char> ProvinceByKey = Provinces.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Special-plate characters, refused with their meaning.</summary>
    public static readonly IReadOnlyDictionary<char, string> SpecialPlates = new Dictionary<char, string>
    {
        ['警'] = "police",
        ['学'] = "driving-school coach",
        ['挂'] = "trailer (book the tractor's plate)",
        ['港'] = "Hong Kong cross-border",
        ['澳'] = "Macau cross-border",
        ['使'] = "embassy",
        ['领'] = "consulate",
    };

    /// <summary>Normalises and checks a plate (APT-3); on failure <paramref name="error"/> says why (field <c>vehiclePlate</c>, code <c>APT-3</c>).</summary>
    public static bool TryNormalise(string? input, out string plate, [NotNullWhen(false)] out FieldError? error)
        => TryNormalise(input, out plate, out _, out error);

    /// <summary>As <see cref="TryNormalise(string?, out string, out FieldError?)"/>, also saying which plate family it is.</summary>
    public static bool TryNormalise(string? input, out string plate, out PlateKind kind, [NotNullWhen(false)] out FieldError? error)
    {
        plate = string.Empty;
        kind = default;
        var problem = Check(input, out var normalised, out kind);
        if (problem is not null)
        {
            error = new FieldError(Field, AppointmentCodes.PlateOrPhone, problem);
            return false;
        }

        plate = normalised;
        error = null;
        return true;
    }

    /// <summary>True when <paramref name="input"/> normalises to a valid plate.</summary>
    public static bool IsValid(string? input) => TryNormalise(input, out _, out _);

    /// <summary>
    /// A storage-key-safe form of a normalised plate (passes <see cref="Ids.IsKeySafe"/>): the province
    /// becomes its ISO 3166-2:CN code, <c>浙A12345</c> → <c>ZJ-A12345</c>. One-to-one; see <see cref="FromKeySafe"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The plate is not a normalised valid plate.</exception>
    public static string ToKeySafe(string plate)
    {
        if (!TryNormalise(plate, out var normalised, out _) || !string.Equals(normalised, plate, StringComparison.Ordinal))
        {
            throw new ArgumentException("Expected a normalised valid plate.", nameof(plate));
        }

        return Provinces[plate[0]] + "-" + plate[1..];
    }

    /// <summary>The plate a <see cref="ToKeySafe"/> key stands for, or null if it is not such a key.</summary>
    public static string? FromKeySafe(string? key)
    {
        if (key is not { Length: > 3 } || key[2] != '-' || !ProvinceByKey.TryGetValue(key[..2], out var province))
        {
            return null;
        }

        var plate = province + key[3..];
        return TryNormalise(plate, out var normalised, out _) && string.Equals(normalised, plate, StringComparison.Ordinal) ? plate : null;
    }

    private static string? Check(string? input, out string normalised, out PlateKind kind)
    {
        normalised = string.Empty;
        kind = default;
        if (string.IsNullOrEmpty(input) || input.All(c => c == ' '))
        {
            return "vehiclePlate is required.";
        }

        if (input.Length > MaxInputLength)
        {
            return $"vehiclePlate is at most {MaxInputLength} characters long.";
        }

        foreach (var c in input)
        {
            var refused = RefusedCharacter(c);
            if (refused is not null)
            {
                return refused;
            }
        }

        // Compact form, remembering after how many plate characters each separator stood.
        var text = input.Trim(' ');
        var compact = new StringBuilder(8);
        var dots = 0;
        foreach (var c in text)
        {
            if (c is ' ' or MiddleDot)
            {
                var after = compact.Length;
                var allowed = c == ' ' ? after is 1 or 2 : after == 2 && ++dots == 1;
                if (!allowed)
                {
                    return c == ' '
                        ? "vehiclePlate may contain a space only after the province abbreviation or after the issuing-authority letter."
                        : "vehiclePlate may contain one middle dot (·), only after the issuing-authority letter.";
                }

                continue;
            }

            compact.Append(c is >= 'a' and <= 'z' ? char.ToUpperInvariant(c) : c);
        }

        var p = compact.ToString();
        for (var i = 0; i < p.Length; i++)
        {
            if (SpecialPlates.TryGetValue(p[i], out var meaning))
            {
                return $"vehiclePlate '{p}' is a special plate ({p[i]}: {meaning}); only ordinary and new-energy mainland plates can be booked.";
            }
        }

        if (!Provinces.ContainsKey(p[0]))
        {
            return char.IsAsciiLetterOrDigit(p[0])
                ? "vehiclePlate must start with a province abbreviation (e.g. 浙, 粤, 京)."
                : $"vehiclePlate must start with a province abbreviation (e.g. 浙, 粤, 京), not '{p[0]}'.";
        }

        for (var i = 1; i < p.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(p[i]))
            {
                return $"vehiclePlate may contain a Chinese character only first (the province abbreviation); found '{p[i]}' at position {i + 1}.";
            }

            if (p[i] is 'I' or 'O')
            {
                return "vehiclePlate never contains the letters I or O (GA 36-2018); check for 1 and 0.";
            }
        }

        if (p.Length is not (7 or 8))
        {
            return $"vehiclePlate has {p.Length} characters; ordinary plates have 7 and new-energy plates 8.";
        }

        if (!char.IsAsciiLetter(p[1]))
        {
            return "vehiclePlate must have the issuing-authority letter (A-Z) after the province abbreviation.";
        }

        switch (p.Length)
        {
            case 7:
                kind = PlateKind.Ordinary;
                break;
            case 8 when p[2] is 'D' or 'F':
                if (!p[4..].All(char.IsAsciiDigit))
                {
                    return "A small new-energy plate (D or F third) ends in 4 digits, e.g. 粤BD12345 or 沪AFA1234.";
                }

                kind = PlateKind.NewEnergySmall;
                break;
            case 8 when p[7] is 'D' or 'F':
                if (!p[2..7].All(char.IsAsciiDigit))
                {
                    return "A large new-energy plate (D or F last) has 5 digits before it, e.g. 粤B12345D.";
                }

                kind = PlateKind.NewEnergyLarge;
                break;
            default:
                return "An 8-character plate is a new-energy plate: D or F third (small vehicles) or last (large vehicles).";
        }

        normalised = p;
        return null;
    }

    private static string? RefusedCharacter(char c)
    {
        var codePoint = $"U+{(int)c:X4}";
        if (char.IsControl(c))
        {
            return $"vehiclePlate contains a control character ({codePoint}).";
        }

        var category = char.GetUnicodeCategory(c);
        if (category == UnicodeCategory.Format)
        {
            return $"vehiclePlate contains an invisible formatting character ({codePoint}, e.g. a zero-width space); retype the plate.";
        }

        if (char.IsSurrogate(c))
        {
            return "vehiclePlate contains a character outside the Basic Multilingual Plane.";
        }

        if (c is >= '\uFF01' and <= '\uFF5E' or '\u3000')
        {
            return $"vehiclePlate contains a full-width character ({codePoint}); use ASCII letters and digits.";
        }

        if (c != ' ' && char.IsWhiteSpace(c))
        {
            return $"vehiclePlate contains a non-ASCII space ({codePoint}); only an ordinary space may separate its parts.";
        }

        if (c > '\u007F' && (char.IsLetterOrDigit(c) && category is not UnicodeCategory.OtherLetter || char.IsDigit(c)))
        {
            // Cyrillic А, Greek Α, Latin with diacritics, non-ASCII digits: look-alikes are refused, never mapped.
            return $"vehiclePlate contains a non-ASCII letter or digit ({codePoint}, '{c}'); only A-Z and 0-9 are used on plates.";
        }

        if (c > '\u007F' && c != MiddleDot && category is not UnicodeCategory.OtherLetter)
        {
            return $"vehiclePlate contains an unexpected character ({codePoint}, '{c}').";
        }

        if (c <= '\u007F' && !char.IsAsciiLetterOrDigit(c) && c != ' ')
        {
            return $"vehiclePlate contains an unexpected character '{c}'.";
        }

        return null;
    }
}
