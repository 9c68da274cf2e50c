using System.Text;
using System.Text.Json;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.DevHost;

public static class DevHostEndpoints
{
    private static readonly string[] AllMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    /// <summary>Maps every active HTTP function under the route prefix, behind the shared pipeline.</summary>
    public static void MapFunctions(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<HostSettings>();
        var prefix = settings.RoutePrefix.Trim('/');
        foreach (var function in app.Services.GetRequiredService<ActiveFunctions>().All.Where(f => f.Trigger == TriggerKind.Http))
        {
            var route = "/" + string.Join('/', new[] { prefix, function.Http!.Route.Trim('/') }.Where(s => s.Length > 0));
            var methods = function.Http.Methods.Count == 0 ? AllMethods : function.Http.Methods.Select(m => m.ToUpperInvariant()).ToArray();
            app.MapMethods(route, methods, async (HttpContext http, HubHttpPipeline pipeline, FunctionInvoker invoker) =>
            {
                var result = await pipeline.ExecuteAsync(http, function, async () => await invoker.InvokeHttpAsync(function, http) as IActionResult);
                await result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
            }).WithDisplayName(function.Name);
        }
    }

    /// <summary>
    /// The admin API of the Functions host: <c>GET /admin/functions</c> lists every function with its
    /// trigger; <c>POST /admin/functions/{name}</c> with <c>{ "input": "..." }</c> runs a queue or timer
    /// function now (the input is the queue message text). A body that is not a JSON object with a
    /// string <c>input</c> is 400; a run that fails is a 500 problem with a correlation id, the
    /// details only in the log.
    /// </summary>
    public static void MapAdmin(this WebApplication app)
    {
        // The Functions host guards its admin API with the master key; this local stand-in answers
        // only callers on this machine.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/admin"), admin => admin.Use(async (http, next) =>
        {
            var remote = http.Connection.RemoteIpAddress;
            if (remote is not null && !System.Net.IPAddress.IsLoopback(remote))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await new ProblemResult(new Problem(403, ProblemCodes.Forbidden, Problems.TitleFor(403), "The DevHost admin API answers local callers only."))
                    .ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
                return;
            }

            await next(http);
        }));

        // Local only: the simulated tax authority over HTTP, for Hub:TaxAuthority:Mode=http with
        // BaseUrl http://localhost:7071/admin/tax-authority/ (steer it with PUT /admin/tax-authority/behaviour).
        app.Services.GetRequiredService<SimulatedTaxAuthority>().MapWithControl(app, "/admin/tax-authority");

        app.MapGet("/admin/functions", (ActiveFunctions functions, HostSettings settings, IConfiguration configuration) => Results.Json(functions.All.Select(f => new
        {
            name = f.Name,
            entryPoint = f.EntryPoint,
            trigger = f.TriggerType,
            route = f.Http is null ? null : $"{settings.RoutePrefix}/{f.Http.Route}",
            methods = f.Http?.Methods,
            queueName = f.Queue is null ? null : SettingExpressions.Resolve(f.Queue.QueueName, configuration),
            schedule = f.Timer?.Schedule,
        }), HubJson.Options));

        // Local only: a look at the event sink (the queue hub-events) without removing anything.
        app.MapGet("/admin/events", async (EventSinkQueue sink, CancellationToken cancellationToken) =>
        {
            var queue = await sink.QueueAsync(cancellationToken);
            var peeked = await queue.PeekMessagesAsync(32, cancellationToken);
            return Results.Json(peeked.Value.Select(m => JsonDocument.Parse(m.Body.ToMemory()).RootElement), HubJson.Options);
        });

        app.MapPost("/admin/functions/{name}", async (string name, HttpContext http, ActiveFunctions functions, FunctionInvoker invoker, TimeProvider clock, ILoggerFactory logs) =>
        {
            var function = functions.Find(name);
            if (function is null)
            {
                return Problem(404, ProblemCodes.NotFound, $"No function named '{name}'.");
            }

            if (function.Trigger == TriggerKind.Http)
            {
                return Problem(400, ProblemCodes.BadRequest, $"{function.Name} is an HTTP function; call its route instead.");
            }

            string? input = null;
            if (http.Request.ContentLength is > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                JsonDocument doc;
                try
                {
                    doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                }
                catch (JsonException)
                {
                    return Problem(400, ProblemCodes.MalformedJson, "Send { \"input\": \"...\" } as JSON.");
                }

                using (doc)
                {
                    if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    {
                        return Problem(400, ProblemCodes.BadRequest, "The body must be a JSON object: { \"input\": \"...\" }.");
                    }

                    if (doc.RootElement.TryGetProperty("input", out var i))
                    {
                        if (i.ValueKind != JsonValueKind.String)
                        {
                            return Problem(400, ProblemCodes.BadRequest, "\"input\" must be a string (the queue message text).");
                        }

                        input = i.GetString();
                    }
                }
            }

            try
            {
                if (function.Trigger == TriggerKind.Queue)
                {
                    await invoker.InvokeQueueAsync(function, http.RequestServices, Encoding.UTF8.GetBytes(input ?? ""), null, http.RequestAborted);
                }
                else
                {
                    var now = clock.GetUtcNow().UtcDateTime;
                    await invoker.InvokeTimerAsync(function, http.RequestServices, new TimerInfo
                    {
                        IsPastDue = false,
                        ScheduleStatus = new ScheduleStatus { Last = default, Next = TimerTriggerService.ParseSchedule(function.Timer!.Schedule, http.RequestServices.GetRequiredService<IConfiguration>()).GetNextOccurrence(now), LastUpdated = now },
                    }, http.RequestAborted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
            {
                // The caller learns that the run failed and how to find it in the log; the exception
                // (type, message, stack, storage details) goes to the log only.
                var correlationId = Guid.NewGuid().ToString("N");
                logs.CreateLogger("DevHost.Admin").LogError(e, "Admin run of {Function} failed; correlation id {CorrelationId}", function.Name, correlationId);
                http.Response.Headers[HttpContextExtensions.CorrelationHeader] = correlationId;
                return Results.Json(Problems.Internal(correlationId), HubJson.Options, "application/problem+json", StatusCodes.Status500InternalServerError);
            }

            return Results.Json(new { name = function.Name, status = "succeeded" }, HubJson.Options, statusCode: StatusCodes.Status202Accepted);
        });
    }

    private static IResult Problem(int status, string code, string detail)
        => Results.Json(new Problem(status, code, Problems.TitleFor(status), detail), HubJson.Options, "application/problem+json", status);

    /// <summary>
    /// Any error response with no body that passes through the app (unknown route, wrong method, a
    /// body Kestrel refuses while the app reads it: bad chunk framing, past Kestrel's size limit)
    /// gets a problem+json body; an exception outside the pipeline becomes a bare 500 problem.
    /// </summary>
    /// <remarks>
    /// Requests Kestrel refuses while it parses the request line and headers never reach this
    /// middleware: a malformed or repeated <c>Content-Length</c>, a NUL or other control character
    /// in a header, <c>%00</c> in the path (400), a request line too long (414), headers too large
    /// (431), a final transfer coding other than chunked (400). Kestrel writes those answers itself
    /// with an empty body and offers no hook to add one, so they stay bodiless
    /// (<c>KestrelTests</c> checks this on a real socket; the README lists them).
    /// </remarks>
    public static void UseProblemResponses(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (BadHttpRequestException e) when (!http.Response.HasStarted)
            {
                http.Response.StatusCode = e.StatusCode;
            }
            catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
            {
                app.Logger.LogError(e, "Unhandled error on {Path}", http.Request.Path.Value);
                http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            }

            if (http.Response.StatusCode >= 400 && !http.Response.HasStarted && http.Response.ContentLength is null && string.IsNullOrEmpty(http.Response.ContentType))
            {
                var status = http.Response.StatusCode;
                var (code, detail) = status switch
                {
                    404 => (ProblemCodes.NotFound, $"No endpoint at {http.Request.Method} {http.Request.Path.Value}."),
                    405 => (ProblemCodes.MethodNotAllowed, $"{http.Request.Method} is not allowed on {http.Request.Path.Value}."),
                    413 => (ProblemCodes.PayloadTooLarge, "The body is too large."),
                    >= 500 => (ProblemCodes.InternalError, "The request failed on our side."),
                    _ => (ProblemCodes.BadRequest, "The request could not be read."),
                };
                await new ProblemResult(new Problem(status, code, Problems.TitleFor(status), detail))
                    .ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
            }
        });
    }
}
