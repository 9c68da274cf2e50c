using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;

namespace HubFunctions.Core.Billing;

/// <summary>How a billing intake ended: stored (with counts), refused with field errors, or a seller/conflict refusal.</summary>
public sealed record BillingIntakeResult(IReadOnlyList<FieldError> Errors, SellerAccessResult? Refused, string? ConflictCode, string? ConflictMessage, int Stored, int Duplicates)
{
    public static BillingIntakeResult Invalid(IReadOnlyList<FieldError> errors) => new(errors, null, null, null, 0, 0);

    public static BillingIntakeResult Denied(SellerAccessResult refused) => new([], refused, null, null, 0, 0);

    public static BillingIntakeResult Conflict(string code, string message) => new([], null, code, message, 0, 0);

    public static BillingIntakeResult Done(int stored, int duplicates) => new([], null, null, null, stored, duplicates);
}

/// <summary>
/// Usage records, daily storage snapshots and claims (BIL-2..4, BIL-9) as hub operators and WMS clients send them
/// (the role check, SEC-1, is the endpoint's): every field checked first (a refused request stores nothing), then each
/// seller the request names resolved by its hub seller id and checked with <see cref="SellerAccess"/> (SEC-2), then stored
/// idempotently, and each seller-hub marked active in the period for the billing run.
/// </summary>
public sealed class BillingIntake(IBillingLedger ledger, IUsageIds usageIds, IBillingActivity activity, IBillingSellers sellers, SellerAccess access, IBillingRunStore runs, TimeProvider clock)
{
    public const string SnapshotConflict = "snapshot-conflict";

    /// <summary>Usage or a snapshot for a month whose billing run has started (BIL-6): it would never be invoiced.</summary>
    public const string PeriodClosed = "period-closed";
    public const string ClaimConflict = "claim-conflict";

    /// <summary>A usage id already names another record at the hub (another seller, month, kind, quantity or time).</summary>
    public const string UsageConflict = "usage-conflict";

    public async Task<BillingIntakeResult> AddUsageAsync(HubCaller caller, string hub, IReadOnlyList<UsageRecordInput>? records, CancellationToken cancellationToken)
    {
        var errors = UsageRecords.Check(hub, records, clock.GetUtcNow(), out var valid);
        if (errors.Count > 0)
        {
            return BillingIntakeResult.Invalid(errors);
        }

        var (resolved, refused) = await ResolveAsync(caller, hub, valid.Select(r => r.SellerId), cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return BillingIntakeResult.Denied(refused);
        }

        if (await BilledAsync(valid.Select(r => CalendarMonth.Of(r.Date)), cancellationToken).ConfigureAwait(false) is { } closed)
        {
            return closed;
        }

        if (await ClaimUsageIdsAsync(hub, valid, cancellationToken).ConfigureAwait(false) is { } conflict)
        {
            return conflict;
        }

        int stored = 0, duplicates = 0;
        foreach (var group in valid.GroupBy(r => (Seller: resolved[r.SellerId], Month: CalendarMonth.Of(r.Date))))
        {
            var sellerId = group.Key.Seller.SellerId;
            var (s, d) = await ledger.AddUsageAsync(sellerId, hub, [.. group.Select(r => r with { SellerId = sellerId })], cancellationToken).ConfigureAwait(false);
            (stored, duplicates) = (stored + s, duplicates + d);
            await activity.MarkAsync(new BillingPeriod(group.Key.Month), sellerId, hub, cancellationToken).ConfigureAwait(false);
        }

        return BillingIntakeResult.Done(stored, duplicates);
    }

    public async Task<BillingIntakeResult> AddSnapshotsAsync(HubCaller caller, string hub, string? date, IReadOnlyList<SnapshotSellerInput>? input, CancellationToken cancellationToken)
    {
        var errors = StorageSnapshots.Check(hub, date, input, clock.GetUtcNow(), out var day, out var valid);
        if (errors.Count > 0)
        {
            return BillingIntakeResult.Invalid(errors);
        }

        var (resolved, refused) = await ResolveAsync(caller, hub, valid.Select(v => v.SellerId), cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return BillingIntakeResult.Denied(refused);
        }

        if (await BilledAsync([CalendarMonth.Of(day)], cancellationToken).ConfigureAwait(false) is { } closed)
        {
            return closed;
        }

        // Every stored figure is compared first, so a conflicting request stores nothing.
        foreach (var (hubSellerId, m3) in valid)
        {
            if (await ledger.FindSnapshotAsync(resolved[hubSellerId].SellerId, hub, day, cancellationToken).ConfigureAwait(false) is { } stored && stored != m3)
            {
                return BillingIntakeResult.Conflict(SnapshotConflict, $"{hubSellerId} already has a snapshot of {stored} m³ on {day:yyyy-MM-dd}; a day's snapshot is recorded once.");
            }
        }

        int added = 0, duplicates = 0;
        foreach (var (hubSellerId, m3) in valid)
        {
            var sellerId = resolved[hubSellerId].SellerId;
            var outcome = await ledger.AddSnapshotAsync(sellerId, hub, day, m3, cancellationToken).ConfigureAwait(false);
            if (outcome == BillingWrite.Conflict)
            {
                return BillingIntakeResult.Conflict(SnapshotConflict, $"{hubSellerId} got another snapshot on {day:yyyy-MM-dd} meanwhile.");
            }

            (added, duplicates) = outcome == BillingWrite.Stored ? (added + 1, duplicates) : (added, duplicates + 1);
            await activity.MarkAsync(new BillingPeriod(CalendarMonth.Of(day)), sellerId, hub, cancellationToken).ConfigureAwait(false);
        }

        return BillingIntakeResult.Done(added, duplicates);
    }

