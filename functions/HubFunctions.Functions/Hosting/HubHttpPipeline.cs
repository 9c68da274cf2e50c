using System.Security.Cryptography;
using System.Text;
using HubFunctions.Core.Access;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// The one request pipeline every HTTP function runs behind, under the Functions host (through
/// <see cref="HubWorkerMiddleware"/>) and the DevHost alike: correlation id, body limit, Standard
/// Webhooks signature, role, <c>webhook-id</c> idempotency, and problem details for every failure.
/// </summary>
public sealed class HubHttpPipeline(
    IClientDirectory clients,
    TableIdempotencyStore idempotency,
    TimeProvider clock,
    ILogger<HubHttpPipeline> logger)
{
    public const string ClientHeader = "x-hub-client";
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    public async Task<IActionResult> ExecuteAsync(HttpContext http, FunctionDescriptor function, Func<Task<IActionResult?>> invoke)
    {
        var feature = new HubRequestFeature { CorrelationId = CorrelationIdOf(http) };
        http.Features.Set(feature);
        http.Response.Headers[HttpContextExtensions.CorrelationHeader] = feature.CorrelationId;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = feature.CorrelationId, ["Function"] = function.Name });

        try
        {
            if (function.Policy.Public)
            {
                return await InvokeAsync(function, invoke);
            }

            var (caller, body, refused) = await AuthenticateAsync(http.Request, function.Policy.MaxBodyBytes);
            if (refused is not null)
            {
                return refused;
            }

            feature.Body = body;
            http.Request.Body = new MemoryStream(body!, writable: false);
            feature.Caller = caller;
            if (function.Policy.Roles.Count > 0 && !function.Policy.Roles.Contains(caller!.Role))
            {
                return new ProblemResult(Problems.Forbidden(ProblemCodes.ForbiddenRole,
                    $"Role '{caller.Role.ToWire()}' may not call this endpoint; allowed: {string.Join(", ", function.Policy.Roles.Select(r => r.ToWire()))}."));
            }

            return IsMutating(http.Request.Method) && !function.Policy.SideEffectFree
                ? await ExecuteOnceAsync(http, function, caller!, body!, invoke)
                : await InvokeAsync(function, invoke);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (BadHttpRequestException e)
        {
            return new ProblemResult(new Problem(e.StatusCode, e.StatusCode == 413 ? ProblemCodes.PayloadTooLarge : ProblemCodes.BadRequest,
                Problems.TitleFor(e.StatusCode), "The request could not be read."));
        }
        catch (Exception e)
        {
            logger.LogError(e, "Request pipeline failed for {Function}", function.Name);
            return new ProblemResult(Problems.Internal(feature.CorrelationId));
        }
    }

    private async Task<IActionResult> ExecuteOnceAsync(HttpContext http, FunctionDescriptor function, HubCaller caller, byte[] body, Func<Task<IActionResult?>> invoke)
    {
        var messageId = http.Request.Headers[IdHeader].ToString();
        var begin = await idempotency.BeginAsync(caller.ClientId, messageId, Fingerprint(http.Request, body), http.RequestAborted);
        switch (begin)
        {
            case IdempotencyBegin.Replay replay:
                logger.LogInformation("Replayed {MessageId} for {ClientId}", messageId, caller.ClientId);
                return new StoredResult(replay.Response.Status, replay.Response.ContentType, replay.Response.Location, replay.Response.Body, replayed: true);
            case IdempotencyBegin.InProgress:
                return new ProblemResult(Problems.Conflict(ProblemCodes.RequestInProgress,
                    $"Message {messageId} is still being processed; retry shortly."))
                { Headers = new Dictionary<string, string> { ["Retry-After"] = "2" } };
            case IdempotencyBegin.Mismatch:
                return new ProblemResult(Problems.Validation(IdHeader, ProblemCodes.WebhookIdReused,
                    $"webhook-id {messageId} was already used for a different request; each message needs its own id."));
        }

        var lease = ((IdempotencyBegin.Started)begin).Lease;
        IActionResult result;
        try
        {
            // Ids drawn while the function runs derive from (client, webhook-id): a sender's retry
            // after a 5xx draws the same ids and meets whatever the first attempt stored.
            using var operation = Operation.Begin($"{caller.ClientId}/{messageId}");
            result = await InvokeAsync(function, invoke);
        }
        catch
        {
            await idempotency.AbandonAsync(lease, CancellationToken.None);
            throw;
        }

        // The function has run: from here on its outcome is kept whatever happens to the caller's
        // connection, so a retry gets this outcome instead of running the function again.
        var rendered = await RenderAsync(http, result);
        try
        {
            if (rendered.Status >= 500)
            {
                await idempotency.AbandonAsync(lease, CancellationToken.None);
            }
            else
            {
                await idempotency.CompleteAsync(lease, rendered, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The effect is done; answering 500 now would invite a second one. The entry stays
            // pending and answers 409 until it can be taken over.
            logger.LogError(e, "Could not record the outcome of {MessageId} for {ClientId}", messageId, caller.ClientId);
        }

        return new StoredResult(rendered.Status, rendered.ContentType, rendered.Location, rendered.Body, replayed: false);
    }

    private async Task<IActionResult> InvokeAsync(FunctionDescriptor function, Func<Task<IActionResult?>> invoke)
    {
        var result = await invoke();
        return result ?? throw new InvalidOperationException($"HTTP function {function.Name} returned no IActionResult.");
    }

    /// <summary>
    /// In order: declared size (413), headers (401), webhook-id form (400), client (401), then the
    /// body is read (413 past the limit) and the signature checked (401). Nothing unauthenticated
    /// is buffered beyond what a known client id lets through.
    /// </summary>
    private async Task<(HubCaller? Caller, byte[]? Body, ProblemResult? Refused)> AuthenticateAsync(HttpRequest request, long maxBodyBytes)
    {
        var tooLarge = new ProblemResult(new Problem(413, ProblemCodes.PayloadTooLarge, Problems.TitleFor(413),
            $"The body is larger than this endpoint accepts ({maxBodyBytes:N0} bytes)."));
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, null, tooLarge);
        }

        var clientId = request.Headers[ClientHeader].ToString();
        var messageId = request.Headers[IdHeader].ToString();
        var timestamp = request.Headers[TimestampHeader].ToString();
        var signature = request.Headers[SignatureHeader].ToString();
        var missing = new[] { (ClientHeader, clientId), (IdHeader, messageId), (TimestampHeader, timestamp), (SignatureHeader, signature) }
            .Where(h => string.IsNullOrWhiteSpace(h.Item2)).Select(h => h.Item1).ToArray();
        if (missing.Length > 0)
        {
            return (null, null, Problems.Unauthorized(ProblemCodes.MissingSignatureHeaders,
                $"Signed requests need the headers {string.Join(", ", missing)} (Standard Webhooks; see API.md)."));
        }

        if (!IsValidMessageId(messageId))
        {
            return (null, null, Problems.BadRequest(ProblemCodes.InvalidWebhookId,
                "webhook-id must be 1-200 printable ASCII characters without / \\ # ?."));
        }

        var client = await clients.FindAsync(clientId, request.HttpContext.RequestAborted);
        if (client is null)
        {
            logger.LogWarning("Refused request from unknown client {ClientId}", Sanitize(clientId));
            return (null, null, Problems.Unauthorized(ProblemCodes.UnknownClient, "The x-hub-client is not a registered client."));
        }

        var body = await ReadBodyAsync(request, maxBodyBytes);
        if (body is null)
        {
            return (null, null, tooLarge);
        }

        var failure = WebhookSignature.Verify(client.Keys, messageId, timestamp, signature, body, clock.GetUtcNow());
        if (failure == SignatureFailure.None)
        {
            return (client.Caller, body, null);
        }

        logger.LogWarning("Refused signed request from {ClientId}: {Failure}", clientId, failure);
        return (null, null, failure switch
        {
            SignatureFailure.MalformedTimestamp => Problems.Unauthorized(ProblemCodes.InvalidTimestamp, "webhook-timestamp must be Unix seconds."),
            SignatureFailure.TimestampTooOld or SignatureFailure.TimestampInFuture => Problems.Unauthorized(ProblemCodes.TimestampOutOfTolerance,
                "webhook-timestamp is more than 5 minutes from the hub's clock; sign each attempt with the current time."),
            _ => Problems.Unauthorized(ProblemCodes.InvalidSignature,
                "No webhook-signature entry matches: sign {webhook-id}.{webhook-timestamp}.{raw body} with HMAC-SHA256 and the client's secret."),
        });
    }

    /// <summary>The body, or null when it is larger than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>Runs a result against a scratch body to keep its bytes for replay.</summary>
    private static async Task<StoredResponse> RenderAsync(HttpContext http, IActionResult result)
    {
        var original = http.Response.Body;
        var aborted = http.RequestAborted;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        // Rendering into memory must finish even if the caller has gone: the outcome is recorded.
        http.RequestAborted = CancellationToken.None;
        try
        {
            await result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
        }
        finally
        {
            http.Response.Body = original;
            http.RequestAborted = aborted;
        }

        var location = http.Response.Headers.Location.ToString();
        return new StoredResponse(http.Response.StatusCode, http.Response.ContentType, location.Length == 0 ? null : location, buffer.ToArray());
    }

    private static string Fingerprint(HttpRequest request, byte[] body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method.ToUpperInvariant()} {request.Path}{request.QueryString}\n"));
        hash.AppendData(body);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static bool IsMutating(string method)
        => HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    private static bool IsValidMessageId(string id)
        => id.Length is > 0 and <= 200 && id.All(c => c is > ' ' and < (char)127 and not ('/' or '\\' or '#' or '?'));

    private static string CorrelationIdOf(HttpContext http)
    {
        var given = http.Request.Headers[HttpContextExtensions.CorrelationHeader].ToString();
        return given.Length is > 0 and <= 64 && given.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? given
            : Guid.NewGuid().ToString("N");
    }

    private static string Sanitize(string value) => new(value.Take(64).Where(c => !char.IsControl(c)).ToArray());
}
