using HubFunctions.Core.Access;
using HubFunctions.Core.Common;
using Microsoft.AspNetCore.Http;

namespace HubFunctions.Functions.Hosting;

/// <summary>A command read from a request on <c>/hubs/{hub}/...</c>: the body and the caller, or the problem to answer with.</summary>
public readonly record struct HubCommand<T>(T? Body, HubCaller Caller, ProblemResult? Problem)
    where T : class;

public static class HubCommandExtensions
{
    /// <summary>
    /// The opening every <c>/hubs/{hub}/...</c> command shares, in this order: the hub (404 unknown,
    /// 403 another hub's operator), the JSON body (415, 400, 422 as
    /// <see cref="HttpContextExtensions.ReadJsonAsync{T}"/>), the fields (<paramref name="validate"/>,
    /// 422 with every error), then the seller the body names (403 when the caller may not act on it, SEC-2).
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

        return ResourceAccess.CheckSeller(caller, sellerIdOf(body.Value!)) is { } sellerRefused
            ? new(null, caller, sellerRefused)
            : new(body.Value, caller, null);
    }
}
