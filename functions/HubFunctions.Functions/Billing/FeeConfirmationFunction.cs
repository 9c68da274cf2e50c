using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Billing;

/// <summary>The fee confirmation letter (费用确认书, BIL-8).</summary>
public sealed class FeeConfirmationFunction(SellerAccess access, FeeConfirmationHandler letters)
{
    /// <summary>
    /// GET /api/sellers/{sellerId}/fee-confirmation?hub={hub}: the letter as <c>application/pdf</c>, stored in Blob
    /// Storage. <c>hub</c> defaults to the seller's hub. Not a hub: 422 <c>H-1</c>; a seller of another hub: 403
    /// (SEC-2); a hub without a rate card: 409 <c>H-1</c>.
    /// </summary>
    [Function("GetFeeConfirmation")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer, HubRole.Platform)]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/fee-confirmation")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        string? hub = request.Query.TryGetValue("hub", out var values) ? values.ToString() : null;
        if (hub is not null && FeeConfirmation.CheckHub(hub) is { } error)
        {
            return new ProblemResult(Problems.Validation([error]));
        }

        var (seller, problem) = await access.CheckAsync(request, sellerId, hub, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var letter = await letters.GetAsync(seller!, hub ?? seller!.Hub, cancellationToken);
        return letter.Pdf is { } pdf
            ? new HubFileResult(pdf, FeeConfirmationHandler.ContentType, $"fee-confirmation-{seller!.SellerId}-{hub ?? seller.Hub}-{Path.GetFileName(letter.DocumentName)}")
            : new ProblemResult(Problems.Conflict(BillingCodes.NoRateCard, letter.ErrorMessage!));
    }
}
