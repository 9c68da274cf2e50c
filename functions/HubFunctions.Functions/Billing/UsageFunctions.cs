using System.Text.Json;
using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Billing;

/// <summary>Usage records, daily storage snapshots and claims (BIL-2..4, BIL-9), from the WMS integration or hub operators only (SEC-1, audited).</summary>
public sealed class UsageFunctions(BillingIntake intake)
{
    public sealed record UsageBody(IReadOnlyList<UsageItem>? Records);

    public sealed record UsageItem(string? UsageId, string? SellerId, string? Kind, JsonElement? Quantity, string? OccurredAt);

    public sealed record SnapshotBody(string? Date, IReadOnlyList<SnapshotItem>? Sellers);

    public sealed record SnapshotItem(string? SellerId, JsonElement? CubicMeters);

    public sealed record ClaimBody(string? ClaimId, string? SellerId, string? OrderId, JsonElement? GoodsValueCny, string? Cause);

    /// <summary>POST /api/hubs/{hub}/usage: 200 <c>{ stored, duplicates }</c> (idempotent per usageId), 422, 403 SEC-1 (audited), 404 unknown seller.</summary>
    [Function("RecordUsage")]
    public async Task<IActionResult> Usage([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/usage")] HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<UsageBody>(request, hub, cancellationToken, HubRole.HubOperator, HubRole.Wms);
        return problem ?? BillingAnswers.Answer(await intake.AddUsageAsync(request.GetCaller(), hub,
            body!.Records?.Select(r => new UsageRecordInput(r.UsageId, r.SellerId, r.Kind, BillingAnswers.Raw(r.Quantity), r.OccurredAt)).ToList(), cancellationToken));
    }

    /// <summary>POST /api/hubs/{hub}/storage-snapshots: one day's m³ per seller (BIL-4); a day's figure is recorded once (409 <c>snapshot-conflict</c>).</summary>
    [Function("RecordStorageSnapshots")]
    public async Task<IActionResult> Snapshots([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/storage-snapshots")] HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<SnapshotBody>(request, hub, cancellationToken, HubRole.HubOperator, HubRole.Wms);
        return problem ?? BillingAnswers.Answer(await intake.AddSnapshotsAsync(request.GetCaller(), hub, body!.Date,
            body.Sellers?.Select(s => new SnapshotSellerInput(s.SellerId, BillingAnswers.Raw(s.CubicMeters))).ToList(), cancellationToken));
    }

    /// <summary>POST /api/hubs/{hub}/claims (BIL-9): credited at 100 % on the seller's next invoice; idempotent per claimId (409 <c>claim-conflict</c>).</summary>
    [Function("RecordClaim")]
    public async Task<IActionResult> Claim([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/claims")] HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        var (body, problem) = await ReadAsync<ClaimBody>(request, hub, cancellationToken, HubRole.HubOperator, HubRole.Reviewer);
        return problem ?? BillingAnswers.Answer(await intake.AddClaimAsync(request.GetCaller(), hub,
            new ClaimInput(body!.ClaimId, body.SellerId, body.OrderId, BillingAnswers.Raw(body.GoodsValueCny), body.Cause), cancellationToken));
    }

    private static async Task<(T? Body, ProblemResult? Problem)> ReadAsync<T>(HttpRequest request, string hub, CancellationToken cancellationToken, params HubRole[] roles)
        where T : class
    {
        if (await BillingAnswers.RequireRolesAsync(request, cancellationToken, roles) is { } refused)
        {
            return (null, refused);
        }

        if (ResourceAccess.CheckHub(request.GetCaller(), hub) is { } hubRefused)
        {
            return (null, hubRefused);
        }

        var body = await request.ReadJsonAsync<T>(cancellationToken);
        return (body.Value, body.Problem);
    }
}
