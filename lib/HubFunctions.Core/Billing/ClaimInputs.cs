using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>A claim as <c>POST /api/hubs/{hub}/claims</c> gives it (BIL-9); the goods value is the raw JSON number text.</summary>
public sealed record ClaimInput(string? ClaimId, string? SellerId, string? OrderId, string? GoodsValueCny, string? Cause);

/// <summary>A claim that passed every check. <see cref="SellerId"/> is the hub seller id the request named.</summary>
public sealed record Claim(string ClaimId, string SellerId, string Hub, string OrderId, decimal GoodsValueCny, string Cause);

/// <summary>Checks of a claim (BIL-9): every field error at once.</summary>
public static class ClaimInputs
{
    /// <summary>Longest claim id, order id (decided here, as usage ids) and cause text.</summary>
    public const int MaxIdLength = 64;

    public const int MaxCauseLength = 500;

    public const string InvalidClaimId = "invalid-claim-id";
    public const string InvalidOrderId = "invalid-order-id";
    public const string InvalidCause = "invalid-cause";

    public static IReadOnlyList<FieldError> Check(string hub, ClaimInput input, out Claim? claim)
    {
        ArgumentNullException.ThrowIfNull(input);
        claim = null;
        var errors = new List<FieldError>();
        if (!IsId(input.ClaimId))
        {
            errors.Add(new FieldError("claimId", input.ClaimId is null ? BillingCodes.Required : InvalidClaimId, $"claimId is 1-{MaxIdLength} characters of A-Z a-z 0-9 . _ : -."));
        }

        UsageRecords.CheckSeller(hub, input.SellerId, "sellerId", errors);
        if (!IsId(input.OrderId))
        {
            errors.Add(new FieldError("orderId", input.OrderId is null ? BillingCodes.Required : InvalidOrderId, $"orderId is 1-{MaxIdLength} characters of A-Z a-z 0-9 . _ : -."));
        }

        if (Claims.CheckGoodsValue(input.GoodsValueCny, out var value) is { } valueError)
        {
            errors.Add(valueError);
        }

        if (string.IsNullOrWhiteSpace(input.Cause) || input.Cause.Length > MaxCauseLength)
        {
            errors.Add(new FieldError("cause", input.Cause is null ? BillingCodes.Required : InvalidCause, $"cause is a text of 1-{MaxCauseLength} characters: what hub operation lost or damaged the goods."));
        }

        if (errors.Count == 0)
        {
            claim = new Claim(input.ClaimId!, input.SellerId!, hub, input.OrderId!, value, input.Cause!.Trim());
        }

        return errors;
    }

    private static bool IsId(string? id)
        => id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-');
}
