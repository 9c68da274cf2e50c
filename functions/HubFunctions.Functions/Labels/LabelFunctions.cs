using HubFunctions.Core.Access;
using HubFunctions.Core.Labels;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Labels;

/// <summary>GS1 labels (LBL-1..LBL-3): validation, and the labels of goods received.</summary>
public sealed class LabelFunctions(LabelValidator validator, LabelReceiptHandler receipts)
{
    /// <summary>Room for 1,000 labels of the longest accepted length, with JSON escaping.</summary>
    public const long MaxBody = 4 * 1024 * 1024;

    public sealed record ValidateRequest(List<string?>? Labels);

    public sealed record ReceiptRequest(string? ReceiptId, string? SellerId, List<string?>? Labels);

    /// <summary>POST /api/labels/validate: up to 1,000 labels in any of the three GS1 forms.</summary>
    [Function("ValidateLabels")]
    [SideEffectFree]
    [MaxRequestBody(MaxBody)]
    public async Task<IActionResult> Validate(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "labels/validate")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<ValidateRequest>(cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var errors = LabelValidator.CheckBatch(body.Value!.Labels);
        return errors.Count > 0
            ? new ProblemResult(Problems.Validation(errors))
            : HubResults.Ok(new { results = validator.ValidateAll(body.Value.Labels!).Select(LabelResult.From) });
    }

    /// <summary>
    /// POST /api/hubs/{hub}/receipts: the labels of a receipt of goods; valid ones join the seller's
    /// stock, and a serial the stock already holds for that GTIN is refused (LBL-3); a receipt id
    /// the seller already used for other content is refused with 409. Only the hub's operator or
    /// the seller's registered WMS may send stock data (SEC-1).
    /// </summary>
    [Function("RecordLabelReceipt")]
    [AllowRoles(HubRole.HubOperator, HubRole.Wms)]
    [MaxRequestBody(MaxBody)]
    public async Task<IActionResult> Receipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/receipts")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        var command = await request.ReadHubCommandAsync<ReceiptRequest>(hub,
            r => LabelReceipts.Validate(r.ReceiptId, r.SellerId, r.Labels), r => r.SellerId!, cancellationToken);
        if (command.Problem is { } problem)
        {
            return problem;
        }

        var r = command.Body!;
        var result = await receipts.HandleAsync(new LabelReceiptCommand(hub, r.SellerId!, r.ReceiptId!, r.Labels!), cancellationToken);
        return result.Status == ReceiptStatus.IdReused
            ? new ProblemResult(Problems.Conflict(LabelReceipts.ReceiptIdReused,
                $"Seller '{r.SellerId}' already has a receipt '{r.ReceiptId}' with other content (another hub or other labels); send each receipt under its own id."))
            : HubResults.Ok(new
            {
                receiptId = result.ReceiptId,
                sellerId = r.SellerId,
                hub,
                accepted = result.Accepted,
                rejected = result.Rejected,
                results = result.Results.Select(LabelResult.From),
            });
    }
}
