using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// The one JSON setting of the HTTP contract: camelCase names matched exactly (case-sensitive), no
/// duplicate properties, strict instants (API.md). Members the contract does not name are ignored.
/// </summary>
public static class HubJson
{
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>For <see cref="JsonDocument"/>: a property repeated in any object is an error.</summary>
    public static readonly JsonDocumentOptions StrictDocument = new() { AllowDuplicateProperties = false };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // The Web defaults match names case-insensitively, and the last of two duplicates wins:
            // {"sellerId":"a","SELLERID":"b"} would bind "b". Only the contract's names bind, once.
            PropertyNameCaseInsensitive = false,
            AllowDuplicateProperties = false,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            NumberHandling = JsonNumberHandling.Strict,
            RespectNullableAnnotations = true,
            // Chinese names and '+' stay readable; the content type is always JSON, never HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new StrictDateTimeOffsetConverter());
        options.Converters.Add(new StrictDateOnlyConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}

/// <summary>A value in a JSON body that parses as JSON but breaks a field rule (answered 422).</summary>
public sealed class JsonFieldException(string code, string message) : JsonException(message)
{
    public string Code { get; } = code;
}

/// <summary>RFC 3339 instants with an explicit offset only: a timestamp without offset is a 422 (API.md).</summary>
public sealed class StrictDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonFieldException("invalid-timestamp", "Expected an RFC 3339 timestamp string with an offset, e.g. 2026-12-01T10:00:00+08:00.");
        }

        var text = reader.GetString()!;
        if (!HasExplicitOffset(text))
        {
            throw new JsonFieldException("timestamp-offset-required", $"'{Truncate(text)}' has no offset; send e.g. 2026-12-01T10:00:00+08:00.");
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) || text.Length < 20 || text[10] is not ('T' or 't'))
        {
            throw new JsonFieldException("invalid-timestamp", $"'{Truncate(text)}' is not an RFC 3339 timestamp.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));

    /// <summary>True when the text ends in <c>Z</c> or <c>±hh:mm</c> after a time part.</summary>
    public static bool HasExplicitOffset(string text)
    {
        var t = text.IndexOfAny(['T', 't']);
        if (t < 0)
        {
            return false;
        }

        var time = text.AsSpan(t + 1);
        if (time.EndsWith("Z") || time.EndsWith("z"))
        {
            return true;
        }

        var sign = time.LastIndexOfAny('+', '-');
        return sign > 0 && time.Length - sign == 6 && time[sign + 3] == ':';
    }

    internal static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>Dates as <c>YYYY-MM-DD</c> only.</summary>
public sealed class StrictDateOnlyConverter : JsonConverter<DateOnly>
{
    public override DateOnly Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String
            && DateOnly.TryParseExact(reader.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        throw new JsonFieldException("invalid-date", "Expected a date as YYYY-MM-DD.");
    }

    public override void Write(Utf8JsonWriter writer, DateOnly value, JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
}
