using System.Buffers;
using System.Text;

namespace HubFunctions.Core.Labels;

/// <summary>
/// Reads a GS1 Digital Link URI (LBL-1), uncompressed form, e.g.
/// <c>https://id.example.com/01/09506000134352/10/ABC123/21/SN0001?11=240229&amp;17=261231</c>.
/// </summary>
/// <remarks>
/// As in the GS1 Digital Link standard and the GS1 Barcode Syntax Engine:
/// <list type="bullet">
/// <item>Scheme http or https; any host; any path prefix before the key.</item>
/// <item>The path is read from its end in /AI/value pairs back to the primary key <c>/01/{gtin}</c>;
/// after it only the key qualifiers 22, 10, 21 may follow, in that order, each optional.</item>
/// <item>A GTIN-8, -12 or -13 in the path is padded with leading zeros to 14 digits.</item>
/// <item>Other AIs are query attributes <c>?17=261231</c>; parameters whose name is not all digits
/// (e.g. <c>linkType</c>) are ignored; a numeric name that is not a known AI is <c>unknown-ai</c>;
/// 01, 22, 10 and 21 belong in the path and are rejected in the query.</item>
/// <item>Values are percent-decoded (a malformed <c>%</c> escape is an error); <c>+</c> means a space
/// in the query (which no AI value may hold) and is literal in the path. A fragment is ignored.</item>
/// </list>
/// Compressed Digital Link URIs are not supported: they fail with <c>invalid-digital-link</c>.
/// </remarks>
internal static class DigitalLinkParser
{
    private static readonly SearchValues<char> UriCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%");

    private static readonly SearchValues<char> BadHostCharacters = SearchValues.Create("_~?#@!$&'()*+,;=%");

    private static readonly string[] Qualifiers = [Gs1ApplicationIdentifiers.ConsumerProductVariant, Gs1ApplicationIdentifiers.Batch, Gs1ApplicationIdentifiers.Serial];

    private const string PathShape = "the path must end in /01/{gtin}, optionally followed by /22/{variant}, /10/{batch} and /21/{serial} in that order";

    public static void Parse(ReadOnlySpan<char> uri, int offset, Gs1ParseSink sink)
    {
        var bad = uri.IndexOfAnyExcept(UriCharacters);
        if (bad >= 0)
        {
            sink.Fail(
                LabelErrorCodes.InvalidCharacter,
                $"Character {offset + bad + 1} ({Gs1CharacterSet.Describe(uri[bad])}) is not allowed in a URI; percent-encode it.");
            return;
        }

        var rest = uri[(uri[4] == 's' || uri[4] == 'S' ? 8 : 7)..];
        var slash = rest.IndexOf('/');
        if (slash <= 0)
        {
            sink.Fail(LabelErrorCodes.InvalidDigitalLink, $"A Digital Link needs a host and a path: {PathShape}.");
            return;
        }

        if (rest[..slash].ContainsAny(BadHostCharacters))
        {
            sink.Fail(LabelErrorCodes.InvalidDigitalLink, "The host name of the Digital Link contains characters a host name cannot hold.");
            return;
        }

        var afterHost = rest[slash..];
        var fragment = afterHost.IndexOf('#');
        if (fragment >= 0)
        {
            afterHost = afterHost[..fragment];
        }

        var question = afterHost.IndexOf('?');
        var path = question >= 0 ? afterHost[..question] : afterHost;
        var query = question >= 0 ? afterHost[(question + 1)..] : [];

        if (!ReadPath(path.ToString(), sink))
        {
            return;
        }

        ReadQuery(query, sink);
    }

