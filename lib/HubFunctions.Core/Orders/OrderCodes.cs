namespace HubFunctions.Core.Orders;

/// <summary>
/// The <c>code</c> values of order refusals: a rule id where a rule of DOMAIN.md decides, a stable
/// kebab-case code where the refusal is ours.
/// </summary>
public static class OrderCodes
{
    /// <summary>DSP-1: the order is not from the AliExpress channel (422).</summary>
    public const string NotAliExpress = "DSP-1";

    /// <summary>DSP-2: the instruction arrived after the dispatch deadline (409).</summary>
    public const string InstructionLate = "DSP-2";

    /// <summary>DSP-4: the order was converted to the non-hub path; no instruction is accepted any more (409).</summary>
    public const string Converted = "DSP-4";

    /// <summary>BIL-10: non-standard packaging or customised after-sales, not supported by hub fulfilment (422).</summary>
    public const string NotSupportedByHub = "BIL-10";

    /// <summary>A required field is missing.</summary>
    public const string Required = "required";

    /// <summary><c>createdAt</c> is not an RFC 3339 date-time.</summary>
    public const string InvalidDateTime = "invalid-date-time";

    /// <summary><c>createdAt</c> has no explicit offset (or <c>-00:00</c>, "unknown").</summary>
    public const string OffsetRequired = "offset-required";

    /// <summary><c>createdAt</c> is later than now plus the allowed clock skew.</summary>
    public const string CreatedInFuture = "created-in-future";

    /// <summary>The hub is not one of the network's hubs.</summary>
    public const string UnknownHub = "unknown-hub";

    /// <summary><c>items</c> is missing or empty, or has too many entries.</summary>
    public const string InvalidItems = "invalid-items";

    /// <summary>A quantity that is not a positive whole number (or above the sanity bound).</summary>
    public const string InvalidQuantity = "invalid-quantity";

    /// <summary>A SKU that is empty, too long or has control/invisible characters.</summary>
    public const string InvalidSku = "invalid-sku";

    /// <summary>The order already has a different dispatch instruction (409).</summary>
    public const string AlreadyInstructed = "already-instructed";

    /// <summary>The same <c>orderId</c> was submitted before with a different body (409).</summary>
    public const string DifferentBody = "order-conflict";

    /// <summary>A conversion asked for before the order is due (the sweep skips it).</summary>
    public const string NotDue = "conversion-not-due";
}