    /// <summary>
    /// Usage ids are unique at the hub (<see cref="UsageClaim"/>): every stored claim is compared first, so a request naming
    /// a claimed id with another record stores nothing; then the new ids are claimed. A concurrent request claiming one of the
    /// same ids with another record between the two steps makes this request's claim of it fail after it claimed others: the
    /// request is refused and releases the claims it wrote itself (<see cref="IUsageIds.ReleaseAsync"/>: only those its own
    /// operation wrote, never another request's), so a refused request leaves no claim behind. A request storing a record
    /// under a claim another request wrote makes it permanent first (<see cref="IUsageIds.ClaimAsync"/>), so a refusal of that
    /// other request cannot release it from under the stored record.
    /// </summary>
    private async Task<BillingIntakeResult?> ClaimUsageIdsAsync(string hub, IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var claims = records.Select(UsageClaim.Of).ToList();
        var stored = await usageIds.FindAsync(hub, [.. claims.Select(c => c.UsageId)], cancellationToken).ConfigureAwait(false);
        var taken = claims.Where(c => stored.TryGetValue(c.UsageId, out var s) && !s.SameAs(c)).Select(c => c.UsageId).ToList();
        if (taken.Count == 0)
        {
            // Every id, the ones found claimed with this record too: relying on a claim another request wrote makes it permanent.
            var outcomes = await usageIds.ClaimAsync(hub, claims, cancellationToken).ConfigureAwait(false);
            taken = [.. claims.Where((_, i) => outcomes[i] == BillingWrite.Conflict).Select(c => c.UsageId)];
            if (taken.Count > 0)
            {
                // Refused after claiming: release what this request claimed (an earlier attempt of it included).
                await usageIds.ReleaseAsync(hub, [.. claims.Select(c => c.UsageId).Except(taken, StringComparer.Ordinal)], cancellationToken).ConfigureAwait(false);
            }
        }

        return taken.Count == 0 ? null : BillingIntakeResult.Conflict(UsageConflict,
            $"usageId {string.Join(", ", taken.Take(10))}{(taken.Count > 10 ? $" and {taken.Count - 10} more" : "")} already name{(taken.Count == 1 ? "s" : "")} other usage at {hub}; a usage id is used once per hub. No record of this request was stored.");
    }

    /// <summary>
    /// A refusal when a run of one of <paramref name="months"/> has started: its invoices are (being) issued from the rollups
    /// as they stand, and a record added now would be stored but never billed. A record that races the run's start can
    /// still slip in; the run reads rollups per seller when it bills them.
    /// </summary>
    private async Task<BillingIntakeResult?> BilledAsync(IEnumerable<CalendarMonth> months, CancellationToken cancellationToken)
    {
        foreach (var month in months.Distinct())
        {
            var period = new BillingPeriod(month);
            if (await runs.GetAsync(period, cancellationToken).ConfigureAwait(false) is not null)
            {
                return BillingIntakeResult.Conflict(PeriodClosed, $"The billing run of {period} has started; records of that month can no longer be invoiced. Send them to the hub's reviewers as a correction.");
            }
        }

        return null;
    }

    public async Task<BillingIntakeResult> AddClaimAsync(HubCaller caller, string hub, ClaimInput input, CancellationToken cancellationToken)
    {
        var errors = ClaimInputs.Check(hub, input, out var claim);
        if (errors.Count > 0)
        {
            return BillingIntakeResult.Invalid(errors);
        }

        var (resolved, refused) = await ResolveAsync(caller, hub, [claim!.SellerId], cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            return BillingIntakeResult.Denied(refused);
        }

        var now = clock.GetUtcNow();
        var sellerId = resolved[claim.SellerId].SellerId;
        var outcome = await ledger.AddClaimAsync(sellerId, claim, now, cancellationToken).ConfigureAwait(false);
        if (outcome == BillingWrite.Conflict)
        {
            return BillingIntakeResult.Conflict(ClaimConflict, $"Claim {claim.ClaimId} exists with other details; a claim id is used once.");
        }

        // The claim is credited on the seller's next invoice (BIL-9): the run of the month it was recorded in bills the seller.
        await activity.MarkAsync(new BillingPeriod(CalendarMonth.Of(ChinaTime.DateOf(now))), sellerId, hub, cancellationToken).ConfigureAwait(false);
        return BillingIntakeResult.Done(outcome == BillingWrite.Stored ? 1 : 0, outcome == BillingWrite.Unchanged ? 1 : 0);
    }

    /// <summary>Each hub seller id → the seller (404 unknown), then SEC-2 through <see cref="SellerAccess"/>.</summary>
    private async Task<(Dictionary<string, Seller> Resolved, SellerAccessResult? Refused)> ResolveAsync(HubCaller caller, string hub, IEnumerable<string> hubSellerIds, CancellationToken cancellationToken)
    {
        var resolved = new Dictionary<string, Seller>(StringComparer.Ordinal);
        foreach (var id in hubSellerIds.Distinct(StringComparer.Ordinal))
        {
            var seller = await sellers.FindByHubSellerIdAsync(id, cancellationToken).ConfigureAwait(false);
            if (seller is null)
            {
                return (resolved, SellerAccessResult.NotFound($"There is no seller '{id}'."));
            }

            var check = await access.CheckAsync(caller, seller.SellerId, hub, cancellationToken).ConfigureAwait(false);
            if (!check.Allowed)
            {
                return (resolved, check);
            }

            resolved[id] = check.Seller!;
        }

        return (resolved, null);
    }
}
