using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Billing;

/// <summary>Σ whole units (BIL-2: each record ceiled before adding) of one kind on one Asia/Shanghai day.</summary>
public sealed record UsageRollup(DateOnly Date, string Kind, decimal Units);

/// <summary>A seller-hub's rollups of a period and the snapshots the invoice needs (<see cref="IBillingLedger.PeriodAsync"/>).</summary>
public sealed record BillingPeriodData(IReadOnlyList<UsageRollup> Rollups, IReadOnlyList<StorageSnapshot> Snapshots);

/// <summary>How an idempotent write ended.</summary>
public enum BillingWrite
{
    /// <summary>Stored now.</summary>
    Stored,

    /// <summary>The same data was stored before (a retry): nothing changed.</summary>
    Unchanged,

    /// <summary>Other data is stored under the same key: nothing changed (→ 409).</summary>
    Conflict,
}

/// <summary>A claim as stored: the seller store id, when it was recorded, and the invoice it was credited on (BIL-9).</summary>
public sealed record StoredClaim(Claim Claim, string SellerId, DateTimeOffset RecordedAt, string? CreditedOn, string ETag);

/// <summary>An issued invoice with its id (<see cref="InvoiceIds"/>).</summary>
public sealed record StoredInvoice(string InvoiceId, InvoiceDraft Invoice);

/// <summary>
/// Usage, snapshots, claims and invoices of one seller at one hub. Usage is rolled up as it arrives: each new
/// record is stored with its rollup update in one commit, so a retried record is never counted twice.
/// </summary>
public interface IBillingLedger
{
    /// <summary>Stores the records (all of <paramref name="sellerId"/> at <paramref name="hub"/>) not stored yet and adds them to their rollups; returns (stored, duplicates).</summary>
    Task<(int Stored, int Duplicates)> AddUsageAsync(string sellerId, string hub, IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken);

    /// <summary>The stored m³ of a seller's snapshot on a date, or null.</summary>
    Task<decimal?> FindSnapshotAsync(string sellerId, string hub, DateOnly date, CancellationToken cancellationToken);

    /// <summary>Stores a snapshot insert-only: <see cref="BillingWrite.Conflict"/> when another figure is stored for that day.</summary>
    Task<BillingWrite> AddSnapshotAsync(string sellerId, string hub, DateOnly date, decimal cubicMeters, CancellationToken cancellationToken);

    /// <summary>Stores a claim insert-only: <see cref="BillingWrite.Conflict"/> when another claim has that id.</summary>
    Task<BillingWrite> AddClaimAsync(string sellerId, Claim claim, DateTimeOffset recordedAt, CancellationToken cancellationToken);

    /// <summary>The rollups of the period (one partition read).</summary>
    Task<IReadOnlyList<UsageRollup>> RollupsAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>The snapshots of the period and of the month before it (carry-forward, BIL-4).</summary>
    Task<IReadOnlyList<StorageSnapshot>> SnapshotsAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>
    /// What the billing run reads of a seller-hub's period: its rollups and snapshots in one partition read, and the snapshots of
    /// the month before (a second read) only when the period's first day has none (carry-forward, BIL-4).
    /// </summary>
    Task<BillingPeriodData> PeriodAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>Claims not yet credited on an invoice.</summary>
    Task<IReadOnlyList<StoredClaim>> OpenClaimsAsync(string sellerId, string hub, CancellationToken cancellationToken);

