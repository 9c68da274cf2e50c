using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Billing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Billing;

/// <summary>The monthly billing run's timer and queue (BIL-6).</summary>
public sealed class BillingRunWorker(BillingRunHandler handler, ILogger<BillingRunWorker> logger)
{
    /// <summary>On <c>Hub:Billing:RunSchedule</c> (default 01:00 UTC on the 1st = 09:00 Asia/Shanghai): starts (or resumes) the previous month's run.</summary>
    [Function("StartMonthlyBillingRun")]
    public async Task Monthly([TimerTrigger("%Hub:Billing:RunSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var start = await handler.StartPreviousMonthAsync(cancellationToken);
        logger.LogInformation("Billing run {RunId} of {Period} started by the timer ({Retried} seller-hubs in error queued again)", start.Run.RunId, start.Run.Period, start.Retried);
    }

    /// <summary>A fan-out page (queues the page's seller-hubs in batches and the next page), a batch of seller-hubs to bill, or a completion check.</summary>
    [Function("BillSeller")]
    public async Task Bill([QueueTrigger("%Hub:Storage:BillingRunQueue%")] string body, CancellationToken cancellationToken)
    {
        var message = StorageBillingRunQueue.Parse(body) ?? throw new FormatException("Not a billing run message.");
        if (message.IsCheck)
        {
            // No operation: the completion is guarded by the run row's ETag (a check that lost, or whose commit landed unseen,
            // re-reads the run and finds it completed), so each check's ids may be its own. A failing check is queued again
            // rather than poisoned: it may be the last one the run gets.
            try
            {
                var found = await handler.CheckAsync(message, cancellationToken);
                logger.LogInformation("Billing run of {Period}: {Done} of {Total} seller-hubs done, completed now {CompletedNow}",
                    message.Period, found.Progress?.Done, found.Total, found.CompletedNow);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var again = await handler.RetryCheckAsync(message, cancellationToken);
                logger.LogWarning(e, "Completion check of billing run {Period} failed (earlier failures {Failures}); queued again {Again}", message.Period, message.Check, again);
            }

            return;
        }

        if (!message.IsSeller)
        {
            using var page = HubOperation.Begin($"billing-run/{message.Period}/page/{message.Page}");
            var queued = await handler.FanOutPageAsync(message, cancellationToken);
            logger.LogInformation("Billing run of {Period}: page {Page} queued {Count} seller-hubs", message.Period, message.Page, queued);
            return;
        }

        // Each seller-hub is billed in its own operation (ids derive from the period, seller and hub), so a redelivery repeats them.
        var items = await handler.BillBatchAsync(message, cancellationToken);
        logger.LogInformation("Billing run of {Period}: batch of {Count} seller-hubs billed, {Invoices} invoiced", message.Period, items.Count, items.Count(i => i.Billed));
    }
}
