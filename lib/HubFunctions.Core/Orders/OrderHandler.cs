using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Orders;

/// <summary>How an intake ended.</summary>
public enum OrderIntakeOutcome
{
    /// <summary>Stored now (202).</summary>
    Created,

    /// <summary>
    /// Stored by an earlier attempt of this very request (the same operation: a retry after a failure that followed the order's
    /// commit): answered with the order row as that attempt stored it (202), as <see cref="Created"/> was, whatever happened to the
    /// order since, so every attempt of one request gets the same answer.
    /// </summary>
    StoredByEarlierAttempt,

    /// <summary>The same order was stored before (same fingerprint): answered as before (202), nothing changes.</summary>
    Existing,

    /// <summary>The <c>orderId</c> is taken by a different body (409 <see cref="OrderCodes.DifferentBody"/>).</summary>
    Conflict,
}

/// <summary>The intake's answer: the order as stored and how it ended.</summary>
public sealed record OrderIntakeResult(OrderIntakeOutcome Outcome, Order Order);

/// <summary>
/// Order intake (DSP-1, BIL-10 and the field rules are checked by <see cref="OrderSubmission.Check"/> and SEC-2 by the
/// caller, before) and dispatch instructions (DSP-2, DSP-4, DSP-6). An order is insert-only, so two intakes of one
/// <c>orderId</c> racing store one order; the loser re-reads it and compares fingerprints. An instruction commits
/// under the order's token: racing the cutoff sweep, exactly one of them changes the order, the other re-reads the
/// final order and answers from it. After each change (and after an answer "as before", which may be the retry of a
/// request whose counting failed) the DSP-5 counters are brought up to the order's state (<see cref="ISellerMetricsStore"/>,
/// exactly once per order and contribution; a created order and an accepted instruction through
/// <see cref="ISellerMetricsStore.CountSoonAsync"/>, which may commit the count a moment after the answer).
/// </summary>
public sealed class OrderHandler(IOrderStore store, ISellerMetricsStore metrics, OptimisticRetry retry, IIdSource ids, TimeProvider clock, OrderOptions options)
{
    public Task<StoredOrder?> FindAsync(string orderId, CancellationToken cancellationToken) => store.FindAsync(orderId, cancellationToken);

    /// <summary>The order row alone, not its outcome (<see cref="IOrderStore.FindOrderRowAsync"/>): what <see cref="InstructAsync"/> starts from.</summary>
    public Task<StoredOrder?> FindOrderRowAsync(string orderId, CancellationToken cancellationToken) => store.FindOrderRowAsync(orderId, cancellationToken);

    /// <summary>The order as the operation <paramref name="operationKey"/> stored it, if it did (<see cref="IOrderStore.FindWrittenByAsync"/>): to answer that operation's retry.</summary>
    public Task<StoredOrder?> FindWrittenByAsync(string orderId, string operationKey, OrderWrite write, CancellationToken cancellationToken)
        => store.FindWrittenByAsync(orderId, operationKey, write, cancellationToken);