    Task<StoredInvoice?> FindInvoiceAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the invoice insert-only (one per seller, hub and period) with the claims marked credited (under
    /// their versions) and <paramref name="events"/>, in one commit. Throws <see cref="Common.ConcurrencyConflictException"/> when
    /// the invoice exists or a claim changed; the caller re-reads.
    /// </summary>
    Task AddInvoiceAsync(string invoiceId, InvoiceDraft invoice, IReadOnlyList<StoredClaim> credited, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The seller's invoices at every hub, of one period or all.</summary>
    Task<IReadOnlyList<StoredInvoice>> ListInvoicesAsync(string sellerId, BillingPeriod? period, CancellationToken cancellationToken);
}

/// <summary>
/// What the first record sent under a usage id said (API.md: usage is "idempotent per <c>usageId</c>"; decided here: a usage id
/// is unique within its hub, whatever seller or month it names, because each hub's WMS and operators allocate them).
/// </summary>
/// <param name="HubSellerId">The seller as the record named it (ADM-8 hub seller id).</param>
public sealed record UsageClaim(string UsageId, string HubSellerId, string Kind, decimal Quantity, DateTimeOffset OccurredAt)
{
    /// <summary>The claim of a checked record (its <see cref="UsageRecord.SellerId"/> still the hub seller id the request named).</summary>
    public static UsageClaim Of(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(record.UsageId, record.SellerId, record.Kind, record.Quantity, record.OccurredAt);
    }

    /// <summary>The same usage: same seller, kind, quantity by value (1.0 = 1) and instant (any offset).</summary>
    public bool SameAs(UsageClaim other) => other is not null && other.UsageId == UsageId && other.HubSellerId == HubSellerId && other.Kind == Kind
        && other.Quantity == Quantity && other.OccurredAt.UtcDateTime == OccurredAt.UtcDateTime;
}

/// <summary>
/// Usage ids claimed at a hub: one row per usage id in a partition of its own (no hot spot), written insert-only before the
/// record and its rollup are committed to the ledger. A retry after a crash between the two finds its own claim (same
/// record) and completes the ledger commit, which is itself idempotent per usage id; another record under a claimed id is a conflict.
/// </summary>
public interface IUsageIds
{
    /// <summary>The claims stored for those of <paramref name="usageIds"/> that have one.</summary>
    Task<IReadOnlyDictionary<string, UsageClaim>> FindAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken);

    /// <summary>
    /// Claims each usage id insert-only, in the order given: <see cref="BillingWrite.Conflict"/> where another record holds it. Each
    /// claim written records the <see cref="HubOperation"/> that wrote it (the request), so that request can release it. A claim
    /// of the same record written by another operation is <see cref="BillingWrite.Unchanged"/> and made permanent (no operation
    /// can release it any more), because this request will store its record under it.
    /// </summary>
    Task<IReadOnlyList<BillingWrite>> ClaimAsync(string hub, IReadOnlyList<UsageClaim> claims, CancellationToken cancellationToken);

    /// <summary>
    /// Releases (deletes, under the version read) the claims of <paramref name="usageIds"/> that the current
    /// <see cref="HubOperation"/> wrote, for a request that is refused after claiming some of its ids; a claim another request
    /// wrote is never touched, and outside an operation nothing is released. Returns how many were released.
    /// </summary>
    Task<int> ReleaseAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken);
}

/// <summary>Which seller-hubs had billable activity in a period: the billing run's fan-out reads this index, never the seller store.</summary>
public interface IBillingActivity
{
    Task MarkAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken);

    Task<(IReadOnlyList<(string SellerId, string Hub)> Items, string? Continuation)> PageAsync(BillingPeriod period, string? continuation, int pageSize, CancellationToken cancellationToken);
}

/// <summary>Finds sellers by the hub seller id usage, snapshots and claims name (ADM-8 ids such as HGH-000042).</summary>
public interface IBillingSellers
{
    Task<Seller?> FindByHubSellerIdAsync(string hubSellerId, CancellationToken cancellationToken);
}

/// <summary>The formats an invoice is served in (API.md: <c>Accept: application/json</c>, <c>text/csv</c> or <c>application/pdf</c>).</summary>
public enum InvoiceFormat
{
    Json,
    Csv,
    Pdf,
}

/// <summary>
/// The invoice documents in Blob Storage, which <c>GET /api/sellers/{sellerId}/invoices/{invoiceId}</c> serves: each format
/// (JSON, CSV, PDF) is rendered from the invoice of record (its stored row, written once at issue) when first asked for and stored
/// then (the PDF prints the seller's name, read then). Each is written once and never overwritten, so every later request gets
/// the document first stored, byte for byte. The billing run stores none: a seller-hub's invoice costs the run no blob writes.
/// </summary>
public interface IInvoiceDocuments
{
    /// <summary>The stored document, or null when none is stored (yet) under that seller and invoice id.</summary>
    Task<byte[]?> FindAsync(string sellerId, string invoiceId, InvoiceFormat format, CancellationToken cancellationToken);

    /// <summary>
    /// The stored document of <paramref name="invoice"/>, rendered from the invoice of record and stored first when there is none
    /// (on the first request for that format; a concurrent first request gets the bytes that won).
    /// </summary>
    Task<byte[]> GetOrStoreAsync(StoredInvoice invoice, string sellerName, InvoiceFormat format, CancellationToken cancellationToken);
}

/// <summary>Invoice ids: one per seller, hub and period, so the key itself forbids a second invoice (BIL-6).</summary>
public static class InvoiceIds
{
    public static string For(string sellerId, string hub, BillingPeriod period) => $"INV-{period.Month.Year:D4}{period.Month.Month:D2}-{hub}-{sellerId}";

    /// <summary>Parses an id made by <see cref="For"/>.</summary>
    public static bool TryParse(string? invoiceId, out string sellerId, out string hub, out BillingPeriod period)
    {
        sellerId = hub = "";
        period = default;
        var parts = invoiceId?.Split('-', 4);
        if (parts is not { Length: 4 } || parts[0] != "INV" || parts[1].Length != 6
            || !CalendarMonth.TryParse($"{parts[1][..4]}-{parts[1][4..]}", out var month) || !Hubs.Hubs.Exists(parts[2]) || parts[3].Length == 0)
        {
            return false;
        }

        (sellerId, hub, period) = (parts[3], parts[2], new BillingPeriod(month));
        return true;
    }
}
