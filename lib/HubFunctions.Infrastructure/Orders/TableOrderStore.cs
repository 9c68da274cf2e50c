using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Infrastructure.Orders;

/// <summary>
/// Orders in <see cref="StorageNames.OrdersTable"/>, <b>one partition per order id</b> (row <see cref="OrderRowKey"/>,
/// <c>order|{orderId}</c>, the witness of its intake's events: no outbox rows since session s9): every read and change is by order id (the routes name
/// nothing else), so a point read, and 2.8 M orders a day spread over as many partitions. The row key is unique per
/// order (not a constant such as <c>order</c>): Azurite finds a row by its row key first, then scans every row sharing it.
/// The order row is written once, at intake, and never updated: what happens to the order later (instructed, converted)
/// is its insert-only outcome row <see cref="OutcomeRowKey"/> (<c>outcome|{orderId}</c>) in
/// <see cref="StorageNames.OrderOutcomesTable"/>, committed there with its events, which it witnesses when it is inserted
/// (<see cref="UpdateAsync"/>). Its partition is the order's deadline index key (<c>202612010359-07</c>), written on the order
/// row at intake (<see cref="OutcomePartitionProperty"/>; an order row without it, written before session s11: the order id),
/// so the sweep reads the outcomes of a due index partition with one query (<see cref="WithOutcomesAsync"/>) instead of one
/// point read per order. So the sweep's writes never touch the table of all open orders (on Azurite every update or
/// delete costs O(rows in the table); Orders/DECISIONS.md).
/// <para>
/// The deadline index is in <b>one table per deadline minute</b>, <see cref="StorageNames.OrderDeadlinesTable"/> followed by
/// the UTC minute (<c>orderdeadlines202612010359</c>): partition = the shard (<c>07</c>), row = order id. The index key
/// <see cref="DeadlineIndex.Key"/> (<c>202612010359-07</c>) names the table and the partition. A bucket table is created
/// on its first write (each process remembers the tables it made) and dropped whole by the planner once its minute is
/// <see cref="DeadlineIndex.DropSweptAfter"/> behind the checkpoint and it holds no row (<see cref="DropSweptBucketsAsync"/>).
/// So a sweep's query reads one minute's rows, never the open orders of the next two hours (on Azurite every query scans
/// its whole table). The index row and the order cannot share a transaction, so the index row is written <b>first</b>;
/// a crash in between leaves an index row without an order, which the sweep ignores. Intake inserts without reading first
/// (<see cref="OrderHandler.SubmitAsync"/>), so an intake of an order stored before writes its index row too: an insert
/// (<see cref="AddIndexAsync"/>), so a row of that order already in that partition stays as it was, and one in another
/// minute (another body's deadline, or the same order re-sent past its deadline in a later minute) is removed by the loser
/// once the order's insert conflicts. A crash before that removal leaves a row pointing at an order indexed elsewhere: as
/// harmless as the rows a failed intake and its later retry leave on main, because the sweep reads the order itself
/// (converts it only if due, keeps the row while the order is open, removes it once the order is finished).
/// </para>
/// </summary>
public sealed class TableOrderStore(HubStorage storage, TableOutbox outbox) : IOrderStore
{
    /// <summary>On a leftover index row whose order failed: the leftover pass passes over it until then (<see cref="DeferIndexAsync"/>).</summary>
    public const string DeferredUntil = "DeferredUntil";

    /// <summary>The <see cref="StoredOrder.ConcurrencyToken"/> of an order without an outcome row: its change inserts one.</summary>
    public const string NoOutcome = "no-outcome";

    /// <summary>
    /// An index row carries the order's data only when its items' JSON is at most this long (8 KB as UTF-16, an eighth of a
    /// property's 64 KiB and far below an entity's 1 MiB, and a partition of 125 such rows is one modest query page); a longer
    /// order's row carries its deadline only, and the sweep reads that order as before once it is due.
    /// </summary>
    public const int IndexDataMaxItemsChars = 4_096;

    /// <summary>On an index row: the order's exact dispatch deadline (every row written since issue 11 (d)).</summary>
    public const string IndexDeadline = "Deadline";

    /// <summary>
    /// On an order row: the partition of its outcome row in <see cref="StorageNames.OrderOutcomesTable"/>, the index key its
    /// intake filed it under (written once, with the order; a later change of the shard count does not move it). Absent on a row
    /// written before session s11 or without an index row: the order id.
    /// </summary>
    public const string OutcomePartitionProperty = "OutcomePartition";

    /// <summary>On an outcome row: the fingerprint of the order it belongs to, so an index row's data can be checked against it without reading the order row.</summary>
    public const string OutcomeOrderFingerprint = "OrderFingerprint";

    /// <summary>On an outcome row: the <see cref="Order.ReceivedAt"/> of the order it belongs to (with the fingerprint: the index row's data is the stored order's).</summary>
    public const string OutcomeOrderReceivedAt = "OrderReceivedAt";

