using System.Text.Json.Serialization;
using HubFunctions.Core.Common;

namespace HubFunctions.Functions.Hosting;

/// <summary>RFC 9457 problem details with the hub's <c>code</c> (API.md, "Errors").</summary>
public sealed record Problem(
    int Status,
    string Code,
    string Title,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FieldError>? Errors = null)
{
    [JsonPropertyOrder(-1)]
    public string Type => "urn:hubfunctions:problem:" + Code;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Instance { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CorrelationId { get; init; }

    /// <summary>Extra members (e.g. <c>splitInto</c> for APT-4), written beside the standard ones.</summary>
    [JsonExtensionData]
    public Dictionary<string, object?>? Extensions { get; init; }
}

/// <summary>The problem codes that are not rule ids.</summary>
public static class ProblemCodes
{
    public const string MissingSignatureHeaders = "missing-signature-headers";
    public const string UnknownClient = "unknown-client";
    public const string InvalidTimestamp = "invalid-webhook-timestamp";
    public const string TimestampOutOfTolerance = "webhook-timestamp-out-of-tolerance";
    public const string InvalidSignature = "invalid-signature";
    public const string InvalidWebhookId = "invalid-webhook-id";
    public const string ForbiddenRole = "forbidden-role";
    public const string Forbidden = "forbidden";
    public const string WebhookIdReused = "webhook-id-reused";
    public const string RequestInProgress = "request-in-progress";
    public const string PayloadTooLarge = "payload-too-large";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string UnsupportedContentEncoding = "unsupported-content-encoding";
    public const string UnsupportedTransferCoding = "unsupported-transfer-coding";
    public const string MissingBody = "missing-body";
    public const string MalformedJson = "malformed-json";
    public const string DuplicateProperty = "duplicate-property";
    public const string ValidationFailed = "validation-failed";
    public const string NotFound = "not-found";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string BadRequest = "bad-request";
    public const string CalendarOutOfRange = "calendar-out-of-range";
    public const string StorageUnavailable = "storage-unavailable";
    public const string InternalError = "internal-error";
}

public static class Problems
{
    public static Problem Unauthorized(string code, string detail) => new(401, code, "Unauthorized", detail);

    public static Problem Forbidden(string code, string detail) => new(403, code, "Forbidden", detail);

    public static Problem NotFound(string detail) => new(404, ProblemCodes.NotFound, "Not Found", detail);

    public static Problem BadRequest(string code, string detail) => new(400, code, "Bad Request", detail);

    public static Problem Validation(IReadOnlyList<FieldError> errors, string? code = null)
        => new(422, code ?? (errors.Count == 1 ? errors[0].Code : ProblemCodes.ValidationFailed), "Unprocessable Content",
            errors.Count == 1 ? errors[0].Message : $"{errors.Count} fields failed validation.", errors);

    public static Problem Validation(string field, string code, string message) => Validation([new FieldError(field, code, message)]);

    public static Problem Conflict(string code, string detail) => new(409, code, "Conflict", detail);

    public static Problem Internal(string? correlationId) => new(500, ProblemCodes.InternalError, "Internal Server Error",
        "The request failed on our side. Quote the correlation id when you report it.")
    { CorrelationId = correlationId };

    /// <summary>A standard title for a status code, for problems made from bare status codes.</summary>
    public static string TitleFor(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => status >= 500 ? "Server Error" : "Client Error",
    };
}
