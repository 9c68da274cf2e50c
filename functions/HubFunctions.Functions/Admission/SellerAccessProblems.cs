using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;

namespace HubFunctions.Functions.Admission;

/// <summary>
/// <see cref="SellerAccess"/> for HTTP functions: the caller of the request, the seller it names,
/// and the hub of the route (if any), answered with the seller or a problem (404 unknown seller,
/// 403 another seller's client, a seller of another hub, or another hub's operator; SEC-2).
/// </summary>
public static class SellerAccessProblems
{
    /// <summary>
    /// Usage: <c>var (seller, problem) = await access.CheckAsync(request, sellerId, hub, ct); if (problem is not null) return problem;</c>
    /// </summary>
    public static async Task<(Seller? Seller, ProblemResult? Problem)> CheckAsync(this SellerAccess access, HttpRequest request, string sellerId, string? hub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        var result = await access.CheckAsync(request.GetCaller(), sellerId, hub, cancellationToken);
        return (result.Seller, ToProblem(result));
    }

    /// <summary><see cref="SellerAccess.CheckRegistrationAsync"/> for HTTP functions: the problem, or null when allowed.</summary>
    public static async Task<ProblemResult?> CheckRegistrationAsync(this SellerAccess access, HttpRequest request, string sellerId, string? hub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        return ToProblem(await access.CheckRegistrationAsync(request.GetCaller(), sellerId, hub, cancellationToken));
    }

    /// <summary>The problem for a refusal, or null when allowed.</summary>
    public static ProblemResult? ToProblem(SellerAccessResult result) => result.Denial switch
    {
        SellerAccessDenial.None => null,
        SellerAccessDenial.NotFound => new ProblemResult(Problems.NotFound(result.Reason!)),
        _ => new ProblemResult(Problems.Forbidden(ProblemCodes.Forbidden, result.Reason!)),
    };

    /// <summary>
    /// The CMP-3 problem when <paramref name="seller"/> is frozen (403, code <c>CMP-3</c>, the reasons'
    /// texts in <c>detail</c>, and the reasons as <c>freezeReasons</c> in the shape of
    /// <c>GET /api/sellers/{id}</c>, <see cref="ComplianceWire.Reason"/>), else null.
    /// </summary>
    public static ProblemResult? Frozen(Seller seller, string action) => FreezeCheck.Refusal(seller, action) is { } refusal
        ? new ProblemResult(Problems.Forbidden(FreezeRefusal.Code, refusal.Message) with
        {
            Extensions = new() { ["freezeReasons"] = refusal.FreezeReasons.Select(ComplianceWire.Reason).ToList() },
        })
        : null;
}
