using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// Puts every HTTP function behind <see cref="HubHttpPipeline"/> under the Azure Functions host.
/// Runs after the ASP.NET Core integration's own middleware, which executes the result it leaves.
/// </summary>
public sealed class HubWorkerMiddleware(FunctionCatalog catalog, HubHttpPipeline pipeline) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        var function = catalog.Find(context.FunctionDefinition.Name);
        if (function?.Trigger != TriggerKind.Http || context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        var result = await pipeline.ExecuteAsync(http, function, async () =>
        {
            await next(context);
            return context.GetInvocationResult().Value as IActionResult;
        });
        context.GetInvocationResult().Value = result;
    }
}
