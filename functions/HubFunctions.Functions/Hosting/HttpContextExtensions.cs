using System.Text.Json;
using HubFunctions.Core.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace HubFunctions.Functions.Hosting;

/// <summary>What the request pipeline learned about a request, for the function that handles it.</summary>
public sealed class HubRequestFeature
{
    public required string CorrelationId { get; init; }
    public HubCaller? Caller { get; set; }
    public byte[]? Body { get; set; }

    /// <summary>Set by the function: its answer can be rendered again from the rows it wrote (<see cref="IDerivedReplay"/>).</summary>
    public bool AnswerDerivable { get; set; }
}

/// <summary>A JSON body read for a function: the value, or the problem to answer with.</summary>
public readonly record struct JsonBody<T>(T? Value, ProblemResult? Problem)
    where T : class;

public static class HttpContextExtensions
{
    public const string CorrelationHeader = "x-correlation-id";

    public static string? GetCorrelationId(this HttpContext http) => http.Features.Get<HubRequestFeature>()?.CorrelationId;

    /// <summary>
    /// Tells the pipeline that the answer about to be returned can be rendered again from insert-only rows this request wrote,
    /// by the function's <see cref="IDerivedReplay"/>: its outcome is then not recorded under the webhook-id. Only for an answer
    /// that replay renders identically (the same code over the same rows); anything else is recorded as always.
    /// </summary>
    public static void MarkAnswerDerivable(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpContext.Features.Get<HubRequestFeature>() is { } feature)
        {
            feature.AnswerDerivable = true;
        }
    }

    /// <summary>The authenticated caller. Signed endpoints always have one.</summary>
    public static HubCaller GetCaller(this HttpRequest request)
        => request.HttpContext.Features.Get<HubRequestFeature>()?.Caller
           ?? throw new InvalidOperationException("No authenticated caller: the function is public or the pipeline did not run.");

    /// <summary>
    /// Reads and validates a JSON body: 415 for another content type, 400 for a missing or
    /// malformed body, 422 naming the field for a value of the wrong type or form.
    /// </summary>
    public static async Task<JsonBody<T>> ReadJsonAsync<T>(this HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (!IsJson(request.ContentType) || !IsUtf8OrNoCharset(request.ContentType))
        {
            return new(null, new ProblemResult(new Problem(415, ProblemCodes.UnsupportedMediaType, Problems.TitleFor(415),
                $"Send the body as application/json in UTF-8 (got '{request.ContentType ?? "no content type"}').")));
        }

        var body = request.HttpContext.Features.Get<HubRequestFeature>()?.Body;
        if (body is null)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }

        if (body.Length == 0)
        {
            return new(null, Problems.BadRequest(ProblemCodes.MissingBody, "The request has no body; a JSON object is expected."));
        }

        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return new(null, Problems.BadRequest(ProblemCodes.MalformedJson,
                $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})."));
        }

        // Valid JSON; System.Text.Json's own check (AllowDuplicateProperties = false) finds a
        // repeated property anywhere, also in members the contract ignores. Its exception names no
        // path, so the field is located afterwards for the answer.
        try
        {
            using var _ = JsonDocument.Parse(body, HubJson.StrictDocument);
        }
        catch (JsonException)
        {
            var field = DuplicatePath(body) ?? "$";
            return new(null, Problems.Validation(field, ProblemCodes.DuplicateProperty,
                $"'{field}' appears more than once in its object; send each property once."));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body, HubJson.Options);
            return value is null
                ? new(null, Problems.Validation("$", "object-required", "The body must be a JSON object."))
                : new(value, null);
        }
        catch (JsonFieldException e)
        {
            return new(null, Problems.Validation(FieldName(e.Path), e.Code, e.Message.Split(" Path:")[0]));
        }
        catch (JsonException e)
        {
            var field = FieldName(e.Path);
            return new(null, Problems.Validation(field, "invalid-value", $"'{field}' has a value of the wrong type or form."));
        }
    }

    /// <summary>Where the first repeated property is (<c>items[1].sku</c>), for a body known to have one.</summary>
    private static string? DuplicatePath(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        return Find(document.RootElement, "");

        static string? Find(JsonElement element, string path)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                        if (!seen.Add(property.Name))
                        {
                            return at;
                        }

                        if (Find(property.Value, at) is { } inner)
                        {
                            return inner;
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    var index = 0;
                    foreach (var item in element.EnumerateArray())
                    {
                        if (Find(item, $"{path}[{index++}]") is { } inner)
                        {
                            return inner;
                        }
                    }

                    return null;
                default:
                    return null;
            }
        }
    }

    /// <summary><c>$.items[0].sku</c> → <c>items[0].sku</c>.</summary>
    private static string FieldName(string? path)
        => string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>True without a charset parameter or with <c>charset=utf-8</c> (any case, quoted or not).</summary>
    internal static bool IsUtf8OrNoCharset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return true;
        }

        var charset = media.Parameters.FirstOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase));
        return charset is null || HeaderUtilities.RemoveQuotes(charset.Value).Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    internal static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
        {
            return false;
        }

        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
