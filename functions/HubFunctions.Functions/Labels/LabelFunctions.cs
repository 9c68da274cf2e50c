using HubFunctions.Core.Access;
using HubFunctions.Core.Common;
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

        if (CheckLabels(body.Value!.Labels) is { } invalid)
        {
            return invalid;
        }

        return HubResults.Ok(new { results = validator.ValidateAll(body.Value.Labels!).Select(LabelResult.From) });
    }

    /// <summary>
    /// POST /api/hubs/{hub}/receipts: the labels of a receipt of goods; valid ones join the seller's
    /// stock, and a serial the stock already holds for that GTIN is refused (LBL-3). Only the hub's
    /// operator or the seller's registered WMS may send stock data (SEC-1).
    /// </summary>
    [Function("RecordLabelReceipt")]
    [AllowRoles(HubRole.HubOperator, HubRole.Wms)]
    [MaxRequestBody(MaxBody)]
    public async Task<IActionResult> Receipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/receipts")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonForHubAsync<ReceiptRequest>(hub, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var caller = request.GetCaller();

        var r = body.Value!;
        var errors = new List<FieldError>();
        Ids.RequireKey("receiptId", r.ReceiptId, errors);
        Ids.RequireKey("sellerId", r.SellerId, errors);

        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        if (CheckLabels(r.Labels) is { } invalid)
        {
            return invalid;
        }

        if (ResourceAccess.CheckSeller(caller, r.SellerId!) is { } sellerRefused)
        {
            return sellerRefused;
        }

        var result = await receipts.HandleAsync(new LabelReceiptCommand(hub, r.SellerId!, r.ReceiptId!, r.Labels!), cancellationToken);
        return HubResults.Ok(new
        {
            receiptId = result.ReceiptId,
            sellerId = r.SellerId,
            hub,
            accepted = result.Accepted,
            rejected = result.Rejected,
            results = result.Results.Select(LabelResult.From),
        });
    }

    private static ProblemResult? CheckLabels(List<string?>? labels) => labels switch
    {
        null => new ProblemResult(Problems.Validation("labels", "labels-required", "Send { \"labels\": [\"...\"] } with 1 to 1,000 labels.")),
        { Count: 0 } => new ProblemResult(Problems.Validation("labels", "labels-required", "Send at least one label.")),
        { Count: > LabelValidator.MaxLabelsPerRequest } => new ProblemResult(Problems.Validation("labels", "too-many-labels",
            $"At most {LabelValidator.MaxLabelsPerRequest:N0} labels per call; got {labels.Count:N0}. Split the list.")),
        _ => null,
    };

    /// <summary>One label's result as API.md shapes it.</summary>
    public sealed record LabelResult(
        string Input, bool Valid, string? Form, string? Gtin, string? Batch, DateOnly? ProductionDate, DateOnly? ExpiryDate, string? Serial,
        IReadOnlyList<LabelErrorResult> Errors)
    {
        public static LabelResult From(LabelValidation v) => new(v.Input, v.Valid, FormName(v.Form), v.Gtin, v.Batch, v.ProductionDate, v.ExpiryDate, v.Serial,
            [.. v.Errors.Select(e => new LabelErrorResult(e.Code, e.Message, e.Ai))]);
    }

    /// <summary>The form as a kebab-case wire name: <c>bracketed</c>, <c>element-string</c>, <c>digital-link</c>.</summary>
    public static string? FormName(Gs1InputForm? form) => form switch
    {
        Gs1InputForm.Bracketed => "bracketed",
        Gs1InputForm.ElementString => "element-string",
        Gs1InputForm.DigitalLink => "digital-link",
        null => null,
        var other => other.ToString()!.ToLowerInvariant(),
    };

    public sealed record LabelErrorResult(string Code, string Message, string? Ai);
}
