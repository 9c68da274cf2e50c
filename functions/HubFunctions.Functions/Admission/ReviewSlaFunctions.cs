using HubFunctions.Core.Admission;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Admission;

/// <summary>The review SLA (ADM-7): at-risk and breached events, once each per application.</summary>
public sealed class ReviewSlaFunctions(ReviewSlaSweep sweep, ILogger<ReviewSlaFunctions> logger)
{
    /// <summary>
    /// Hourly, on the hour (UTC, which is also on the hour in Asia/Shanghai): the applications due a
    /// look from the date index, from the checkpoint up to today, so missed runs are caught up.
    /// </summary>
    [Function("CheckReviewSla")]
    public async Task Run([TimerTrigger("0 0 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await sweep.RunAsync(cancellationToken);
        logger.LogInformation("ADM-7 sweep {From:yyyy-MM-dd}..{To:yyyy-MM-dd}: {Checked} index entries, {AtRisk} at risk, {Breached} breached",
            result.From, result.To, result.Checked, result.AtRisk, result.Breached);
    }
}
