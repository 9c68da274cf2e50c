using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Admission;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Admission;

/// <summary>The seller store, read (API.md "Documents and sellers").</summary>
public sealed class SellerFunctions(SellerAccess access)
{
    /// <summary>GET /api/sellers/{sellerId}: the seller itself (own only), reviewers and the platform.</summary>
    [Function("GetSeller")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer, HubRole.Platform)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CheckAsync(request, sellerId, hub: null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var s = seller!;
        return HubResults.Ok(new
        {
            sellerId = s.SellerId,
            hubSellerId = s.HubSellerId,
            hub = s.Hub,
            status = TableSellerDirectory.Wire(s.Status),
            freezeReasons = s.FreezeReasons.Select(ComplianceWire.Reason).ToList(),
            taxRating = s.TaxRating?.ToString(),
            category = s.Category,
            entityName = s.EntityName,
            unifiedSocialCreditCode = s.UnifiedSocialCreditCode,
            activeSince = s.ActiveSince,
        });
    }
}
