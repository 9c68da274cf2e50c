using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Billing;

/// <summary>The monthly billing run over HTTP (BIL-6): start any closed period, read its progress.</summary>
public sealed class BillingRunFunctions(BillingRunHandler handler, TimeProvider clock, ILogger<BillingRunFunctions> logger)
{
    public sealed record StartBody(string? Period);

    /// <summary>
    /// POST /api/billing-runs (reviewer): 202 <c>{ runId, period, status, retried }</c>; the same period again returns the same run and
    /// resumes it if unfinished, or, once completed, queues its seller-hubs in error again (<c>retried</c>: how many; H-1 after a
    /// reviewer added the missing rate card); 422 <c>period-not-ended</c> / <c>invalid-period</c>.
    /// </summary>
    [Function("StartBillingRun")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Start([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing-runs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<StartBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var errors = BillingPeriod.CheckClosed(body.Value!.Period, clock.GetUtcNow(), out var period);
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        var (run, retried) = await handler.StartAsync(period, cancellationToken);
        return HubResults.Accepted(new { runId = run.RunId, period = run.Period.ToString(), status = run.Completed ? "completed" : "running", retried });
    }

    /// <summary>
    /// GET /api/billing-runs/{runId} (reviewer): sellers done / total, invoices, errors (H-1 refusals per seller and hub), counted from
    /// the run's items; a run whose seller-hubs are all done is completed by this read if no completion check did (BIL-6); should
    /// that completion fail, the progress is answered (still <c>running</c>) and the failure logged.
    /// </summary>
    [Function("GetBillingRun")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing-runs/{runId}")] HttpRequest request, string runId, CancellationToken cancellationToken)
    {
        if (!BillingRunHandler.TryParseRunId(runId, out var period) || await handler.ReadAsync(period, cancellationToken) is not var (run, items, failure))
        {
            return new ProblemResult(Problems.NotFound($"There is no billing run '{runId}'."));
        }

        if (failure is not null)
        {
            logger.LogWarning(failure, "Completing billing run {RunId} on its read failed; answering its progress", runId);
        }

        var progress = BillingRunProgress.Of(items);
        return HubResults.Ok(new
        {
            runId = run.RunId,
            period = run.Period.ToString(),
            status = run.Completed ? "completed" : "running",
            startedAt = run.StartedAt,
            completedAt = run.CompletedAt,
            sellersDone = progress.Done,
            sellersTotal = run.Total,
            fanOutComplete = run.FannedOut,
            invoices = progress.Invoices,
            errors = items.Where(i => !i.Billed).Select(e => new { sellerId = e.SellerId, hub = e.Hub, code = e.ErrorCode, message = e.ErrorMessage }),
        });
    }
}
