using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Functions.Admission;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// A command read from a request on <c>/hubs/{hub}/...</c>: the body, the caller and the seller the body
/// names (from the seller store), or the problem to answer with.
/// </summary>
public readonly record struct HubCommand<T>(T? Body, HubCaller Caller, ProblemResult? Problem, Seller? Seller = null)
    where T : class;

public static class HubCommandExtensions
{
    /// <summary>
    /// The opening every <c>/hubs/{hub}/...</c> command shares, in this order: the hub (404 unknown,
    /// 403 another hub's operator), the JSON body (415, 400, 422 as
    /// <see cref="HttpContextExtensions.ReadJsonAsync{T}"/>), the fields (<paramref name="validate"/>,
    /// 422 with every error), then the seller the body names through <see cref="SellerAccess"/>, the one
    /// SEC-2 check: 403 when the caller may not act on it, 404 when the seller store does not know it,
    /// 403 when it is registered at another hub. Nothing has been stored when a problem is returned.
    /// </summary>
    /// <param name="validate">The Core rule that checks the body's fields.</param>
    /// <param name="sellerIdOf">The seller the (validated) body is about.</param>
    public static async Task<HubCommand<T>> ReadHubCommandAsync<T>(this HttpRequest request, string hub,
        Func<T, IReadOnlyList<FieldError>> validate, Func<T, string> sellerIdOf, CancellationToken cancellationToken)
        where T : class
    {
        var caller = request.GetCaller();
        if (ResourceAccess.CheckHub(caller, hub) is { } hubRefused)
        {
            return new(null, caller, hubRefused);
        }

        var body = await request.ReadJsonAsync<T>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return new(null, caller, unreadable);
        }

        var errors = validate(body.Value!);
        if (errors.Count > 0)
        {
            return new(null, caller, Problems.Validation(errors));
        }

        var access = request.HttpContext.RequestServices.GetRequiredService<SellerAccess>();
        var result = await access.CheckAsync(caller, sellerIdOf(body.Value!), hub, cancellationToken);
        return SellerAccessProblems.ToProblem(result) is { } sellerRefused
            ? new(null, caller, sellerRefused)
            : new(body.Value, caller, null, result.Seller);
    }
}
