using System.Text.Json;
using HubFunctions.Core.Access;
using HubFunctions.Core.Billing;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace HubFunctions.Functions.Billing;

/// <summary>What the billing functions share: the audited SEC-1 role check, raw number texts and intake answers.</summary>
public static class BillingAnswers
{
    /// <summary>
    /// SEC-1: usage data enters only from the roles given (the WMS integration or a hub operator; claims also a reviewer).
    /// Any other signed client gets 403 <c>SEC-1</c>, and the refusal is recorded in the access audit.
    /// </summary>
    public static async Task<ProblemResult?> RequireRolesAsync(HttpRequest request, CancellationToken cancellationToken, params HubRole[] roles)
    {
        var caller = request.GetCaller();
        if (roles.Contains(caller.Role))
        {
            return null;
        }

        var reason = $"Role '{caller.Role.ToWire()}' may not send usage data; only {string.Join(", ", roles.Select(r => r.ToWire()))} clients may (SEC-1).";
        var services = request.HttpContext.RequestServices;
        await services.GetRequiredService<IAccessAudit>().RecordAsync(new AccessRefusal(caller.ClientId, caller.Role, request.Method, request.Path.Value ?? "", "SEC-1", reason,
            services.GetRequiredService<TimeProvider>().GetUtcNow()), cancellationToken);
        return new ProblemResult(Problems.Forbidden("SEC-1", reason));
    }

    /// <summary>The raw text of a JSON value (a number's digits as sent; a string keeps its quotes, so it is refused as a number), or null.</summary>
    public static string? Raw(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } v ? v.GetRawText() : null;

    public static IActionResult Answer(BillingIntakeResult result)
    {
        if (result.Errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(result.Errors));
        }

        if (result.Refused is { } refused)
        {
            return SellerAccessProblems.ToProblem(refused)!;
        }

        return result.ConflictCode is { } code
            ? new ProblemResult(Problems.Conflict(code, result.ConflictMessage!))
            : HubResults.Ok(new { stored = result.Stored, duplicates = result.Duplicates });
    }

    /// <summary>The first offered type the Accept header allows, by quality; JSON when there is no Accept header.</summary>
    public static string? Preferred(HttpRequest request)
    {
        string[] offered = ["application/json", "text/csv", "application/pdf"];
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
        {
            return "application/json";
        }

        return accepted.Where(a => (a.Quality ?? 1) > 0).OrderByDescending(a => a.Quality ?? 1)
            .SelectMany(a => offered.Where(o => new MediaTypeHeaderValue(o).IsSubsetOf(a))).FirstOrDefault();
    }
}
