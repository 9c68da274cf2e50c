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
        var run = await handler.StartPreviousMonthAsync(cancellationToken);
        logger.LogInformation("Billing run {RunId} of {Period} started by the timer ({Done} of {Total} done)", run.RunId, run.Period, run.Done, run.Total);
    }

    /// <summary>A fan-out page (queues the page's seller-hubs and the next page) or one seller-hub to bill.</summary>
    [Function("BillSeller")]
    public async Task Bill([QueueTrigger("%Hub:Storage:BillingRunQueue%")] string body, CancellationToken cancellationToken)
    {
        var message = StorageBillingRunQueue.Parse(body) ?? throw new FormatException("Not a billing run message.");
        if (!message.IsSeller)
        {
            using var page = HubOperation.Begin($"billing-run/{message.Period}/page/{message.Page}");
            var queued = await handler.FanOutPageAsync(message, cancellationToken);
            logger.LogInformation("Billing run of {Period}: page {Page} queued {Count} seller-hubs", message.Period, message.Page, queued);
            return;
        }

        // Event and commit ids derive from the period, seller and hub, so a redelivered message repeats them.
        using var operation = HubOperation.Begin($"billing-run/{message.Period}/{message.SellerId}/{message.Hub}");
        var item = await handler.BillAsync(message, cancellationToken);
        logger.LogInformation("Billing run of {Period}: {SellerId} at {Hub}: {InvoiceId} {ErrorCode}", message.Period, message.SellerId, message.Hub, item.InvoiceId, item.ErrorCode);
    }
}