    /// <summary>What the sweep's query of an outcomes partition reads (<see cref="WithOutcomesAsync"/>): what <see cref="WithOutcome"/> and the match need.</summary>
    private static readonly string[] OutcomeColumns = ["PartitionKey", "RowKey", "Status", "InstructionId", "InstructedAt", "ConvertedAt", OutcomeOrderFingerprint, OutcomeOrderReceivedAt];

    /// <summary>A process forgets the bucket tables it made beyond this many (the oldest minutes first): it writes only to the next few hours' minutes.</summary>
    private const int KnownBucketsKept = 400;

    /// <summary>A table string property holds 32K UTF-16 characters: longer item lists are split over <c>Items</c>, <c>Items1</c>, ...</summary>
    private const int ItemsChunk = 30_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<TableClient>>> _buckets = new(StringComparer.Ordinal);

    /// <summary>The row key of an order's row in its partition: <c>order|{orderId}</c>.</summary>
    public static string OrderRowKey(string orderId) => "order|" + orderId;

    /// <summary>The row key of an order's outcome in its partition of <see cref="StorageNames.OrderOutcomesTable"/>: <c>outcome|{orderId}</c>.</summary>
    public static string OutcomeRowKey(string orderId) => "outcome|" + orderId;

    /// <summary>
    /// The order's row, then (only when it exists) its outcome row: the order as intake stored it, with the status,
    /// instruction and conversion of its outcome if it has one. The token is the outcome row's ETag, or <see cref="NoOutcome"/>.
    /// </summary>
    public async Task<StoredOrder?> FindAsync(string orderId, CancellationToken cancellationToken)
    {
        // Sequential, not in parallel: most reads of an order that does not exist are intakes, which would pay a second read for nothing.
        return await ReadOrderRowAsync(orderId, cancellationToken).ConfigureAwait(false) is { } e
            ? FromEntities(e, await ReadOutcomeAsync(OutcomePartitionOf(e), orderId, cancellationToken).ConfigureAwait(false))
            : null;
    }

    /// <summary>The order's row alone, one point read: the order as intake stored it, token <see cref="NoOutcome"/> (<see cref="IOrderStore.FindOrderRowAsync"/>).</summary>
    public async Task<StoredOrder?> FindOrderRowAsync(string orderId, CancellationToken cancellationToken)
        => await ReadOrderRowAsync(orderId, cancellationToken).ConfigureAwait(false) is { } e ? FromEntities(e, null) : null;

