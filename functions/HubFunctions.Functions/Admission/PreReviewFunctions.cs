using HubFunctions.Core.Admission;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Admission;

/// <summary>Stage 1 of ADM-5 (pre-review), from its queue.</summary>
public sealed class PreReviewFunctions(PreReviewHandler handler, ILogger<PreReviewFunctions> logger)
{
    /// <summary>One message per application id: after intake, and again while the tax check is pending.</summary>
    [Function("EvaluatePreReview")]
    public async Task Evaluate([QueueTrigger("%Hub:Storage:PreReviewQueue%")] string applicationId, CancellationToken cancellationToken)
    {
        var status = await handler.EvaluateAsync(applicationId.Trim(), cancellationToken);
        logger.LogInformation("Pre-review of {ApplicationId}: {Status}", applicationId, status?.ToWire() ?? "unknown application");
    }
}
