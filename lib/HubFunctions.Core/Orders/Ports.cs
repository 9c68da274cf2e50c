using HubFunctions.Core.Events;

namespace HubFunctions.Core.Orders;

/// <summary>
/// An order as stored: the order, the fingerprint of the body that created it (intake idempotency) and the token (ETag) a change
/// must match; <paramref name="OutcomePartition"/>: where the store files the order's outcome, the index key its intake passed to
/// <see cref="IOrderStore.AddFiledAsync"/> (a duplicate intake compares its own key with it, <see cref="OrderHandler.SubmitAsync"/>;
/// a store may give the order id for an order filed before it kept that key; null: the store's default).
/// </summary>
public sealed record StoredOrder(Order Order, string Fingerprint, string ConcurrencyToken, string? OutcomePartition = null);

/// <summary>Which of an order's insert-only rows <see cref="IOrderStore.FindWrittenByAsync"/> looks at.</summary>
public enum OrderWrite
{
    /// <summary>The order row, written once by the intake that created the order.</summary>
    Intake,

    /// <summary>The outcome row, inserted once by the instruction or conversion that decided the order.</summary>
    Outcome,
}

/// <summary>
/// Where orders and their deadline index live. Every change is conditional on what was read (a token
/// mismatch, or an order that exists already, throws <see cref="Common.ConcurrencyConflictException"/>)
/// and commits its events in the same transaction.
/// </summary>
public interface IOrderStore
{
    /// <summary>The order, or null (also for an id that cannot be a key).</summary>
    Task<StoredOrder?> FindAsync(string orderId, CancellationToken cancellationToken);

    /// <summary>
    /// The order as intake stored it, <b>without reading its outcome</b> (an instruction or conversion after intake): its status
    /// is intake's (open, or converted at intake) and its token that of an order without an outcome, so a change based on it
    /// inserts the outcome and conflicts if one exists. Only for a decision that such an insert checks; anything else must
    /// complete it first (<see cref="WithOutcomeAsync"/>). Null as <see cref="FindAsync"/>. The default reads the outcome too.
    /// </summary>
    Task<StoredOrder?> FindOrderRowAsync(string orderId, CancellationToken cancellationToken) => FindAsync(orderId, cancellationToken);

