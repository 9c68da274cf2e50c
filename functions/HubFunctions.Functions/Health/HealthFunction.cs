using System.Reflection;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Health;

public sealed class HealthFunction(HubStorage storage, ILogger<HealthFunction> logger)
{
    private static readonly TimeSpan StorageTimeout = TimeSpan.FromSeconds(3);

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
        timeout.CancelAfter(StorageTimeout);
        try
        {
            await storage.CheckAsync(timeout.Token);
            return HubResults.Ok(new { status = "ok", storage = "ok", version = Version });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Health check: storage unreachable ({Error})", e.GetType().Name);
            return new ProblemResult(new Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.StorageUnavailable,
                Problems.TitleFor(503), "Storage did not answer within 3 seconds.")
            {
                Extensions = new() { ["storage"] = "unreachable", ["version"] = Version },
            });
        }
    }
}
