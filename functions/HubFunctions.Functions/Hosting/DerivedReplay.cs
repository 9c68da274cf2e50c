using HubFunctions.Core.Access;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// What a derived replay gets: the key of the operation whose retry it answers (<c>{clientId}/{webhook-id}</c>, the
/// <see cref="Core.Common.HubOperation"/> the first attempt ran in), the body (the same bytes as the first attempt's: the
/// fingerprints matched), the route values of the request path, and the caller.
/// </summary>
public sealed record DerivedReplayRequest(string OperationKey, byte[] Body, RouteValueDictionary RouteValues, HubCaller Caller);

/// <summary>
/// Answers the retry of a signed request from the insert-only rows its first attempt wrote, instead of from an outcome kept
/// under its <c>webhook-id</c> (Idempotency/DECISIONS.md, part 3). A function that answers from such a row marks that answer
/// (<see cref="HttpContextExtensions.MarkAnswerDerivable"/>); the pipeline then does not record the outcome (one write less per
/// request) and the entry of the message stays pending. A retry that finds the pending entry asks the function's replay
/// (<see cref="Function"/>) before it answers "in progress" or takes the entry over: it reads the row, checks that this
/// operation's commit wrote it (its commit stamp), and renders the answer again by the same code from the same row, so the same
/// status, headers and body. Null: no such row (the first attempt is still running, or it died before its commit), and the
/// entry is treated as before.
/// </summary>
public interface IDerivedReplay
{
    /// <summary>The function (its <c>[Function]</c> name) whose marked answers this derives.</summary>
    string Function { get; }

    /// <summary>The first answer again, from the rows the operation wrote; null when it wrote none.</summary>
    Task<IActionResult?> ReplayAsync(DerivedReplayRequest request, CancellationToken cancellationToken);
}

/// <summary>The route values of a request path under a function's route template, in both hosts (the worker routes nothing itself).</summary>
public static class DerivedReplayRoutes
{
    /// <summary>
    /// Matches the last segments of <paramref name="path"/> against <paramref name="template"/> (the host's route prefix, e.g.
    /// <c>api</c>, comes before them). Empty when the template has optional or catch-all parts, or does not match.
    /// </summary>
    public static RouteValueDictionary Match(string template, PathString path)
    {
        var values = new RouteValueDictionary();
        var parsed = TemplateParser.Parse(template);
        if (parsed.Parameters.Any(p => p.IsOptional || p.IsCatchAll))
        {
            return values;
        }

        var segments = (path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < parsed.Segments.Count)
        {
            return values;
        }

        var tail = new PathString("/" + string.Join('/', segments[^parsed.Segments.Count..]));
        return new TemplateMatcher(parsed, new RouteValueDictionary()).TryMatch(tail, values) ? values : [];
    }
}