    /// <summary>
    /// <paramref name="orderRow"/> (as <see cref="FindOrderRowAsync"/> read it) with its outcome, read now: the order as
    /// <see cref="FindAsync"/> would answer, without reading the order row again (it never changes). The default reads both.
    /// </summary>
    async Task<StoredOrder> WithOutcomeAsync(StoredOrder orderRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderRow);
        return await FindAsync(orderRow.Order.OrderId, cancellationToken).ConfigureAwait(false) ?? orderRow;
    }

    /// <summary>
    /// The order as the operation <paramref name="operationKey"/> (<see cref="Common.HubOperation.Key"/>) stored it, or null when that
    /// operation did not store it: with <see cref="OrderWrite.Intake"/> the order row alone (as <see cref="FindOrderRowAsync"/>) when
    /// that operation's intake inserted it; with <see cref="OrderWrite.Outcome"/> the order with its outcome (as <see cref="FindAsync"/>)
    /// when that operation's commit inserted the outcome. Both rows are insert-only, so they show what that operation stored, whatever
    /// happened to the order since. For answering a retry of the operation from the rows it wrote (a derived replay: the functions
    /// leave such answers unrecorded, so every store must answer this; no default).
    /// </summary>
    Task<StoredOrder?> FindWrittenByAsync(string orderId, string operationKey, OrderWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a new order (insert-only) with its events. With <paramref name="indexKey"/> the order gets its deadline index row
    /// <b>first</b> (<see cref="AddIndexAsync"/>), so a crash between the two leaves at most an index
    /// row without an order (which the sweep ignores), never an open order the sweep cannot find. True when this call's commit
    /// stored the order; false when an earlier attempt of the same operation (the same commit stamp) had stored it. An order
    /// stored by another operation throws <see cref="Common.ConcurrencyConflictException"/>.
    /// </summary>
    Task<bool> AddAsync(Order order, string fingerprint, string? indexKey, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AddAsync"/> without writing the index row, for an order whose row the caller wrote under
    /// <paramref name="filedUnder"/> first (<see cref="AddIndexAsync"/>): the store may keep the order's outcome there too, so the
    /// sweep of that index partition reads the outcomes of all its orders at once (<see cref="WithOutcomesAsync"/>). The default
    /// ignores it.
    /// </summary>
    Task<bool> AddFiledAsync(Order order, string fingerprint, string filedUnder, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
        => AddAsync(order, fingerprint, null, events, cancellationToken);

    /// <summary>
    /// Inserts <paramref name="order"/>'s deadline index row in partition <paramref name="indexKey"/> unless a row of that order is
    /// there already (left as it is). True when this operation wrote it (this call, or an earlier attempt of the same operation).
    /// </summary>
    Task<bool> AddIndexAsync(string indexKey, Order order, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="AddIndexAsync(string, Order, CancellationToken)"/>, the row carrying what the sweep needs (<see cref="IndexEntry"/>):
    /// the exact deadline and, when it fits, the order as this intake stores it with its <paramref name="fingerprint"/>.
    /// </summary>
    Task<bool> AddIndexAsync(string indexKey, Order order, string fingerprint, CancellationToken cancellationToken) => AddIndexAsync(indexKey, order, cancellationToken);

    /// <summary>
    /// Rewrites <paramref name="order"/>'s row in partition <paramref name="indexKey"/> with its data, after this intake stored the
    /// order although the row was there before (written by an intake that never stored its order: its data is not the order's).
    /// A row gone meanwhile stays gone.
    /// </summary>
    Task ReplaceIndexAsync(string indexKey, Order order, string fingerprint, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The rows of one deadline index partition as the sweep reads them (one single-partition query): each order id with what its
    /// row carries (<see cref="IndexEntry"/>; a row of an older layout carries nothing but the id).
    /// </summary>
    async Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string indexKey, CancellationToken cancellationToken)
        => [.. (await ListIndexAsync(indexKey, cancellationToken).ConfigureAwait(false)).Select(id => new IndexEntry(id))];

    /// <summary>
    /// The order of an index row, as <see cref="FindAsync"/> would answer, reading no more than it must: with the row's data the
    /// order row is read only when no outcome row vouches for it (<see cref="IndexEntry"/>). Null when the order does not exist.
    /// </summary>
    Task<StoredOrder?> FindIndexedAsync(IndexEntry entry, CancellationToken cancellationToken) => FindAsync(entry.OrderId, cancellationToken);

    /// <summary>
    /// <paramref name="entries"/> (rows of <paramref name="indexKey"/> the sweep is about to read) with the outcomes the store filed
    /// under that key attached (<see cref="IndexEntry.Outcomes"/>), read at once, so <see cref="FindIndexedAsync"/> reads less.
    /// The default attaches nothing.
    /// </summary>
    Task<IReadOnlyList<IndexEntry>> WithOutcomesAsync(string indexKey, IReadOnlyList<IndexEntry> entries, CancellationToken cancellationToken)
        => Task.FromResult(entries);

    /// <summary>
    /// Replaces <paramref name="before"/> by <paramref name="after"/> if unchanged since read, with its events. True when this call
    /// stored it; false when an earlier attempt of the same operation (the same commit stamp) had stored it: what is stored is then
    /// that attempt's change, perhaps not <paramref name="after"/> (read it to answer from it).
    /// </summary>
    Task<bool> UpdateAsync(StoredOrder before, Order after, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);

    /// <summary>The order ids in one deadline index partition (<see cref="DeadlineIndex.Key"/>): one single-partition query.</summary>
    Task<IReadOnlyList<string>> ListIndexAsync(string indexKey, CancellationToken cancellationToken);

    /// <summary>The index partitions from <paramref name="firstKey"/> through <paramref name="lastKey"/> (key order is time order) that hold a row: one range query, for catching up a long gap.</summary>
    Task<IReadOnlyList<string>> IndexKeysAsync(string firstKey, string lastKey, CancellationToken cancellationToken);

    /// <summary>Removes the index rows of finished orders from one partition (rows already gone are fine).</summary>
    Task RemoveIndexAsync(string indexKey, IReadOnlyList<string> orderIds, CancellationToken cancellationToken);

    /// <summary>The minute of the earliest index row, or null when the index is empty (the first sweep ever starts there).</summary>
    Task<DateTimeOffset?> EarliestIndexMinuteAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="max"/> rows left in the index minutes before <paramref name="before"/> (oldest minute first):
    /// rows no sweep message will read again, because their minute is that far behind the checkpoint (a finished order
    /// whose row delete failed, an index row without an order, a row written after the minute's last read).
    /// </summary>
    /// <remarks>A row deferred (<see cref="DeferIndexAsync"/>) until after <paramref name="now"/> is passed over, so rows that keep failing do not hold back the rows after them.</remarks>
    Task<IReadOnlyList<IndexRow>> LeftoverIndexRowsAsync(DateTimeOffset before, DateTimeOffset now, int max, CancellationToken cancellationToken);

    /// <summary>Marks <paramref name="rows"/> (leftovers whose order could not be finished) so <see cref="LeftoverIndexRowsAsync"/> passes over them until <paramref name="until"/>; rows gone meanwhile are fine.</summary>
    Task DeferIndexAsync(IReadOnlyList<IndexRow> rows, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the index of every minute before <paramref name="before"/> that holds no row any more (every order in it
    /// finished and its row removed); a minute with rows left is kept. Returns how many minutes were dropped.
    /// </summary>
    Task<int> DropSweptBucketsAsync(DateTimeOffset before, CancellationToken cancellationToken);
}

/// <summary>One row of the deadline index: its partition key (<see cref="DeadlineIndex.Key"/>) and order id.</summary>
public sealed record IndexRow(string IndexKey, string OrderId);

/// <summary>A sweep's checkpoint as read: the last minute fully swept (null before the first run).</summary>
public sealed record SweepCheckpoint(DateTimeOffset? SweptThrough);

/// <summary>The cutoff sweep's forward-only checkpoint (the shared <c>ForwardCheckpoint</c> of <c>HubFunctions.Infrastructure.Common</c>).</summary>
public interface ISweepCheckpoint
{
    Task<SweepCheckpoint> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Moves the checkpoint to <paramref name="sweptThrough"/> unless it is there or later already (overlapping runs: the later point wins; never back); returns where it stands.</summary>
    Task<DateTimeOffset> AdvanceAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken);
}

/// <summary>The fan-out of the cutoff sweep: one message per due index partition (shard of a minute).</summary>
public interface IOrderCutoffQueue
{
    Task EnqueueAsync(IReadOnlyList<CutoffMessage> messages, CancellationToken cancellationToken);

    /// <summary>
    /// Moves up to <paramref name="max"/> messages that the host gave up on (its poison queue) back onto the queue, text
    /// unchanged (the same run: a conversion that did commit is found again, not repeated); returns how many. The
    /// checkpoint is past their minutes already, so without this their open orders would never be swept. Only a message
    /// whose index minute is <paramref name="notBefore"/>'s minute or later is put back; an older one is deleted (its
    /// minute's rows are the planner's leftover pass's job now, which reads them itself), so a message that always fails
    /// is not put back for ever. A message that is not a cutoff message stays where it is.
    /// </summary>
    Task<int> RequeuePoisonedAsync(DateTimeOffset notBefore, int max, CancellationToken cancellationToken) => Task.FromResult(0);
}

/// <summary>
/// One fan-out message: an index partition and the planning run that queued it. The run names the operation
/// every conversion of the message runs in, so a redelivered message repeats its own ids and commit stamps
/// (and finds its own commit), while an overlapping run's are different (it loses on the ETag and re-reads).
/// </summary>
public sealed record CutoffMessage(string IndexKey, string Run)
{
    /// <summary><c>{indexKey}|{run}</c>.</summary>
    public string Text => IndexKey + "|" + Run;

    /// <summary>The message in <paramref name="text"/>, or null when it is not one.</summary>
    public static CutoffMessage? Parse(string? text)
    {
        var bar = text?.IndexOf('|', StringComparison.Ordinal) ?? -1;
        return bar > 0 && bar < text!.Length - 1 && text.Length <= 100 ? new CutoffMessage(text[..bar], text[(bar + 1)..]) : null;
    }
}
