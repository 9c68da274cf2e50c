using System.Globalization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Billing;

/// <summary>A billing run's progress (BIL-6), one per period. <see cref="ETag"/> is the version a commit must match.</summary>
public sealed record BillingRunState(string RunId, BillingPeriod Period, DateTimeOffset StartedAt, int Total, int Done, int Invoices, int Errors, int Pages, bool FannedOut,
    DateTimeOffset? CompletedAt, string? ETag)
{
    public bool Completed => CompletedAt is not null;
}

/// <summary>One seller-hub of a run, done: its invoice, or why nothing was billed (H-1).</summary>
public sealed record BillingRunItem(string SellerId, string Hub, string? InvoiceId, string? ErrorCode, string? ErrorMessage);

/// <summary>A message on the billing run queue: a fan-out page, or one seller-hub to bill.</summary>
public sealed record BillingRunMessage(string Period, int Page, string? Continuation, string? SellerId, string? Hub)
{
    public bool IsSeller => SellerId is not null;
}

/// <summary>The run's own rows: the run (progress counters), a marker per counted page and per seller-hub done.</summary>
public interface IBillingRunStore
{
    /// <summary>Creates the run of the period (insert-only) or returns the one that exists.</summary>
    Task<BillingRunState> StartAsync(string runId, BillingPeriod period, DateTimeOffset now, CancellationToken cancellationToken);

    Task<BillingRunState?> GetAsync(BillingPeriod period, CancellationToken cancellationToken);

    Task<bool> HasPageAsync(BillingPeriod period, int page, CancellationToken cancellationToken);

