using System.Buffers;
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
using Microsoft.AspNetCore.WebUtilities;
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
    IEnumerable<IDerivedReplay> derivedReplays,
    ILogger<HubHttpPipeline> logger)
{
    private readonly Dictionary<string, IDerivedReplay> _derivedReplays = derivedReplays.ToDictionary(r => r.Function, StringComparer.OrdinalIgnoreCase);

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
            if (UnsupportedContent(http.Request) is { } unsupported)
            {
                return unsupported;
            }

            if (function.Policy.Public)
            {
                return await InvokeAsync(function, invoke);
            }

            var (caller, body, refused) = await AuthenticateAsync(http.Request, function.Policy);
            if (refused is not null)
            {
                return refused;
            }

            feature.Body = body!.Bytes;
            http.Request.Body = body.Content;
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

    private async Task<IActionResult> ExecuteOnceAsync(HttpContext http, FunctionDescriptor function, HubCaller caller, ReadBody body, Func<Task<IActionResult?>> invoke)
    {
        var messageId = http.Request.Headers[IdHeader].ToString();
        var operationKey = $"{caller.ClientId}/{messageId}";
        var derivedReplay = _derivedReplays.GetValueOrDefault(function.Name);
        var begin = await idempotency.BeginAsync(caller.ClientId, messageId, body.Fingerprint,
            derivedReplay is null ? null : ct => DeriveAsync(http, function, derivedReplay, new DerivedReplayRequest(operationKey, body.Bytes ?? [],
                DerivedReplayRoutes.Match(function.Http?.Route ?? "", http.Request.Path), caller), ct),
            http.RequestAborted);
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

        // Ids and commit stamps derive from the message: a retry of a message whose first attempt
        // ended in doubt derives the same keys and finds that attempt's change (TableOutbox).
        using var operation = HubOperation.Begin(operationKey);
        try
        {
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
            else if (derivedReplay is not null && http.Features.Get<HubRequestFeature>()?.AnswerDerivable == true && rendered.Status < 300)
            {
                // Rendered again from the rows this request wrote if it is retried (IDerivedReplay): the entry stays pending.
            }
            else
            {
                await idempotency.CompleteAsync(lease, ReplayRedaction.Redact(rendered, function.Policy.RedactOnReplay), CancellationToken.None);
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

    /// <summary>A retry's answer rendered from the rows its first attempt wrote, as it would be kept for replay; null: none.</summary>
    private static async Task<StoredResponse?> DeriveAsync(HttpContext http, FunctionDescriptor function, IDerivedReplay replay, DerivedReplayRequest request, CancellationToken cancellationToken)
    {
        var result = await replay.ReplayAsync(request, cancellationToken);
        return result is null ? null : ReplayRedaction.Redact(await RenderAsync(http, result), function.Policy.RedactOnReplay);
    }

    private async Task<IActionResult> InvokeAsync(FunctionDescriptor function, Func<Task<IActionResult?>> invoke)
    {
        var result = await invoke();
        return result ?? throw new InvalidOperationException($"HTTP function {function.Name} returned no IActionResult.");
    }

    /// <summary>
    /// Refuses, before any byte of the body is read, what the app would otherwise misread: a
    /// content coding (415, with <c>Accept-Encoding: identity</c>, RFC 9110 §8.4.1/§15.5.16), a
    /// transfer coding other than a single <c>chunked</c> (501, RFC 9112 §6.1), and a JSON body
    /// declared in a charset other than UTF-8 (415).
    /// </summary>
    /// <remarks>
    /// Kestrel itself answers 400 when the last transfer coding is not <c>chunked</c>
    /// (<c>Transfer-Encoding: gzip</c>); it de-chunks <c>gzip, chunked</c> and hands the app a body
    /// that is still gzip, with the header as sent, so the app can answer that one, and does with
    /// 501: the server does not implement the coding (RFC 9112 says 501 for a transfer coding it
    /// does not understand).
    /// </remarks>
    private static ProblemResult? UnsupportedContent(HttpRequest request)
    {
        var contentEncoding = request.Headers.ContentEncoding;
        if (contentEncoding.Count > 0 && Codings(contentEncoding).Any(c => !c.Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            return new ProblemResult(new Problem(415, ProblemCodes.UnsupportedContentEncoding, Problems.TitleFor(415),
                "Content-Encoding is not supported: send the body uncompressed (identity)."))
            { Headers = new Dictionary<string, string> { ["Accept-Encoding"] = "identity" } };
        }

        var transferEncoding = request.Headers.TransferEncoding;
        if (transferEncoding.Count > 0 && Codings(transferEncoding) is var codings
            && !(codings.Count == 1 && codings[0].Equals("chunked", StringComparison.OrdinalIgnoreCase)))
        {
            return new ProblemResult(new Problem(501, ProblemCodes.UnsupportedTransferCoding, Problems.TitleFor(501),
                "Only Transfer-Encoding: chunked is supported; send the body without other transfer codings."));
        }

        if (HttpContextExtensions.IsJson(request.ContentType) && !HttpContextExtensions.IsUtf8OrNoCharset(request.ContentType))
        {
            return new ProblemResult(new Problem(415, ProblemCodes.UnsupportedMediaType, Problems.TitleFor(415),
                "JSON bodies must be UTF-8: send charset=utf-8 or no charset."));
        }

        return null;
    }

    private static List<string> Codings(Microsoft.Extensions.Primitives.StringValues header)
        => [.. header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];

    /// <summary>
    /// In order: declared size (413), headers (401), webhook-id form (400), client (401), then the
    /// body is read (413 past the limit) and the signature checked (401). Nothing unauthenticated
    /// is buffered beyond what a known client id lets through.
    /// </summary>
    private async Task<(HubCaller? Caller, ReadBody? Body, ProblemResult? Refused)> AuthenticateAsync(HttpRequest request, EndpointPolicy policy)
    {
        var maxBodyBytes = policy.MaxBodyBytes;
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

        // The signature and the idempotency fingerprint are computed while the body is read, so a
        // streamed body is read once and never held whole in memory.
        var macs = client.Keys.Select(k => WebhookSignature.BeginMac(k, messageId, timestamp)).ToList();
        using var fingerprint = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        fingerprint.AppendData(Encoding.UTF8.GetBytes($"{request.Method.ToUpperInvariant()} {request.Path}{request.QueryString}\n"));
        ReadBody? body;
        try
        {
            body = await ReadBodyAsync(request, maxBodyBytes, policy.StreamedBody, [.. macs, fingerprint]);
        }
        finally
        {
            macs.ForEach(m => m.Dispose());
        }

        if (body is null)
        {
            return (null, null, tooLarge);
        }

        body = body with { Fingerprint = Convert.ToHexString(fingerprint.GetHashAndReset()) };
        var failure = WebhookSignature.VerifyMacs(body.Macs, timestamp, signature, clock.GetUtcNow());
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

    /// <summary>A body as read: its bytes (null when streamed), the stream the function reads, the MACs and the fingerprint.</summary>
    private sealed record ReadBody(byte[]? Bytes, Stream Content, IReadOnlyList<byte[]> Macs, string Fingerprint);

    /// <summary>
    /// Reads the body once, feeding each of <paramref name="hashes"/>; the first of them (all but the
    /// last) are the signature MACs, whose results are returned. Null when it is larger than
    /// <paramref name="limit"/>. A streamed body is spooled by <see cref="FileBufferingReadStream"/>
    /// (64 KiB in memory, the rest in a temporary file deleted with the response) and rewound.
    /// </summary>
    private static async Task<ReadBody?> ReadBodyAsync(HttpRequest request, long limit, bool streamed, IReadOnlyList<IncrementalHash> hashes)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        Stream target;
        Stream source = request.Body;
        if (streamed)
        {
            var spool = new FileBufferingReadStream(request.Body, StreamedMemoryThreshold, bufferLimit: null, Path.GetTempPath);
            request.HttpContext.Response.RegisterForDisposeAsync(spool);
            source = target = spool;
        }
        else
        {
            target = new MemoryStream();
        }

        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return null;
                }

                foreach (var hash in hashes)
                {
                    hash.AppendData(chunk, 0, read);
                }

                if (!streamed)
                {
                    target.Write(chunk, 0, read);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var macs = hashes.Take(hashes.Count - 1).Select(h => h.GetHashAndReset()).ToList();
        if (streamed)
        {
            target.Seek(0, SeekOrigin.Begin);
            return new ReadBody(null, target, macs, "");
        }

        var bytes = ((MemoryStream)target).ToArray();
        return new ReadBody(bytes, new MemoryStream(bytes, writable: false), macs, "");
    }

    /// <summary>How much of a streamed body is kept in memory before it spills to a temporary file.</summary>
    public const int StreamedMemoryThreshold = 64 * 1024;

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
