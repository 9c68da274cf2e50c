using System.Globalization;
using System.Text.Json;
using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Calendar;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Billing;

/// <summary>Rate cards per hub, versioned by <c>effectiveFrom</c> (BIL-1, H-1).</summary>
public sealed class RateCardFunctions(IRateCardStore cards, TimeProvider clock)
{
    public sealed record RateCardBody(string? EffectiveFrom, JsonElement? StoragePerCubicMetreMonth, Dictionary<string, JsonElement>? Rates);

    /// <summary>GET /api/hubs/{hub}/rate-cards (any signed client): every version, oldest first, and the one in force today; none for Tianjin and Xi'an until a reviewer sets one (H-1).</summary>
    [Function("ListRateCards")]
    public async Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hubs/{hub}/rate-cards")] HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        if (!Core.Hubs.Hubs.Exists(hub))
        {
            return new ProblemResult(Problems.NotFound($"There is no hub '{hub}'."));
        }

        var history = await cards.HistoryAsync(hub, cancellationToken);
        var today = history.InForceOn(ChinaTime.Today(clock));
        return HubResults.Ok(new { hub, inForceToday = today?.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), cards = history.Cards.Select(View) });
    }

    /// <summary>PUT /api/hubs/{hub}/rate-cards (reviewer): adds a version; 201 new, 200 the same card again, 409 <c>rate-card-exists</c> when that date has other rates, 422 (<c>effective-from-not-future</c>: not a month still to come, unless before the hub's first card: H-1 gap).</summary>
    [Function("PutRateCard")]
    [AllowRoles(HubRole.Reviewer)]
    public async Task<IActionResult> Put([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "hubs/{hub}/rate-cards")] HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        if (!Core.Hubs.Hubs.Exists(hub))
        {
            return new ProblemResult(Problems.NotFound($"There is no hub '{hub}'."));
        }

        var body = await request.ReadJsonAsync<RateCardBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var b = body.Value!;
        var input = new RateCardInput(b.EffectiveFrom, BillingAnswers.Raw(b.StoragePerCubicMetreMonth), b.Rates?.ToDictionary(r => r.Key, r => BillingAnswers.Raw(r.Value), StringComparer.Ordinal));
        var history = await cards.HistoryAsync(hub, cancellationToken);
        var errors = RateCardInputs.Check(hub, input, ChinaTime.Today(clock), history.Cards.Count == 0 ? null : history.Cards.Min(c => c.EffectiveFrom), out var card);
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        return await cards.AddAsync(card!, cancellationToken) switch
        {
            BillingWrite.Stored => HubResults.Created(View(card!)),
            BillingWrite.Unchanged => HubResults.Ok(View(card!)),
            _ => new ProblemResult(Problems.Conflict("rate-card-exists", $"{hub} has another card in force from {card!.EffectiveFrom:yyyy-MM-dd}; a version is never changed, add one with a later effectiveFrom.")),
        };
    }

    private static object View(RateCard c) => new
    {
        hub = c.Hub,
        effectiveFrom = c.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        currency = "CNY",
        storagePerCubicMetreMonth = c.StoragePerCubicMetreMonth,
        rates = UsageKind.All.ToDictionary(k => k.Code, k => c.RateOf(k.Code)),
    };
}
