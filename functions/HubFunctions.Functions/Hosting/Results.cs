using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// JSON responses written with <see cref="HubJson.Options"/> directly, so they behave the same
/// under the Functions host and the DevHost (no MVC formatters involved).
/// </summary>
public sealed class HubJsonResult(int status, object? value, string contentType = "application/json; charset=utf-8") : IActionResult
{
    public int Status { get; } = status;
    public object? Value { get; } = value;

    /// <summary>Optional <c>Location</c> header (201 responses).</summary>
    public string? Location { get; init; }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        response.ContentType = contentType;
        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        await JsonSerializer.SerializeAsync(response.Body, Value, Value?.GetType() ?? typeof(object), HubJson.Options, context.HttpContext.RequestAborted);
    }
}

/// <summary>An RFC 9457 problem response (<c>application/problem+json</c>).</summary>
public sealed class ProblemResult(Problem problem) : IActionResult
{
    public Problem Problem { get; } = problem;

    /// <summary>Extra response headers, e.g. <c>Retry-After</c>.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var problem = Problem with
        {
            Instance = Problem.Instance ?? http.Request.Path.Value,
            CorrelationId = Problem.CorrelationId ?? http.GetCorrelationId(),
        };
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            http.Response.Headers[name] = value;
        }

        return new HubJsonResult(problem.Status, problem, "application/problem+json; charset=utf-8").ExecuteResultAsync(context);
    }

    public static implicit operator ProblemResult(Problem problem) => new(problem);
}

/// <summary>A response replayed byte for byte (idempotency) or kept after rendering.</summary>
public sealed class StoredResult(int status, string? contentType, string? location, byte[] body, bool replayed) : IActionResult
{
    public int Status { get; } = status;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        if (location is not null)
        {
            response.Headers.Location = location;
        }

        if (replayed)
        {
            response.Headers["x-hub-idempotent-replay"] = "true";
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.HttpContext.RequestAborted);
    }
}

public static class HubResults
{
    public static HubJsonResult Ok(object value) => new(StatusCodes.Status200OK, value);

    public static HubJsonResult Created(object value, string? location = null) => new(StatusCodes.Status201Created, value) { Location = location };

    public static HubJsonResult Accepted(object value) => new(StatusCodes.Status202Accepted, value);
}
