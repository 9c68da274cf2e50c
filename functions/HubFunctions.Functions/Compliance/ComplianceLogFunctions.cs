using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Compliance;

/// <summary>The audit trail of freezes and unfreezes (CMP-6), for reviewers (README, contract additions).</summary>
public sealed class ComplianceLogFunctions(SellerAccess access, SellerCompliance compliance)
{
    /// <summary>GET /api/sellers/{sellerId}/compliance-log: every entry, oldest first; 404 for an unknown seller.</summary>
    [Function("GetComplianceLog")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/compliance-log")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CheckAsync(request, sellerId, hub: null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var entries = await compliance.ReadLogAsync(seller!.SellerId, cancellationToken);
        return HubResults.Ok(new
        {
            sellerId = seller.SellerId,
            status = ComplianceWire.Status(seller.Status),
            entries = entries.Select(ComplianceWire.Entry).ToList(),
        });
    }
}
