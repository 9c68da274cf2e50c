using HubFunctions.Core.Documents;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Documents;

/// <summary>DOC-3 / ADM-9 automatic validation, from its queue.</summary>
public sealed class DocumentValidationFunction(DocumentReview review, ILogger<DocumentValidationFunction> logger)
{
    /// <summary>One message <c>{sellerId}/{documentId}</c> per uploaded version.</summary>
    [Function("ValidateDocument")]
    public async Task Validate([QueueTrigger("%Hub:Storage:DocumentValidationQueue%")] string message, CancellationToken cancellationToken)
    {
        var parts = message.Trim().Split('/');
        if (parts.Length != 2)
        {
            logger.LogWarning("Ignored a document validation message that is not sellerId/documentId");
            return;
        }

        var status = await review.ValidateAsync(parts[0], parts[1], cancellationToken);
        logger.LogInformation("Validation of {SellerId}/{DocumentId}: {Status}", parts[0], parts[1], status?.ToWire() ?? "unknown document");
    }
}
