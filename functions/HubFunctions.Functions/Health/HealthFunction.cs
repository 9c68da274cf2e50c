using System.Reflection;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Health;

/// <summary>Settings under <c>Hub:Health</c>.</summary>
public sealed class HealthOptions
{
    public const string Section = "Hub:Health";

    /// <summary>How long storage may take to answer before the health check says 503 (default 3 s).</summary>
    public TimeSpan StorageTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

public sealed class HealthFunction(HubStorage storage, IOptions<HealthOptions> options, ILogger<HealthFunction> logger)
{

    public static readonly string Version =
        typeof(HealthFunction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>GET /api/health: really asks Table, Queue and Blob storage; 503 when they cannot answer.</summary>
    [Function("Health")]
    [PublicEndpoint]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = options.Value.StorageTimeout;
        timeout.CancelAfter(limit);
        try
        {
            await storage.CheckAsync(timeout.Token);
            return HubResults.Ok(new { status = "ok", storage = "ok", version = Version });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Health check: storage unreachable ({Error})", e.GetType().Name);
            return new ProblemResult(new Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.StorageUnavailable,
                Problems.TitleFor(503), $"Storage did not answer within {limit.TotalSeconds:0.#} seconds.")
            {
                Extensions = new() { ["storage"] = "unreachable", ["version"] = Version },
            });
        }
    }
}
