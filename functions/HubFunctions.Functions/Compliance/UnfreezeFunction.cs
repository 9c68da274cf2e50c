using HubFunctions.Core.Access;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Admission;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Compliance;

/// <summary>A reviewer lifts a freeze (CMP-4) when the evidence satisfies every freeze reason.</summary>
public sealed class UnfreezeFunction(UnfreezeRequest unfreeze)
{
    public const string NotFrozenCode = "not-frozen";

    /// <summary>
    /// POST /api/sellers/{sellerId}/unfreeze (reviewer, no body): 200 with the seller; 409 <c>CMP-4</c>
    /// with <c>missing</c>; 409 <c>not-frozen</c>; 404 for an unknown seller.
    /// </summary>
    [Function("UnfreezeSeller")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sellers/{sellerId}/unfreeze")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        var result = await unfreeze.UnfreezeAsync(sellerId, request.GetCaller().ClientId, cancellationToken);
        return result.Outcome switch
        {
            UnfreezeOutcome.UnknownSeller => new ProblemResult(Problems.NotFound($"There is no seller '{sellerId}'.")),
            UnfreezeOutcome.NotFrozen => new ProblemResult(Problems.Conflict(NotFrozenCode, $"Seller '{sellerId}' is not frozen; there is nothing to unfreeze.")),
            UnfreezeOutcome.Refused => new ProblemResult(Problems.Conflict("CMP-4",
                $"Seller '{sellerId}' stays frozen (CMP-4): {string.Join("; ", result.Missing)}.") with
            { Extensions = new() { ["missing"] = result.Missing } }),
            _ => HubResults.Ok(new
            {
                sellerId = result.Seller!.SellerId,
                hubSellerId = result.Seller.HubSellerId,
                hub = result.Seller.Hub,
                status = TableSellerDirectory.Wire(result.Seller.Status),
                freezeReasons = result.Seller.FreezeReasons.Select(ComplianceWire.Reason).ToList(),
                taxRating = result.Seller.TaxRating?.ToString(),
                unfrozen = result.Entry is { } entry ? ComplianceWire.Entry(entry) : null,
            }),
        };
    }
}
