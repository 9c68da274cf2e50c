using HubFunctions.Core.Admission;

namespace HubFunctions.Core.Compliance;

/// <summary>What a frozen seller may not do (CMP-3), named in the refusal.</summary>
public static class FrozenActions
{
    public const string BookAppointment = "book appointments";
    public const string IssueDispatchInstruction = "issue dispatch instructions";
    public const string JoinPremiumPool = "join the Premium pool";
}

/// <summary>A CMP-3 refusal: the seller is frozen, and why (answered 403 with code <c>CMP-3</c>).</summary>
/// <param name="SellerId">The frozen seller.</param>
/// <param name="Action">What was refused (<see cref="FrozenActions"/>).</param>
/// <param name="FreezeReasons">The seller's freeze reasons, as the seller store holds them.</param>
public sealed record FreezeRefusal(string SellerId, string Action, IReadOnlyList<FreezeReason> FreezeReasons)
{
    /// <summary>The rule id, used as the problem <c>code</c>.</summary>
    public const string Code = "CMP-3";

    /// <summary>For a person: what was refused and every freeze reason's text.</summary>
    public string Message => FreezeReasons.Count == 0
        ? $"Seller '{SellerId}' is frozen and may not {Action} (CMP-3)."
        : $"Seller '{SellerId}' is frozen and may not {Action} (CMP-3): {string.Join("; ", FreezeReasons.Select(r => r.Text))}.";
}

/// <summary>
/// The one place that decides the effects of a freeze (CMP-3): appointments (APT-9), dispatch
/// instructions (DSP-6) and the Premium pool call it with the seller read from the seller store.
/// Stock is never touched by a freeze.
/// </summary>
public static class FreezeCheck
{
    /// <summary>The refusal when <paramref name="seller"/> is frozen, else null.</summary>
    public static FreezeRefusal? Refusal(Seller seller, string action)
    {
        ArgumentNullException.ThrowIfNull(seller);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        return seller.Status == SellerStatus.Frozen ? new FreezeRefusal(seller.SellerId, action, seller.FreezeReasons) : null;
    }
}