    private static bool ReadPath(string path, Gs1ParseSink sink)
    {
        var segments = path.Split('/');
        var count = segments.Length;
        if (count > 1 && segments[^1].Length == 0)
        {
            count--; // one trailing slash
        }

        // Walk back over /AI/value pairs of known AIs until the primary key (01).
        var root = -1;
        for (var i = count - 2; i >= 1; i -= 2)
        {
            if (!Gs1ApplicationIdentifiers.TryGet(segments[i], out var definition))
            {
                break;
            }

            if (definition.Ai == Gs1ApplicationIdentifiers.Gtin)
            {
                root = i;
                break;
            }
        }

        if (root < 0)
        {
            sink.Fail(LabelErrorCodes.InvalidDigitalLink, $"No GS1 key found in the URI path: {PathShape}.");
            return false;
        }

        var next = 0;
        for (var i = root + 2; i < count; i += 2)
        {
            var position = Array.IndexOf(Qualifiers, segments[i], next);
            if (position < 0)
            {
                sink.Fail(
                    LabelErrorCodes.InvalidDigitalLink,
                    $"AI ({segments[i]}) cannot stand there in the path: {PathShape}; other AIs go in the query string, e.g. ?17=261231.",
                    segments[i]);
                return false;
            }

            next = position + 1;
        }

        for (var i = root; i < count; i += 2)
        {
            var ai = segments[i];
            if (!TryDecode(segments[i + 1], query: false, out var value))
            {
                sink.Fail(LabelErrorCodes.InvalidDigitalLink, $"The value of AI ({ai}) in the path has a malformed percent escape.", ai);
                return false;
            }

            if (ai == Gs1ApplicationIdentifiers.Gtin && value.Length is 8 or 12 or 13 && Gs1CharacterSet.IndexOfNonDigit(value) < 0)
            {
                value = value.PadLeft(14, '0');
            }

            sink.Add(Gs1ApplicationIdentifiers.TryGet(ai, out var definition) ? definition.Ai : ai, value);
        }

        return true;
    }

    private static void ReadQuery(ReadOnlySpan<char> query, Gs1ParseSink sink)
    {
        foreach (var range in query.Split('&'))
        {
            var parameter = query[range];
            var equals = parameter.IndexOf('=');
            var name = equals < 0 ? parameter : parameter[..equals];
            var raw = equals < 0 ? [] : parameter[(equals + 1)..];
            if (name.IsEmpty || Gs1CharacterSet.IndexOfNonDigit(name) >= 0)
            {
                continue; // not an AI: e.g. linkType, utm_source
            }

            if (!Gs1ApplicationIdentifiers.TryGet(name, out var definition))
            {
                var shown = name.Length > 8 ? name[..8].ToString() + "..." : name.ToString();
                sink.Error(LabelErrorCodes.UnknownAi, $"AI ({shown}) in the query string is not a known AI.", shown);
                continue;
            }

            if (definition.Ai is Gs1ApplicationIdentifiers.Gtin or Gs1ApplicationIdentifiers.ConsumerProductVariant
                or Gs1ApplicationIdentifiers.Batch or Gs1ApplicationIdentifiers.Serial)
            {
                sink.Error(
                    LabelErrorCodes.InvalidDigitalLink,
                    $"AI ({definition.Ai}) is a key or key qualifier: it belongs in the URI path, not the query string.",
                    definition.Ai);
                continue;
            }

            if (!TryDecode(raw, query: true, out var value))
            {
                sink.Error(LabelErrorCodes.InvalidDigitalLink, $"The value of AI ({definition.Ai}) in the query string has a malformed percent escape.", definition.Ai);
                continue;
            }

            sink.Add(definition.Ai, value);
        }
    }

    /// <summary>
    /// Percent-decodes one path segment or query value. Each <c>%XY</c> becomes the character with
    /// code XY (bytes of 0x80 and above become non-ASCII characters, which no AI value accepts).
    /// </summary>
    private static bool TryDecode(ReadOnlySpan<char> raw, bool query, out string value)
    {
        if (raw.IndexOfAny('%', '+') < 0)
        {
            value = raw.ToString();
            return true;
        }

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '%')
            {
                if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
                {
                    value = string.Empty;
                    return false;
                }

                builder.Append((char)(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2])));
                i += 2;
            }
            else
            {
                builder.Append(query && c == '+' ? ' ' : c);
            }
        }

        value = builder.ToString();
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
