using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Orders;

/// <summary>DSP-5: a seller's monthly order counters, kept as the orders' events happen (read here; the read first commits the counts this instance gathered for that seller and month).</summary>
public sealed class SellerMetricsFunction(ISellerMetricsStore metrics, SellerAccess access, TimeProvider clock)
{
    /// <summary>Malformed <c>month</c>.</summary>
    public const string InvalidMonth = "invalid-month";

    /// <summary>GET /api/sellers/{sellerId}/metrics?month=YYYY-MM (default: the current China month): the seller itself, the platform, reviewers; 404 unknown seller, 403 another seller (SEC-2); 422 a malformed month.</summary>
    [Function("GetSellerMetrics")]
    [AllowRoles(HubRole.Seller, HubRole.Platform, HubRole.Reviewer)]
    [SideEffectFree]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/metrics")] HttpRequest request,
        string sellerId,
        CancellationToken cancellationToken)
    {
        var (_, problem) = await access.CheckAsync(request, sellerId, null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var month = CalendarMonth.Of(ChinaTime.Today(clock));
        if (request.Query.ContainsKey("month") && !CalendarMonth.TryParse(request.Query["month"].ToString(), out month))
        {
            return new ProblemResult(Problems.Validation("month", InvalidMonth, "month must be a month as YYYY-MM, e.g. 2026-12."));
        }

        var counters = await metrics.ReadAsync(sellerId, month, cancellationToken);
        return HubResults.Ok(OrderAnswers.Metrics(counters));
    }
}
