using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Compliance;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Compliance;

/// <summary>CMP-5: the monthly re-check of active sellers' tax ratings, fanned out through a queue.</summary>
public sealed class TaxRecheckFunctions(TaxRecheckHandler handler, ILogger<TaxRecheckFunctions> logger)
{
    /// <summary>01:00 UTC (09:00 Asia/Shanghai) on the 1st of each month: queues the month's first fan-out page.</summary>
    [Function("StartTaxRecheck")]
    public async Task Start([TimerTrigger("0 0 1 1 * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var month = await handler.StartAsync(cancellationToken);
        logger.LogInformation("CMP-5 tax rating re-check of {Month} started", month);
    }

    /// <summary>A fan-out page (queues a check per active seller, then the next page) or one seller's check.</summary>
    [Function("RecheckTaxRating")]
    public async Task Recheck([QueueTrigger("%Hub:Storage:TaxRecheckQueue%")] string body, CancellationToken cancellationToken)
    {
        // Not ours: fail, so the host moves it to the poison queue where it can be looked at.
        var message = StorageTaxRecheckQueue.Parse(body) ?? throw new FormatException("Not a tax re-check message.");
        if (!message.IsSellerCheck)
        {
            var queued = await handler.FanOutPageAsync(message, cancellationToken);
            logger.LogInformation("CMP-5 re-check of {Month}: queued {Count} seller checks", message.Month, queued);
            return;
        }

        // Event and commit ids derive from the seller and month, so a redelivered message repeats them.
        using var operation = HubOperation.Begin($"tax-recheck/{message.Month}/{message.SellerId}");
        var outcome = await handler.CheckAsync(message, cancellationToken);
        logger.LogInformation("CMP-5 re-check of {SellerId} for {Month}: {Outcome}", message.SellerId, message.Month, outcome);
    }
}