    /// <summary>The outcome row of <paramref name="orderRow"/>'s order, one point read, applied to it as <see cref="FindAsync"/> does (<see cref="IOrderStore.WithOutcomeAsync"/>).</summary>
    public async Task<StoredOrder> WithOutcomeAsync(StoredOrder orderRow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderRow);
        var orderId = orderRow.Order.OrderId;
        var outcome = await ReadOutcomeAsync(orderRow.OutcomePartition ?? orderId, orderId, cancellationToken).ConfigureAwait(false);
        return outcome is not null ? WithOutcome(orderRow.Order, orderRow.Fingerprint, outcome) : orderRow;
    }

    /// <summary>
    /// One point read (<see cref="OrderWrite.Intake"/>) or two (<see cref="OrderWrite.Outcome"/>: the order row, then its outcome
    /// row); the row that answers must carry a stamp of that operation (<see cref="TableOutbox.WrittenBy"/>).
    /// </summary>
    public async Task<StoredOrder?> FindWrittenByAsync(string orderId, string operationKey, OrderWrite write, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationKey);
        if (await ReadOrderRowAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } row)
        {
            return null;
        }

        if (write == OrderWrite.Intake)
        {
            return TableOutbox.WrittenBy(row, storage.Names.OrdersTable, operationKey) ? FromEntities(row, null) : null;
        }

        var outcome = await ReadOutcomeAsync(OutcomePartitionOf(row), orderId, cancellationToken).ConfigureAwait(false);
        return outcome is not null && TableOutbox.WrittenBy(outcome, storage.Names.OrderOutcomesTable, operationKey) ? FromEntities(row, outcome) : null;
    }

    public async Task<bool> AddAsync(Order order, string fingerprint, string? indexKey, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (indexKey is not null)
        {
            await AddIndexAsync(indexKey, order, fingerprint, cancellationToken).ConfigureAwait(false);
        }

        return await InsertOrderAsync(order, fingerprint, indexKey, events, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The order row alone, its outcomes filed under <paramref name="filedUnder"/> (<see cref="OutcomePartitionProperty"/>).</summary>
    public Task<bool> AddFiledAsync(Order order, string fingerprint, string filedUnder, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentException.ThrowIfNullOrEmpty(filedUnder);
        return InsertOrderAsync(order, fingerprint, filedUnder, events, cancellationToken);
    }

    private async Task<bool> InsertOrderAsync(Order order, string fingerprint, string? indexKey, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        var table = await Orders(cancellationToken).ConfigureAwait(false);
        // The order row is inserted once and never changed or deleted: it witnesses its events (no outbox rows, no relay deletes).
        TableTransactionAction insert = new(TableTransactionActionType.Add, OrderEntity(order, fingerprint, indexKey));
        var outcome = await outbox.CommitAsync(table, order.OrderId, [insert], events, insert, cancellationToken).ConfigureAwait(false);
        return outcome == CommitOutcome.Committed;
    }

    /// <summary>
    /// An insert, not an upsert: an intake that loses to an order stored before (same id, perhaps another body and deadline) must
    /// not rewrite that order's row when its key is the same (its <c>SellerId</c>, its commit stamp).
    /// </summary>
    public Task<bool> AddIndexAsync(string indexKey, Order order, CancellationToken cancellationToken) => AddIndexAsync(indexKey, order, null, cancellationToken);

    /// <inheritdoc cref="AddIndexAsync(string, Order, CancellationToken)"/>
    public async Task<bool> AddIndexAsync(string indexKey, Order order, string? fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var index = await IndexTableAsync(indexKey, cancellationToken).ConfigureAwait(false);
        var row = IndexEntity(indexKey, order, fingerprint);
        try
        {
            await outbox.CommitAsync(index, row.PartitionKey, [new(TableTransactionActionType.Add, row)], [], cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyConflictException e) when (e.InnerException is RequestFailedException { Status: 409 } conflict
            && conflict.ErrorCode == Azure.Data.Tables.Models.TableErrorCode.EntityAlreadyExists.ToString())
        {
            // The order's row is in this partition already, written by another operation: kept as it is. Anything else (a minute's
            // table dropped or being deleted under a stalled call: 404, 409 TableBeingDeleted) propagates: an order must not be
            // stored without its index row (review s7, L1).
            return false;
        }
    }

    /// <summary>
    /// The order's row rewritten with this order's data (<see cref="IndexEntity"/>), under <c>If-Match: *</c>: a row removed meanwhile
    /// (its order finished by a sweep) is not brought back.
    /// </summary>
    public async Task ReplaceIndexAsync(string indexKey, Order order, string fingerprint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        var index = await IndexTableAsync(indexKey, cancellationToken).ConfigureAwait(false);
        var row = IndexEntity(indexKey, order, fingerprint);
        try
        {
            await outbox.CommitAsync(index, row.PartitionKey, [new(TableTransactionActionType.UpdateReplace, row, ETag.All)], [], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Removed meanwhile: the sweep found the order finished (counted it) and removed its row.
        }
    }

    /// <summary>
    /// The order's transition after intake (instructed, converted) as its outcome row in <see cref="StorageNames.OrderOutcomesTable"/>,
    /// with its events, in one outbox commit on that table: inserted when <paramref name="before"/> had none (an outcome
    /// inserted meanwhile is a conflict, so of an instruction and a sweep racing exactly one commits), else replaced under
    /// its ETag. The order row is never written again: the big orders table only ever gets inserts. An inserted outcome is the
    /// witness of its events (no outbox rows; <see cref="TableOutbox.WitnessProperty"/>); a replace keeps outbox rows, and must
    /// not happen while the insert's events are pending (it rewrites the stamp they are proven by; no path replaces today).
    /// False when the commit was this operation's earlier attempt's (<see cref="CommitOutcome.AlreadyCommitted"/>: the outcome
    /// stored is that attempt's).
    /// </summary>
    public async Task<bool> UpdateAsync(StoredOrder before, Order after, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (after with { Status = before.Order.Status, InstructionId = before.Order.InstructionId, InstructedAt = before.Order.InstructedAt, ConvertedAt = before.Order.ConvertedAt } != before.Order)
        {
            // The outcome row carries only what changes after intake; anything else is written once, at intake.
            throw new ArgumentException($"Order '{before.Order.OrderId}': only its status, instruction and conversion change after intake.", nameof(after));
        }

        var table = await Outcomes(cancellationToken).ConfigureAwait(false);
        var row = OutcomeEntity(after, before.OutcomePartition);
        // Whose outcome it is: the sweep compares an index row's data with these instead of reading the order row (FindIndexedAsync).
        row[OutcomeOrderFingerprint] = before.Fingerprint;
        row[OutcomeOrderReceivedAt] = before.Order.ReceivedAt;
        TableTransactionAction change = before.ConcurrencyToken == NoOutcome
            ? new(TableTransactionActionType.Add, row)
            : new(TableTransactionActionType.UpdateReplace, row, new ETag(before.ConcurrencyToken));
        // An inserted outcome is never changed while its events may be pending (no path replaces one): it witnesses them.
        return await outbox.CommitAsync(table, row.PartitionKey, [change], events, change.ActionType == TableTransactionActionType.Add ? change : null, cancellationToken).ConfigureAwait(false) == CommitOutcome.Committed;
    }

    public async Task<IReadOnlyList<string>> ListIndexAsync(string indexKey, CancellationToken cancellationToken)
    {
        var (bucket, shard) = Split(indexKey);
        var ids = new List<string>();
        try
        {
            await foreach (var e in Bucket(bucket).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                ids.Add(e.RowKey);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No order was ever indexed in this minute (or its table was dropped once swept).
        }

        return ids;
    }

    /// <summary>One query of the partition, every column: the rows as <see cref="IndexEntry"/> (<see cref="EntryOf"/>).</summary>
    public async Task<IReadOnlyList<IndexEntry>> ReadIndexAsync(string indexKey, CancellationToken cancellationToken)
    {
        var (bucket, shard) = Split(indexKey);
        var entries = new List<IndexEntry>();
        try
        {
            await foreach (var e in Bucket(bucket).QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {shard}"), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                entries.Add(EntryOf(e));
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No order was ever indexed in this minute (or its table was dropped once swept).
        }

        return entries;
    }

    /// <summary>
    /// The outcomes filed under <paramref name="indexKey"/>, read with one query of that outcomes partition, attached to the
    /// <paramref name="entries"/> that carry an open order's data (<see cref="IndexEntry.Outcomes"/>): its order with its outcome
    /// when the outcome there names the row's fingerprint and receipt instant (the row's data is the stored order's), or none, as of
    /// the query. An entry whose order has an outcome there that does not match (the row of an intake that lost to another body)
    /// gets nothing and is read whole. No query when no entry carries an open order.
    /// </summary>
    public async Task<IReadOnlyList<IndexEntry>> WithOutcomesAsync(string indexKey, IReadOnlyList<IndexEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(indexKey);
        ArgumentNullException.ThrowIfNull(entries);
        if (!entries.Any(Readable))
        {
            return entries;
        }

        var outcomes = await Outcomes(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        // The outcome's columns only (not the witnessed events beside them). On Azurite a query scans its whole table, so this
        // read grows with the outcomes stored, as the index's did before it had a table per minute (Orders/DECISIONS.md).
        await foreach (var e in outcomes.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {indexKey}"), select: OutcomeColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found[e.RowKey] = e;
        }

        return [.. entries.Select(entry =>
        {
            if (!Readable(entry) || entry.Order is not { } indexed)
            {
                return entry;
            }

            if (!found.TryGetValue(OutcomeRowKey(entry.OrderId), out var outcome))
            {
                return entry with { Outcomes = new OutcomesRead(indexKey, null) };
            }

            return entry.Fingerprint is { } fingerprint && outcome.GetString(OutcomeOrderFingerprint) == fingerprint
                && outcome.GetDateTimeOffset(OutcomeOrderReceivedAt) == indexed.ReceivedAt
                ? entry with { Outcomes = new OutcomesRead(indexKey, WithOutcome(indexed, fingerprint, outcome)) }
                : entry;
        })];

        static bool Readable(IndexEntry entry) => entry.Order is { Status: OrderStatus.Open } indexed && indexed.OrderId == entry.OrderId && Ids.IsKeySafe(entry.OrderId);
    }

    /// <summary>
    /// The order of an index row, reading no more than needed. Without data in the row: <see cref="FindAsync"/>. A row written
    /// open with its outcomes read (<see cref="WithOutcomesAsync"/>): an outcome found there is the order's (<b>no read</b>); none
    /// found: the order row is read, as it must be before converting (a row whose intake died before its commit has no order: null,
    /// never converted), and when its outcomes are filed where they were read, it has none as of that read (an outcome inserted
    /// since makes the conversion's insert conflict, token <see cref="NoOutcome"/>, and the retry reads again without the
    /// snapshot); filed elsewhere (a row written before session s11), its outcome row is read there. A row written open without
    /// its outcomes read (a retry): the order row, then its outcome row. A row written converted (due at intake): the order row, and
    /// its outcome row only if that order row is open (an order converted at intake is final and never gets an outcome row).
    /// </summary>
    public async Task<StoredOrder?> FindIndexedAsync(IndexEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Order is not { } indexed || !Ids.IsKeySafe(entry.OrderId) || indexed.OrderId != entry.OrderId)
        {
            return await FindAsync(entry.OrderId, cancellationToken).ConfigureAwait(false);
        }

        if (indexed.Status == OrderStatus.Open && entry.Outcomes is { Decided: { } decided })
        {
            return decided;
        }

        if (await ReadOrderRowAsync(entry.OrderId, cancellationToken).ConfigureAwait(false) is not { } orderRow)
        {
            return null;
        }

        if (OrderWire.ParseStatus(orderRow.GetString("Status")) is { } status && status != OrderStatus.Open)
        {
            return FromEntities(orderRow, null);
        }

        var partition = OutcomePartitionOf(orderRow);
        if (indexed.Status == OrderStatus.Open && entry.Outcomes is { } read && read.Partition == partition)
        {
            return FromEntities(orderRow, null);
        }

        return FromEntities(orderRow, await ReadOutcomeAsync(partition, entry.OrderId, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<string>> IndexKeysAsync(string firstKey, string lastKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(firstKey);
        ArgumentNullException.ThrowIfNull(lastKey);
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var bucket in await BucketsAsync(Split(firstKey).Bucket, Split(lastKey).Bucket + "~", cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await foreach (var e in Bucket(bucket).QueryAsync<TableEntity>(select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    var key = bucket + "-" + e.PartitionKey;
                    if (string.CompareOrdinal(key, firstKey) >= 0 && string.CompareOrdinal(key, lastKey) <= 0)
                    {
                        keys.Add(key);
                    }
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Dropped meanwhile: nothing to sweep there.
            }
        }

        return [.. keys];
    }

    public async Task RemoveIndexAsync(string indexKey, IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orderIds);
        var (bucket, shard) = Split(indexKey);
        var index = Bucket(bucket);
        foreach (var chunk in orderIds.Chunk(TableOutbox.MaxTransactionEntities))
        {
            try
            {
                await outbox.CommitAsync(index, shard, chunk.Select(Delete).ToList(), [], cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                // One of them is gone already (an overlapping run): delete the rest one by one.
                foreach (var id in chunk)
                {
                    try
                    {
                        await outbox.CommitAsync(index, shard, [Delete(id)], [], cancellationToken).ConfigureAwait(false);
                    }
                    catch (ConcurrencyConflictException)
                    {
                        // Already removed.
                    }
                }
            }
        }

        TableTransactionAction Delete(string orderId) => new(TableTransactionActionType.Delete, new TableEntity(shard, orderId), ETag.All);
    }

    public async Task<DateTimeOffset?> EarliestIndexMinuteAsync(CancellationToken cancellationToken)
    {
        var buckets = await BucketsAsync("0", ":", cancellationToken).ConfigureAwait(false);
        return buckets.Count == 0 ? null : MinuteOf(buckets[0]);
    }

    public async Task<IReadOnlyList<IndexRow>> LeftoverIndexRowsAsync(DateTimeOffset before, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var rows = new List<IndexRow>();
        foreach (var bucket in await BucketsAsync("0", BucketOf(DeadlineIndex.Minute(before)), cancellationToken).ConfigureAwait(false))
        {
            try
            {
                // One query per minute table, pages no larger than the run still takes (an emptied table answers nothing); rows
                // deferred after a failure are read but passed over (a minute holds few leftovers: reading them is cheap).
                await foreach (var e in Bucket(bucket).QueryAsync<TableEntity>(maxPerPage: max - rows.Count, select: ["PartitionKey", "RowKey", DeferredUntil], cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    if (e.GetDateTimeOffset(DeferredUntil) is { } until && until > now)
                    {
                        continue;
                    }

                    if (e.PartitionKey is { Length: 2 } shard && shard.All(char.IsAsciiDigit))
                    {
                        rows.Add(new IndexRow(bucket + "-" + shard, e.RowKey));
                    }

                    if (rows.Count >= max)
                    {
                        return rows;
                    }
                }
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Dropped by an overlapping run.
            }
        }

        return rows;
    }

    public async Task DeferIndexAsync(IReadOnlyList<IndexRow> rows, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            var (bucket, shard) = Split(row.IndexKey);
            try
            {
                // A merge of one property under ETag.All: the row stays as it was otherwise; one that is gone (finished meanwhile) stays gone.
                await outbox.CommitAsync(Bucket(bucket), shard,
                    [new(TableTransactionActionType.UpdateMerge, new TableEntity(shard, row.OrderId) { [DeferredUntil] = until }, ETag.All)], [], cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                // Removed meanwhile.
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Its minute was dropped meanwhile.
            }
        }
    }

    public async Task<int> DropSweptBucketsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var dropped = 0;
        foreach (var bucket in await BucketsAsync("0", BucketOf(DeadlineIndex.Minute(before)), cancellationToken).ConfigureAwait(false))
        {
            var table = Bucket(bucket);
            try
            {
                if (!await IsEmptyAsync(table, cancellationToken).ConfigureAwait(false))
                {
                    // Rows left that the planner could not finish or remove yet (LeftoverIndexRowsAsync): kept for the next run.
                    continue;
                }

                await table.DeleteAsync(cancellationToken).ConfigureAwait(false);
                _buckets.TryRemove(table.Name, out _);
                dropped++;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                // Dropped by an overlapping run.
            }
        }

        return dropped;
    }

    /// <summary>
    /// An order's deadline index row as <see cref="AddAsync"/> writes it (also used to seed benchmarks): <c>SellerId</c>, the exact
    /// <see cref="IndexDeadline"/>, and, when its items fit (<see cref="IndexDataMaxItemsChars"/>), the order as this intake makes it
    /// (the columns of <see cref="OrderEntity"/> that intake sets) with <paramref name="fingerprint"/> (<see cref="EntryOf"/> reads it back).
    /// </summary>
    public static TableEntity IndexEntity(string indexKey, Order order, string? fingerprint = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var row = new TableEntity(Split(indexKey).Shard, order.OrderId) { ["SellerId"] = order.SellerId, [IndexDeadline] = order.DispatchDeadline };
        var items = JsonSerializer.Serialize(order.Items, Json);
        if (items.Length <= IndexDataMaxItemsChars)
        {
            row["Hub"] = order.Hub;
            row["Channel"] = order.Channel;
            row["CreatedAt"] = order.CreatedAt.ToString("O", CultureInfo.InvariantCulture);
            row["Premium"] = order.Premium;
            row["ReceivedAt"] = order.ReceivedAt;
            row["Status"] = OrderWire.Name(order.Status);
            row["ConvertedAt"] = order.ConvertedAt;
            row["Items"] = items;
            row["Fingerprint"] = fingerprint;
        }

        return row;
    }

    /// <summary>
    /// An index row as the sweep reads it: the deadline when the row has one, and the order when the row carries its data (a row
    /// of an older layout, or with data that does not read back, is an id only: the sweep reads that order as before).
    /// </summary>
    public static IndexEntry EntryOf(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var deadline = row.GetDateTimeOffset(IndexDeadline);
        if (row.GetString("CreatedAt") is not { } created || row.GetString("Items") is not { } items || row.GetString("SellerId") is not { } seller
            || row.GetString("Hub") is not { } hub || row.GetString("Channel") is not { } channel || row.GetDateTimeOffset("ReceivedAt") is not { } receivedAt
            || OrderWire.ParseStatus(row.GetString("Status")) is not { } status || status == OrderStatus.Instructed
            || !DateTimeOffset.TryParseExact(created, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var createdAt))
        {
            return new IndexEntry(row.RowKey, deadline);
        }

        List<OrderItem>? lines;
        try
        {
            lines = JsonSerializer.Deserialize<List<OrderItem>>(items, Json);
        }
        catch (JsonException)
        {
            lines = null;
        }

        if (lines is null)
        {
            return new IndexEntry(row.RowKey, deadline);
        }

        var order = new Order(row.RowKey, seller, hub, channel, createdAt, lines, row.GetBoolean("Premium") ?? false, receivedAt, status, null, null, row.GetDateTimeOffset("ConvertedAt"));
        return new IndexEntry(row.RowKey, order.DispatchDeadline, order, row.GetString("Fingerprint"));
    }

    /// <summary>The bucket table of the index key <paramref name="indexKey"/> (its minute), created on first use by this process.</summary>
    public Task<TableClient> IndexTableAsync(string indexKey, CancellationToken cancellationToken)
    {
        var name = storage.Names.OrderDeadlinesTable + Split(indexKey).Bucket;
        if (_buckets.Count > KnownBucketsKept)
        {
            // Oldest minutes first: they are not written any more.
            foreach (var old in _buckets.Keys.Order(StringComparer.Ordinal).Take(_buckets.Count - (KnownBucketsKept / 2)))
            {
                _buckets.TryRemove(old, out _);
            }
        }

        var lazy = _buckets.GetOrAdd(name, n => new Lazy<Task<TableClient>>(async () =>
        {
            var client = storage.TableService.GetTableClient(n);
            await client.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }));
        return AwaitOrForget(name, lazy);
    }

    private async Task<TableClient> AwaitOrForget(string name, Lazy<Task<TableClient>> lazy)
    {
        try
        {
            return await lazy.Value.ConfigureAwait(false);
        }
        catch
        {
            // A failed creation is not remembered: the next write tries again.
            _buckets.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    /// <summary>The bucket tables whose minute (<c>yyyyMMddHHmm</c>) is in [<paramref name="from"/>, <paramref name="before"/>), oldest first: one query on the table list.</summary>
    private async Task<List<string>> BucketsAsync(string from, string before, CancellationToken cancellationToken)
    {
        var prefix = storage.Names.OrderDeadlinesTable;
        var buckets = new List<string>();
        await foreach (var t in storage.TableService.QueryAsync(TableServiceClient.CreateQueryFilter($"TableName ge {prefix + from} and TableName lt {prefix + before}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var suffix = t.Name[prefix.Length..];
            if (suffix.Length == 12 && suffix.All(char.IsAsciiDigit))
            {
                buckets.Add(suffix);
            }
        }

        buckets.Sort(StringComparer.Ordinal);
        return buckets;
    }

    private static async Task<bool> IsEmptyAsync(TableClient table, CancellationToken cancellationToken)
    {
        await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        return true;
    }

    private TableClient Bucket(string bucket) => storage.TableService.GetTableClient(storage.Names.OrderDeadlinesTable + bucket);

    private static string BucketOf(DateTimeOffset minute) => DeadlineIndex.Key(minute, 0)[..12];

    private static DateTimeOffset MinuteOf(string bucket) => DateTimeOffset.ParseExact(bucket, "yyyyMMddHHmm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>An index key <c>yyyyMMddHHmm-ss</c> as its bucket (the minute, naming the table) and its shard (the partition).</summary>
    private static (string Bucket, string Shard) Split(string indexKey)
        => indexKey is { Length: 15 } && indexKey[12] == '-' && indexKey[..12].All(char.IsAsciiDigit)
            ? (indexKey[..12], indexKey[13..])
            : throw new FormatException($"'{indexKey}' is not a deadline index key.");

    private Task<TableClient> Orders(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrdersTable, cancellationToken);

    private Task<TableClient> Outcomes(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderOutcomesTable, cancellationToken);

    /// <summary>The partition of the order's outcome row: <see cref="OutcomePartitionProperty"/> on its order row, else (a row written before session s11) the order id.</summary>
    public static string OutcomePartitionOf(TableEntity orderRow)
    {
        ArgumentNullException.ThrowIfNull(orderRow);
        return orderRow.GetString(OutcomePartitionProperty) is { Length: > 0 } partition ? partition : orderRow.PartitionKey;
    }

    /// <summary>The order's row, one point read; null when there is none (also for an id that cannot be a key).</summary>
    private async Task<TableEntity?> ReadOrderRowAsync(string orderId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(orderId))
        {
            return null;
        }

        var orders = await Orders(cancellationToken).ConfigureAwait(false);
        var read = await orders.GetEntityIfExistsAsync<TableEntity>(orderId, OrderRowKey(orderId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return read.HasValue ? read.Value : null;
    }

    private async Task<TableEntity?> ReadOutcomeAsync(string partition, string orderId, CancellationToken cancellationToken)
    {
        var outcomes = await Outcomes(cancellationToken).ConfigureAwait(false);
        var read = await outcomes.GetEntityIfExistsAsync<TableEntity>(partition, OutcomeRowKey(orderId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return read.HasValue ? read.Value : null;
    }

    /// <summary>An order's outcome row as <see cref="UpdateAsync"/> writes it: what changes after intake, in <paramref name="partition"/> (null: the order id).</summary>
    public static TableEntity OutcomeEntity(Order o, string? partition = null)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new TableEntity(partition ?? o.OrderId, OutcomeRowKey(o.OrderId))
        {
            ["Status"] = OrderWire.Name(o.Status),
            ["InstructionId"] = o.InstructionId,
            ["InstructedAt"] = o.InstructedAt,
            ["ConvertedAt"] = o.ConvertedAt,
        };
    }

    /// <summary>
    /// The order's row as <see cref="AddAsync"/> writes it, once (also used to seed benchmarks); what changes later is its outcome row
    /// (<see cref="OutcomeEntity"/>), in <paramref name="outcomePartition"/> (its index key; null: the order id).
    /// </summary>
    public static TableEntity OrderEntity(Order o, string fingerprint, string? outcomePartition = null)
    {
        var entity = new TableEntity(o.OrderId, OrderRowKey(o.OrderId))
        {
            ["SellerId"] = o.SellerId,
            ["Hub"] = o.Hub,
            ["Channel"] = o.Channel,
            ["CreatedAt"] = o.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["DispatchDeadline"] = o.DispatchDeadline,
            ["Premium"] = o.Premium,
            ["ReceivedAt"] = o.ReceivedAt,
            ["Status"] = OrderWire.Name(o.Status),
            ["InstructionId"] = o.InstructionId,
            ["InstructedAt"] = o.InstructedAt,
            ["ConvertedAt"] = o.ConvertedAt,
            ["Fingerprint"] = fingerprint,
        };
        if (outcomePartition is not null)
        {
            entity[OutcomePartitionProperty] = outcomePartition;
        }

        var items = JsonSerializer.Serialize(o.Items, Json);
        for (var i = 0; i * ItemsChunk < items.Length; i++)
        {
            entity[i == 0 ? "Items" : $"Items{i}"] = items.Substring(i * ItemsChunk, Math.Min(ItemsChunk, items.Length - (i * ItemsChunk)));
        }

        return entity;
    }

    private static StoredOrder FromEntities(TableEntity e, TableEntity? outcome)
    {
        var items = new StringBuilder(e.GetString("Items"));
        for (var i = 1; e.GetString($"Items{i}") is { } more; i++)
        {
            items.Append(more);
        }

        var order = new Order(
            e.PartitionKey,
            e.GetString("SellerId")!,
            e.GetString("Hub")!,
            e.GetString("Channel")!,
            DateTimeOffset.ParseExact(e.GetString("CreatedAt")!, "O", CultureInfo.InvariantCulture),
            JsonSerializer.Deserialize<List<OrderItem>>(items.ToString(), Json)!,
            e.GetBoolean("Premium") ?? false,
            e.GetDateTimeOffset("ReceivedAt")!.Value,
            OrderWire.ParseStatus(e.GetString("Status")) ?? throw new InvalidOperationException($"Order {e.PartitionKey} has an unknown status."),
            e.GetString("InstructionId"),
            e.GetDateTimeOffset("InstructedAt"),
            e.GetDateTimeOffset("ConvertedAt"));
        return outcome is null ? new StoredOrder(order, e.GetString("Fingerprint")!, NoOutcome, OutcomePartitionOf(e)) : WithOutcome(order, e.GetString("Fingerprint")!, outcome);
    }

    /// <summary><paramref name="order"/> as intake stored it, with what its <paramref name="outcome"/> row changed; the token is the outcome's ETag.</summary>
    private static StoredOrder WithOutcome(Order order, string fingerprint, TableEntity outcome)
    {
        order = order with
        {
            Status = OrderWire.ParseStatus(outcome.GetString("Status")) ?? throw new InvalidOperationException($"Order {order.OrderId} has an outcome with an unknown status."),
            InstructionId = outcome.GetString("InstructionId"),
            InstructedAt = outcome.GetDateTimeOffset("InstructedAt"),
            ConvertedAt = outcome.GetDateTimeOffset("ConvertedAt"),
        };
        return new StoredOrder(order, fingerprint, outcome.ETag.ToString(), outcome.PartitionKey);
    }
}

/// <summary>The cutoff sweep's forward-only checkpoint: the shared <see cref="ForwardCheckpoint"/> on row <c>cutoff</c> in the partition <c>checkpoint</c> of <see cref="StorageNames.OrderDeadlinesTable"/> (the bucket tables are named after it, followed by their minute).</summary>
public sealed class TableCutoffCheckpoint(HubStorage storage, ForwardCheckpoint checkpoint) : ISweepCheckpoint
{
    public const string Partition = "checkpoint";
    public const string Row = "cutoff";

    private static readonly CheckpointRow Where = new(Partition, Row);

    public async Task<SweepCheckpoint> ReadAsync(CancellationToken cancellationToken)
        => new(await checkpoint.ReadAsync(await Table(cancellationToken).ConfigureAwait(false), Where, cancellationToken).ConfigureAwait(false));

    public async Task<DateTimeOffset> AdvanceAsync(DateTimeOffset sweptThrough, CancellationToken cancellationToken)
        => await checkpoint.AdvanceAsync(await Table(cancellationToken).ConfigureAwait(false), Where, sweptThrough, cancellationToken).ConfigureAwait(false);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.OrderDeadlinesTable, cancellationToken);
}

/// <summary>
/// The cutoff sweep's fan-out queue (<see cref="StorageNames.OrderCutoffQueue"/>): one <see cref="CutoffMessage.Text"/> per
/// message, and the way back from its poison queue.
/// </summary>
public sealed class StorageOrderCutoffQueue(HubStorage storage, Microsoft.Extensions.Azure.IAzureClientFactory<QueueServiceClient> queueClients, ILogger<StorageOrderCutoffQueue> logger) : IOrderCutoffQueue
{
    public async Task EnqueueAsync(IReadOnlyList<CutoffMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var queue = await storage.QueueAsync(storage.Names.OrderCutoffQueue, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in messages.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(m => queue.SendMessageAsync(m.Text, cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The host moves a message that failed <c>maxDequeueCount</c> times to <c>{queue}-poison</c> (the Functions convention,
    /// text unchanged, base64); this sends each cutoff message found there whose minute is not before <paramref name="notBefore"/>'s back
    /// to the queue as it is, then deletes the poison copy (a crash in between sends it twice: harmless, sweeping a partition is
    /// repeatable); an older one is deleted and logged (its minute's rows are the planner's leftover pass's, review finding 3). Read without decoding, so a
    /// message that is not base64 or not a cutoff message is seen and left where it is (visible again at once), never thrown on.
    /// </summary>
    public async Task<int> RequeuePoisonedAsync(DateTimeOffset notBefore, int max, CancellationToken cancellationToken)
    {
        var oldest = BucketOf(DeadlineIndex.Minute(notBefore));
        var raw = queueClients.CreateClient(StorageRegistration.UnencodedClientName);
        var poison = raw.GetQueueClient(storage.Names.OrderCutoffQueue + "-poison");
        if (!await poison.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return 0;
        }

        var queue = raw.GetQueueClient(storage.Names.OrderCutoffQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        int moved = 0, handled = 0;
        while (handled < max)
        {
            var batch = (await poison.ReceiveMessagesAsync(Math.Min(32, max - handled), TimeSpan.FromMinutes(1), cancellationToken).ConfigureAwait(false)).Value;
            var ours = batch.Select(m => (Message: m, Cutoff: CutoffMessageOf(m.Body.ToString()))).Where(m => m.Cutoff is not null).ToList();
            foreach (var (m, cutoff) in ours)
            {
                if (string.CompareOrdinal(cutoff!.IndexKey, oldest) >= 0)
                {
                    await queue.SendMessageAsync(m.Body.ToString(), cancellationToken).ConfigureAwait(false);
                    moved++;
                }
                else
                {
                    // Its minute is the leftover pass's now (DeadlineIndex.DropSweptAfter behind the checkpoint): that pass reads the
                    // rows left there itself, a partition at a time, and logs what fails. Putting it back would repeat its failure for ever.
                    logger.LogWarning("Cutoff message {Message} failed until poisoned and its minute is behind {NotBefore}; discarded, the planner's leftover pass finishes its rows", cutoff.Text, notBefore);
                }

                await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt, cancellationToken).ConfigureAwait(false);
                handled++;
            }

            foreach (var stranger in batch.Except(ours.Select(o => o.Message)))
            {
                // Left as it was: visible again at once, for whoever looks at the poison queue.
                await poison.UpdateMessageAsync(stranger.MessageId, stranger.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            if (batch.Length == 0 || ours.Count < batch.Length)
            {
                break; // Empty, or strangers in the batch: stop rather than read them again.
            }
        }

        return moved;
    }

    private static CutoffMessage? CutoffMessageOf(string base64)
    {
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var length) ? CutoffMessage.Parse(Encoding.UTF8.GetString(bytes, 0, length)) : null;
    }

    private static string BucketOf(DateTimeOffset minute) => DeadlineIndex.Key(minute, 0)[..12];
}
