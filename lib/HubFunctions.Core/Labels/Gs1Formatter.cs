using System.Text;

namespace HubFunctions.Core.Labels;

/// <summary>
/// Builds the three label forms of LBL-1 from element values: bracketed, raw element string and
/// GS1 Digital Link URI. It writes what it is given (it does not validate values, so tests can
/// build faulty labels too); whatever it builds from valid values, <see cref="Gs1Parser"/> reads
/// back to the same values.
/// </summary>
public static class Gs1Formatter
{
    /// <summary>The canonical GS1 resolver stem.</summary>
    public const string DefaultStem = "https://id.gs1.org";

    /// <summary>The hub's five elements in the usual order: (01) (10) (11) (17) (21).</summary>
    public static IReadOnlyList<Gs1Element> HubLabel(string gtin, string batch, string productionYymmdd, string expiryYymmdd, string serial) =>
    [
        new(Gs1ApplicationIdentifiers.Gtin, gtin),
        new(Gs1ApplicationIdentifiers.Batch, batch),
        new(Gs1ApplicationIdentifiers.ProductionDate, productionYymmdd),
        new(Gs1ApplicationIdentifiers.ExpiryDate, expiryYymmdd),
        new(Gs1ApplicationIdentifiers.Serial, serial),
    ];

    /// <summary>The hub's five elements, dates written as YYMMDD.</summary>
    public static IReadOnlyList<Gs1Element> HubLabel(string gtin, string batch, DateOnly production, DateOnly expiry, string serial) =>
        HubLabel(gtin, batch, Gs1Date.Format(production), Gs1Date.Format(expiry), serial);

    /// <summary><c>(01)09506000134352(10)ABC123...</c>; a '(' inside a value is written <c>\(</c>.</summary>
    /// <exception cref="ArgumentException">An AI is unknown.</exception>
    public static string ToBracketed(IEnumerable<Gs1Element> elements)
    {
        var builder = new StringBuilder();
        foreach (var element in elements)
        {
            Definition(element);
            builder.Append('(').Append(element.Ai).Append(')').Append(element.Value.Replace("(", "\\(", StringComparison.Ordinal));
        }

        return builder.ToString();
    }

    /// <summary>
    /// The raw element string: a GS (FNC1) after every value of an AI without predefined length,
    /// except the last; elements stay in the given order.
    /// </summary>
    /// <param name="elements">The elements.</param>
    /// <param name="symbologyIdentifier">Null, or one of <see cref="Gs1SymbologyIdentifiers.ElementString"/> to put in front.</param>
    /// <param name="leadingSeparator">Also put a GS first (FNC1 in first position, as some readers transmit it).</param>
    /// <exception cref="ArgumentException">An AI is unknown, or the symbology identifier is not a GS1 one.</exception>
    public static string ToElementString(IEnumerable<Gs1Element> elements, string? symbologyIdentifier = null, bool leadingSeparator = false)
    {
        if (symbologyIdentifier is not null && !Gs1SymbologyIdentifiers.IsElementString(symbologyIdentifier))
        {
            throw new ArgumentException($"'{symbologyIdentifier}' is not a GS1 element-string symbology identifier.", nameof(symbologyIdentifier));
        }

        var builder = new StringBuilder(symbologyIdentifier);
        if (leadingSeparator)
        {
            builder.Append(Gs1CharacterSet.GroupSeparator);
        }

        var separatorDue = false;
        foreach (var element in elements)
        {
            if (separatorDue)
            {
                builder.Append(Gs1CharacterSet.GroupSeparator);
            }

            builder.Append(element.Ai).Append(element.Value);
            separatorDue = !Definition(element).PredefinedLength;
        }

        return builder.ToString();
    }

    /// <summary>
    /// The GS1 Digital Link URI: <c>{stem}/01/{gtin}</c>, then /22, /10, /21 when present (in that
    /// order), then every other element as a query attribute in the given order. Values are
    /// percent-encoded except the RFC 3986 unreserved characters.
    /// </summary>
    /// <exception cref="ArgumentException">No (01), a path key given twice, an unknown AI, or a stem that is not http(s).</exception>
    public static string ToDigitalLink(IEnumerable<Gs1Element> elements, string stem = DefaultStem)
    {
        if (!Gs1Parser.IsHttpUri(stem))
        {
            throw new ArgumentException("The stem must be an http or https URI.", nameof(stem));
        }

        string[] pathAis = [Gs1ApplicationIdentifiers.Gtin, Gs1ApplicationIdentifiers.ConsumerProductVariant, Gs1ApplicationIdentifiers.Batch, Gs1ApplicationIdentifiers.Serial];
        var pathValues = new string?[pathAis.Length];
        var query = new List<Gs1Element>();
        foreach (var element in elements)
        {
            Definition(element);
            var index = Array.IndexOf(pathAis, element.Ai);
            if (index < 0)
            {
                query.Add(element);
            }
            else if (pathValues[index] is not null)
            {
                throw new ArgumentException($"AI ({element.Ai}) is given twice; a Digital Link path holds it once.", nameof(elements));
            }
            else
            {
                pathValues[index] = element.Value;
            }
        }

        if (pathValues[0] is null)
        {
            throw new ArgumentException("A Digital Link needs AI (01).", nameof(elements));
        }

        var builder = new StringBuilder(stem.TrimEnd('/'));
        for (var i = 0; i < pathAis.Length; i++)
        {
            if (pathValues[i] is { } value)
            {
                builder.Append('/').Append(pathAis[i]).Append('/').Append(Uri.EscapeDataString(value));
            }
        }

        for (var i = 0; i < query.Count; i++)
        {
            builder.Append(i == 0 ? '?' : '&').Append(query[i].Ai).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }

        return builder.ToString();
    }

    private static Gs1AiDefinition Definition(Gs1Element element) =>
        Gs1ApplicationIdentifiers.TryGet(element.Ai, out var definition)
            ? definition
            : throw new ArgumentException($"AI ({element.Ai}) is not a known AI.", nameof(element));
}
