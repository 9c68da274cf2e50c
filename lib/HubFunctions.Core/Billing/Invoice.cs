using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Billing;

/// <summary>One seller's occupied volume at a hub on one Asia/Shanghai date (BIL-4).</summary>
public sealed record StorageSnapshot(DateOnly Date, decimal CubicMeters);

/// <summary>A claim to credit on this invoice (BIL-9): 100 % of the goods' value.</summary>
public sealed record ClaimCredit(string ClaimId, string OrderId, decimal GoodsValueCny);

/// <summary>One invoice line (API.md "Invoice JSON"). <see cref="Amount"/> is rounded to 0.01 CNY (BIL-5).</summary>
/// <param name="Kind">A usage kind, <c>storage</c>, or <c>claim-credit</c>.</param>
/// <param name="Quantity">Whole units for usage (BIL-2); Σ daily m³ for storage (unit <c>m3-day</c>); 1 per claim.</param>
/// <param name="Rate">The rate on the card (per unit; storage: per m³ per month); the claim's goods value for a credit.</param>
/// <param name="RateEffectiveFrom">The card the rate comes from (BIL-8 traceability); null for a claim credit.</param>
public sealed record InvoiceLine(string Kind, string Description, decimal Quantity, string Unit, decimal Rate, decimal Amount, DateOnly? RateEffectiveFrom);

/// <summary>A flag on an invoice, e.g. a storage day carried forward (BIL-4).</summary>
public sealed record InvoiceFlag(string Code, string Message, IReadOnlyList<DateOnly> Dates);

/// <summary>A computed invoice, before it is stored and numbered.</summary>
public sealed record InvoiceDraft(
    string SellerId, string Hub, BillingPeriod Period, DateOnly IssuedOn, DateOnly SettlementOn,
    IReadOnlyList<InvoiceLine> Lines, decimal Total, IReadOnlyList<InvoiceFlag> Flags);

/// <summary>What an invoice is computed from. Records and snapshots outside the period are ignored, except the latest snapshot before it (carry-forward).</summary>
public sealed record InvoiceInput(
    string SellerId, string Hub, BillingPeriod Period, DateOnly IssuedOn,
    IReadOnlyList<UsageRecord> Usage, IReadOnlyList<StorageSnapshot> Snapshots, IReadOnlyList<ClaimCredit> Claims);

/// <summary>The result of <see cref="InvoiceCalculator.Compute"/>: an invoice, or an H-1 refusal naming the uncovered days.</summary>
public sealed record InvoiceResult(InvoiceDraft? Invoice, string? ErrorCode, string? ErrorMessage)
{
    public bool Billed => Invoice is not null;
}