    /// <summary>Stores <paramref name="valid"/> (already past its deadline: converted in the same commit), or answers the order stored before under its id.</summary>
    public async Task<OrderIntakeResult> SubmitAsync(ValidOrder valid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var fingerprint = valid.Fingerprint();
        var result = await retry.RunAsync(async (_, ct) =>
        {
            // No read first: almost every intake is new, and the order row's insert is the check (an order is insert-only).
            var now = clock.GetUtcNow();
            var order = valid.ToOrder(now);
            var events = new List<HubEvent> { OrderEvent(OrderEvents.Received, order, ReceivedData(order)) };
            // Also for an order converted here: the index row (filed in this intake's minute, never behind the checkpoint) makes the
            // sweep re-check its DSP-5 counting, in case this request dies between the order's commit and the counters'.
            var indexKey = DeadlineIndex.IntakeKeyOf(order, now, options.ShardCount);
            if (order.IsConversionDue(now))
            {
                // The sweep's checkpoint may be past this deadline's bucket already: convert here.
                var conversion = order.Convert(now);
                order = conversion.Order;
                events.Add(OrderEvent(OrderEvents.ConvertedToNonHub, order, conversion.Event!));
            }

            // The index row first (the crash analysis of IOrderStore.AddAsync): a crash before the order leaves a row the sweep ignores.
            // It carries the deadline and this order's data, so the sweep reads nothing for it before it is due (IndexEntry).
            var indexAdded = await store.AddIndexAsync(indexKey, order, fingerprint, ct).ConfigureAwait(false);
            var storedBefore = false;
            try
            {
                // False: an earlier attempt of this operation committed the order row (its commit stamp is on it).
                storedBefore = !await store.AddFiledAsync(order, fingerprint, indexKey, events, ct).ConfigureAwait(false);
                if (!storedBefore)
                {
                    if (!indexAdded)
                    {
                        // A row of this id was in the partition already, yet this intake stored the order: that row's intake never
                        // stored its order (it died, or it is losing to this one) and its data, perhaps another body's, is not the order's.
                        await store.ReplaceIndexAsync(indexKey, order, fingerprint, ct).ConfigureAwait(false);
                    }

                    return new OrderIntakeResult(OrderIntakeOutcome.Created, order);
                }
            }
            catch (ConcurrencyConflictException)
            {
                // Stored before by another intake: answered from it below (none found: it went meanwhile, the retry starts again).
            }

            // An earlier attempt's order: the row alone, as that attempt answered (and a derived replay answers); another's: as it is now.
            var existing = await (storedBefore ? store.FindOrderRowAsync(valid.OrderId, ct) : store.FindAsync(valid.OrderId, ct)).ConfigureAwait(false)
                ?? throw new ConcurrencyConflictException($"Order '{valid.OrderId}' conflicted on insert but is not stored.");
            // Where the stored order's intake filed it: the key on its row (since session s11; an older row names its order id
            // there), else computed as that intake would have (review of s15: the filing rule changed, the stored key did not).
            var storedKey = existing.OutcomePartition is { } filed && filed != existing.Order.OrderId
                ? filed
                : DeadlineIndex.IntakeKeyOf(existing.Order, existing.Order.ReceivedAt, options.ShardCount);
            if (indexAdded && indexKey != storedKey)
            {
                // This intake's row points at an order indexed elsewhere (another body, or the same one past its deadline a minute
                // later): removed, so a duplicate leaves the index as it was. A crash first leaves it: harmless, the sweep reads
                // the order itself (NotDue stays until the order is finished, then the row goes).
                await store.RemoveIndexAsync(indexKey, [valid.OrderId], ct).ConfigureAwait(false);
            }

            return new OrderIntakeResult(
                // The fingerprint decides even then: a webhook-id is a new message again after its window (API.md), perhaps with
                // another body for this orderId, and its operation stamps as the old one did.
                existing.Fingerprint != fingerprint ? OrderIntakeOutcome.Conflict
                    : storedBefore ? OrderIntakeOutcome.StoredByEarlierAttempt : OrderIntakeOutcome.Existing,
                existing.Order);
        }, cancellationToken).ConfigureAwait(false);
        if (result.Outcome == OrderIntakeOutcome.Created)
        {
            // Just created by this call: no marker can exist yet, so the store need not read it (and may gather it with others).
            await metrics.CountSoonAsync(result.Order, created: true, cancellationToken).ConfigureAwait(false);
        }
        else if (result.Outcome is OrderIntakeOutcome.Existing or OrderIntakeOutcome.StoredByEarlierAttempt)
        {
            await metrics.CountAsync(result.Order, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>DSP-5: brings the counters up to the <paramref name="orders"/>' states (repeatable; the sweep calls it for the orders it finishes).</summary>
    public Task CountAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken) => metrics.CountAsync(orders, cancellationToken);

    /// <summary>As <see cref="CountAsync(IReadOnlyList{Order}, CancellationToken)"/>; <paramref name="changedNow"/>: the orders the caller has just converted (<see cref="ISellerMetricsStore"/>).</summary>
    public Task CountAsync(IReadOnlyList<Order> orders, IReadOnlySet<string> changedNow, CancellationToken cancellationToken) => metrics.CountAsync(orders, changedNow, cancellationToken);

    /// <summary>
    /// A dispatch instruction for the order <paramref name="read"/> of <paramref name="seller"/>, received now; <paramref name="read"/>
    /// is the order row alone, read by the caller just before (<see cref="FindOrderRowAsync"/>). Null when there is no such order of
    /// this seller. The first attempt decides on <paramref name="read"/> as if the order had no outcome, which is so for almost every
    /// instruction (an on-time first one). If that decision is <see cref="InstructionOutcomeKind.Accepted"/>, the outcome's insert
    /// is the check: an outcome that exists (instructed before, converted by the sweep, or written meanwhile) makes it conflict; an
    /// outcome is insert-only, so it is read at once (no retry pause) and the decision made on the order with it. Any other decision
    /// (late, frozen, converted at intake) is not trusted on the order row alone: the outcome is read first
    /// (<see cref="IOrderStore.WithOutcomeAsync"/>) and the decision made on the full state, so the same <c>instructionId</c> after
    /// the deadline is still answered as before and a converted order is DSP-4. An insert that meets this operation's own earlier
    /// commit (a request retried after a failure that followed its commit) is decided the same way, so it is answered as that
    /// attempt stored it. A conflict that finds no outcome, and any conflict after that, is retried under <see cref="OptimisticRetry"/>,
    /// each attempt reading the order and its outcome (<see cref="IOrderStore.FindAsync"/>).
    /// </summary>
    public async Task<InstructionOutcome?> InstructAsync(StoredOrder read, string instructionId, Seller seller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(seller);
        var orderId = read.Order.OrderId;
        var result = await retry.RunAsync<InstructionOutcome?>(async (attempt, ct) =>
        {
            var stored = attempt == 1 ? read : await store.FindAsync(orderId, ct).ConfigureAwait(false);
            if (stored is null || !string.Equals(stored.Order.SellerId, seller.SellerId, StringComparison.Ordinal))
            {
                return null;
            }

            var instruction = new DispatchInstruction(instructionId, clock.GetUtcNow());
            var outcome = stored.Order.Instruct(instruction, seller);
            var onOrderRow = attempt == 1;
            if (onOrderRow && outcome.Kind != InstructionOutcomeKind.Accepted)
            {
                // Decided on the order row alone: only an acceptance is checked (by the insert). Anything else is decided on the full state.
                stored = await store.WithOutcomeAsync(stored, ct).ConfigureAwait(false);
                outcome = stored.Order.Instruct(instruction, seller);
                onOrderRow = false;
            }

            if (outcome.Kind != InstructionOutcomeKind.Accepted)
            {
                return outcome;
            }

            var instructed = outcome.Order;
            bool committed;
            try
            {
                committed = await store.UpdateAsync(stored, instructed, [OrderEvent(OrderEvents.Instructed, instructed, instructed.InstructedEventData())], ct).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (onOrderRow)
            {
                committed = false;
            }

            if (committed)
            {
                return outcome;
            }

            if (onOrderRow)
            {
                // The insert met an outcome (instructed before, converted, or this operation's own earlier commit). Outcomes are
                // insert-only, so it is there to read now, no retry pause: decided on the full state. None found: the ordinary retry.
                var full = await store.WithOutcomeAsync(stored, ct).ConfigureAwait(false);
                var decided = full.Order.Instruct(instruction, seller);
                if (decided.Kind != InstructionOutcomeKind.Accepted)
                {
                    return decided;
                }
            }

            throw new ConcurrencyConflictException($"Order '{orderId}': the instruction's outcome met another one (or this operation's earlier commit); read again.");
        }, cancellationToken).ConfigureAwait(false);
        if (result?.Kind is InstructionOutcomeKind.Accepted)
        {
            // Just instructed by this call: its on-time instruction is not counted yet (a hint; the store checks).
            await metrics.CountSoonAsync(result.Order, created: false, cancellationToken).ConfigureAwait(false);
        }
        else if (result?.Kind is InstructionOutcomeKind.AlreadyApplied)
        {
            await metrics.CountAsync(result.Order, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// DSP-3 for one order: converts it if it is open and past its deadline now, under its token, with
    /// <c>hub.order.converted-to-non-hub</c>. Returns the order as it ends (null: no such order), and whether this call converted it.
    /// </summary>
    public Task<(Order? Order, bool Converted)> ConvertIfDueAsync(string orderId, CancellationToken cancellationToken)
        => ConvertIfDueAsync(new IndexEntry(orderId), cancellationToken);

    /// <summary>
    /// As <see cref="ConvertIfDueAsync(string, CancellationToken)"/> for the order of an index row: read through
    /// <see cref="IOrderStore.FindIndexedAsync"/>, which reads the order row only when the row's data and the outcome row cannot stand
    /// for it (a conversion, an order that may not exist); the conversion is still conditional on the token read.
    /// </summary>
    public Task<(Order? Order, bool Converted)> ConvertIfDueAsync(IndexEntry entry, CancellationToken cancellationToken)
        => retry.RunAsync<(Order?, bool)>(async (attempt, ct) =>
        {
            // The outcomes read with the index are a snapshot: a retry (after a conflict, e.g. an instruction that came since) reads again.
            var stored = await store.FindIndexedAsync(attempt == 1 ? entry : entry with { Outcomes = null }, ct).ConfigureAwait(false);
            if (stored is null)
            {
                return (null, false);
            }

            var conversion = stored.Order.Convert(clock.GetUtcNow());
            if (!conversion.Converted)
            {
                return (stored.Order, false);
            }

            await store.UpdateAsync(stored, conversion.Order, [OrderEvent(OrderEvents.ConvertedToNonHub, conversion.Order, conversion.Event!)], ct).ConfigureAwait(false);
            return (conversion.Order, true);
        }, cancellationToken);

    private static object ReceivedData(Order o) => new
    {
        orderId = o.OrderId,
        sellerId = o.SellerId,
        hub = o.Hub,
        channel = o.Channel,
        createdAt = o.CreatedAt,
        dispatchDeadline = o.DispatchDeadline,
        premium = o.Premium,
        lines = o.Items.Count,
    };

    private HubEvent OrderEvent<T>(string type, Order o, T data) => HubEvent.Create(type, $"orders/{o.OrderId}", data, clock, ids, o.SellerId, o.Hub);
}
