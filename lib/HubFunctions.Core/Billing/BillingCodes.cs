namespace HubFunctions.Core.Billing;

/// <summary>The <c>code</c> values of billing refusals and invoice flags: a rule id where DOMAIN.md decides, kebab-case where the choice is ours.</summary>
public static class BillingCodes
{
    /// <summary>H-1: no rate card is in force at the hub on a day of the period; nothing is billed there.</summary>
    public const string NoRateCard = "H-1";

    /// <summary>BIL-4: a day of the period had no storage snapshot; the previous day's figure was carried forward.</summary>
    public const string StorageCarriedForward = "storage-carried-forward";

    /// <summary>BIL-4: days before the first snapshot known for the seller count as 0 m³ (nothing to carry forward).</summary>
    public const string StorageNoEarlierSnapshot = "storage-no-earlier-snapshot";

    /// <summary>BIL-9: claim credits exceed the charges; the invoice total is negative (a credit to the seller).</summary>
    public const string CreditBalance = "credit-balance";

    public const string Required = "required";
    public const string UnknownKind = "unknown-kind";
    public const string InvalidQuantity = "invalid-quantity";
    public const string QuantityTooLarge = "quantity-too-large";
    public const string InvalidOccurredAt = "invalid-occurred-at";
    public const string OccurredInFuture = "occurred-in-future";
    public const string InvalidUsageId = "invalid-usage-id";
    public const string DuplicateId = "duplicate-id";
    public const string InvalidSellerId = "invalid-seller-id";
    public const string WrongHub = "wrong-hub";
    public const string TooManyRecords = "too-many-records";
    public const string InvalidDate = "invalid-date";
    public const string DateInFuture = "date-in-future";
    public const string InvalidCubicMeters = "invalid-cubic-meters";
    public const string InvalidPeriod = "invalid-period";
    public const string PeriodNotEnded = "period-not-ended";
    public const string InvalidAmount = "invalid-amount";
}