    Task<bool> HasItemAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken);

    Task<IReadOnlyList<BillingRunItem>> ItemsAsync(BillingPeriod period, bool errorsOnly, CancellationToken cancellationToken);

    /// <summary>Adds the page marker (insert-only) and replaces the run at its version, with events; conflict → <see cref="ConcurrencyConflictException"/>.</summary>
    Task CommitPageAsync(BillingRunState after, int page, int count, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>Adds the item marker (insert-only) and replaces the run at its version, with events; conflict → <see cref="ConcurrencyConflictException"/>.</summary>
    Task CommitItemAsync(BillingRunState after, BillingRunItem item, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

public interface IBillingRunQueue
{
    Task EnqueueAsync(IReadOnlyList<BillingRunMessage> messages, CancellationToken cancellationToken);
}

/// <summary>A test hook: called after a seller's invoice is stored and before the seller is marked done (a crash there must not bill twice).</summary>
public interface IBillingRunFaults
{
    void AfterInvoice(string sellerId, string hub);
}

/// <summary>No faults (production).</summary>
public sealed class NoBillingRunFaults : IBillingRunFaults
{
    public void AfterInvoice(string sellerId, string hub)
    {
    }
}

public sealed class BillingRunSettings
{
    /// <summary>Seller-hubs read from the activity index (and queued) per fan-out message.</summary>
    public int PageSize { get; set; } = 500;
}

public static class BillingEventTypes
{
    public const string InvoiceIssued = EventTypes.InvoiceIssued;
    public const string RunCompleted = "hub.billing-run.completed";
}

/// <summary>
/// BIL-6, the monthly billing run. <see cref="StartAsync"/> creates the period's run once (its id names the period,
/// so the same period started again returns the same run) and queues the first fan-out page; starting an unfinished
/// run again queues the fan-out again, which resumes it. Each page is counted once (page marker) before its seller-hubs
/// are queued; each seller-hub (<see cref="BillAsync"/>) computes its invoice from the rollups, snapshots, open claims and
/// the rate cards (<see cref="InvoiceCalculator.Compute"/>), stores it insert-only (keyed by seller, hub and period, with
/// the claims marked credited in the same commit), stores its documents and then marks itself done with the run's
/// counters in one commit; the commit that makes done = total after the last page emits <c>hub.billing-run.completed</c>,
/// so exactly once.
/// </summary>
public sealed class BillingRunHandler(
    IBillingRunStore runs, IBillingRunQueue queue, IBillingActivity activity, IBillingLedger ledger, IRateCardSource cards, IInvoiceDocuments documents,
    IBillingRunFaults faults, ChinaWorkingCalendar calendar, OptimisticRetry retry, BillingRunSettings settings, TimeProvider clock, IIdSource ids)
{
    public static string RunIdFor(BillingPeriod period) => "RUN-" + period;

    public static bool TryParseRunId(string? runId, out BillingPeriod period)
    {
        period = default;
        if (runId is not { Length: 11 } || !runId.StartsWith("RUN-", StringComparison.Ordinal) || !CalendarMonth.TryParse(runId[4..], out var month))
        {
            return false;
        }

        period = new BillingPeriod(month);
        return true;
    }

    /// <summary>Starts (or resumes) the run of a closed period; the caller checked <see cref="BillingPeriod.CheckClosed"/>.</summary>
    public async Task<BillingRunState> StartAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var state = await runs.StartAsync(RunIdFor(period), period, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (!state.Completed)
        {
            await queue.EnqueueAsync([new BillingRunMessage(period.ToString(), 0, null, null, null)], cancellationToken).ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>The timer's run: the month before today's (Asia/Shanghai).</summary>
    public Task<BillingRunState> StartPreviousMonthAsync(CancellationToken cancellationToken)
        => StartAsync(BillingPeriod.PreviousTo(ChinaTime.Today(clock)), cancellationToken);

    /// <summary>Counts a page of the activity index once, then queues its seller-hubs and the next page (both again on a redelivery: harmless).</summary>
    public async Task<int> FanOutPageAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        var period = Parse(message.Period);
        var (items, continuation) = await activity.PageAsync(period, message.Continuation, settings.PageSize, cancellationToken).ConfigureAwait(false);
        await retry.RunAsync(async (_, ct) =>
        {
            var state = await runs.GetAsync(period, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"No billing run of {period}.");
            if (await runs.HasPageAsync(period, message.Page, ct).ConfigureAwait(false))
            {
                return 0;
            }

            var after = Complete(state with { Total = state.Total + items.Count, Pages = state.Pages + 1, FannedOut = continuation is null }, out var events);
            await runs.CommitPageAsync(after, message.Page, items.Count, events, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);

        var next = items.Select(i => new BillingRunMessage(message.Period, message.Page, null, i.SellerId, i.Hub)).ToList();
        if (continuation is not null)
        {
            next.Add(new BillingRunMessage(message.Period, message.Page + 1, continuation, null, null));
        }

        await queue.EnqueueAsync(next, cancellationToken).ConfigureAwait(false);
        return items.Count;
    }

    /// <summary>Bills one seller at one hub for the period; a redelivered or repeated message finds the invoice and the marker and changes nothing.</summary>
    public async Task<BillingRunItem> BillAsync(BillingRunMessage message, CancellationToken cancellationToken)
    {
        var period = Parse(message.Period);
        var (sellerId, hub) = (message.SellerId!, message.Hub!);
        if (await runs.HasItemAsync(period, sellerId, hub, cancellationToken).ConfigureAwait(false))
        {
            return new BillingRunItem(sellerId, hub, null, null, null);
        }

        var item = await InvoiceAsync(period, sellerId, hub, cancellationToken).ConfigureAwait(false);
        faults.AfterInvoice(sellerId, hub);
        await retry.RunAsync(async (_, ct) =>
        {
            var state = await runs.GetAsync(period, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"No billing run of {period}.");
            if (await runs.HasItemAsync(period, sellerId, hub, ct).ConfigureAwait(false))
            {
                return 0;
            }

            var counted = item.InvoiceId is null ? state with { Errors = state.Errors + 1 } : state with { Invoices = state.Invoices + 1 };
            var after = Complete(counted with { Done = state.Done + 1 }, out var events);
            await runs.CommitItemAsync(after, item, events, ct).ConfigureAwait(false);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        return item;
    }

    private async Task<BillingRunItem> InvoiceAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken)
    {
        var invoiceId = InvoiceIds.For(sellerId, hub, period);
        var stored = await retry.RunAsync(async (_, ct) =>
        {
            if (await ledger.FindInvoiceAsync(sellerId, hub, period, ct).ConfigureAwait(false) is { } existing)
            {
                return (existing, (InvoiceResult?)null);
            }

            var history = await cards.HistoryAsync(hub, ct).ConfigureAwait(false);
            var rollups = await ledger.RollupsAsync(sellerId, hub, period, ct).ConfigureAwait(false);
            var snapshots = await ledger.SnapshotsAsync(sellerId, hub, period, ct).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var claims = (await ledger.OpenClaimsAsync(sellerId, hub, ct).ConfigureAwait(false)).Where(c => c.RecordedAt <= now).ToList();
            var usage = rollups.Select(r => new UsageRecord($"{r.Date:yyyyMMdd}|{r.Kind}", sellerId, hub, r.Kind, r.Units,
                new DateTimeOffset(r.Date.ToDateTime(new TimeOnly(12, 0)), ChinaTime.Offset))).ToList();
            var input = new InvoiceInput(sellerId, hub, period, ChinaTime.DateOf(now), usage, snapshots,
                [.. claims.Select(c => new ClaimCredit(c.Claim.ClaimId, c.Claim.OrderId, c.Claim.GoodsValueCny))]);
            var result = InvoiceCalculator.Compute(input, history, calendar);
            if (!result.Billed)
            {
                return ((StoredInvoice?)null, result);
            }

            var draft = result.Invoice!;
            var issued = HubEvent.Create(BillingEventTypes.InvoiceIssued, $"sellers/{sellerId}/invoices/{invoiceId}",
                new
                {
                    invoiceId,
                    sellerId,
                    hub,
                    period = period.ToString(),
                    issuedOn = draft.IssuedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    settlementOn = draft.SettlementOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    total = draft.Total,
                    currency = "CNY",
                }, clock, ids, sellerId, hub);
            await ledger.AddInvoiceAsync(invoiceId, draft, claims, [issued], ct).ConfigureAwait(false);
            return (new StoredInvoice(invoiceId, draft), null);
        }, cancellationToken).ConfigureAwait(false);

        if (stored.Item1 is { } invoice)
        {
            await documents.StoreAsync(invoice, cancellationToken).ConfigureAwait(false);
            return new BillingRunItem(sellerId, hub, invoice.InvoiceId, null, null);
        }

        return new BillingRunItem(sellerId, hub, null, stored.Item2!.ErrorCode, stored.Item2.ErrorMessage);
    }

    /// <summary>Marks the run completed, with its event, when every page is counted and every counted seller-hub is done.</summary>
    private BillingRunState Complete(BillingRunState state, out IReadOnlyList<HubEvent> events)
    {
        events = [];
        if (state.Completed || !state.FannedOut || state.Done < state.Total)
        {
            return state;
        }

        var now = clock.GetUtcNow();
        events =
        [
            HubEvent.Create(BillingEventTypes.RunCompleted, $"billing-runs/{state.RunId}",
                new { runId = state.RunId, period = state.Period.ToString(), sellers = state.Total, invoices = state.Invoices, errors = state.Errors }, clock, ids),
        ];
        return state with { CompletedAt = now };
    }

    private static BillingPeriod Parse(string text)
        => CalendarMonth.TryParse(text, out var month) ? new BillingPeriod(month) : throw new FormatException($"'{text}' is not a billing period.");
}
