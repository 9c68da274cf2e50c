using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Billing runs in <see cref="StorageNames.BillingRunsTable"/>: partition <c>run|{YYYY-MM}</c> holds the run row (what the
/// fan-out counted and the completion; replaced under its ETag by the fan-out pages, which run one after the other, and by the
/// completion check), <c>page|{n}</c> per counted fan-out page (insert-only, committed with the run's total) and
/// <c>item|{sellerId}|{hub}</c> per seller-hub done (insert-only; an item in error is replaced under its ETag when a retry bills
/// it; a batch's items in one commit) and <c>check|pending|{YYYY-MM}</c>, the check marker (present while a completion check a batch
/// queued is pending; deleted by the check before it counts). Seller-hubs never write the run row, so any number of them finish in parallel without conflicts; progress is counted from
/// the items at read time (one query over the partition's items). Partition <c>active|{YYYY-MM}</c> is the activity index: a row
/// <c>{sellerId}|{hub}</c> per seller-hub with billable data in the period.
/// </summary>
public sealed class TableBillingRuns(HubStorage storage, TableOutbox outbox) : IBillingRunStore, IBillingActivity
{
    public const string RunRow = "run";

    private static string RunKey(BillingPeriod period) => "run|" + period;

    private static string ActiveKey(BillingPeriod period) => "active|" + period;

    private static string PageRow(int page) => "page|" + page.ToString("D6", CultureInfo.InvariantCulture);

    private static string ItemRow(string sellerId, string hub) => $"item|{sellerId}|{hub}";

    /// <summary>The check marker's row: unique in the table (it ends with the period), so its point read is O(log n) on Azurite too.</summary>
    private static string CheckRow(BillingPeriod period) => "check|pending|" + period;

    public async Task<BillingRunState> StartAsync(string runId, BillingPeriod period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await GetAsync(period, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var fresh = new BillingRunState(runId, period, now, 0, 0, false, null, null);
        try
        {
            await outbox.CommitAsync(table, RunKey(period), [new(TableTransactionActionType.Add, ToEntity(fresh))], [], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // Another start won the insert: that run is the period's run.
        }

        return await GetAsync(period, cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException($"The billing run of {period} is missing after its start.");
    }

    public async Task<BillingRunState?> GetAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(RunKey(period), RunRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue)
        {
            return null;
        }

        var e = row.Value!;
        return new BillingRunState(e.GetString("RunId")!, period, e.GetDateTimeOffset("StartedAt")!.Value, e.GetInt32("Total") ?? 0, e.GetInt32("Pages") ?? 0,
            e.GetBoolean("FannedOut") ?? false, e.GetDateTimeOffset("CompletedAt"), e.ETag.ToString());
    }

    public Task<bool> HasPageAsync(BillingPeriod period, int page, CancellationToken cancellationToken) => ExistsAsync(RunKey(period), PageRow(page), cancellationToken);

    public async Task<BillingRunItem?> FindItemAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(RunKey(period), ItemRow(sellerId, hub), ItemColumns, cancellationToken).ConfigureAwait(false);
        return row.HasValue ? ItemOf(row.Value!) : null;
    }

    private static readonly string[] ItemColumns = ["RowKey", "InvoiceId", "ErrorCode", "ErrorMessage"];

    public async Task<IReadOnlyList<BillingRunItem>> FindItemsAsync(BillingPeriod period, IReadOnlyCollection<SellerHub> sellerHubs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sellerHubs);
        if (sellerHubs.Count == 0)
        {
            return [];
        }

        // A fan-out batch is a run of consecutive activity rows, so its items are a range of the partition's item rows.
        var rows = sellerHubs.Select(t => ItemRow(t.SellerId, t.Hub)).ToHashSet(StringComparer.Ordinal);
        var (first, last) = (rows.Min(StringComparer.Ordinal)!, rows.Max(StringComparer.Ordinal)!);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RunKey(period)} and RowKey ge {first} and RowKey le {last}");
        var found = new List<BillingRunItem>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ItemColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (rows.Contains(e.RowKey))
            {
                found.Add(ItemOf(e));
            }
        }

        return found;
    }

    public async Task<IReadOnlyList<BillingRunItem>> ItemsAsync(BillingPeriod period, bool errorsOnly, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {RunKey(period)} and RowKey ge {"item|"} and RowKey lt {"item}"}");
        var found = new List<BillingRunItem>();
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ItemColumns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (!errorsOnly || e.GetString("ErrorCode") is not null)
            {
                found.Add(ItemOf(e));
            }
        }

        return found;
    }

    private static BillingRunItem ItemOf(TableEntity e)
    {
        var parts = e.RowKey.Split('|');
        return new BillingRunItem(parts[1], parts[2], e.GetString("InvoiceId"), e.GetString("ErrorCode"), e.GetString("ErrorMessage"), e.ETag.ToString());
    }

    public async Task CommitPageAsync(BillingRunState after, int page, int count, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = RunKey(after.Period);
        await outbox.CommitAsync(table, key,
        [
            new(TableTransactionActionType.UpdateReplace, ToEntity(after), new ETag(after.ETag!)),
            new(TableTransactionActionType.Add, new TableEntity(key, PageRow(page)) { ["Count"] = count }),
        ], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task CommitItemAsync(BillingPeriod period, BillingRunItem item, BillingRunItem? replacing, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = RunKey(period);
        await outbox.CommitAsync(table, key, [ItemChange(key, item, replacing)], [], cancellationToken).ConfigureAwait(false);
    }

    public async Task CommitItemsAsync(BillingPeriod period, IReadOnlyList<(BillingRunItem Item, BillingRunItem? Replacing)> changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = RunKey(period);
        await outbox.CommitAsync(table, key, [.. changes.Select(c => ItemChange(key, c.Item, c.Replacing))], [], cancellationToken).ConfigureAwait(false);
    }

    private static TableTransactionAction ItemChange(string key, BillingRunItem item, BillingRunItem? replacing)
    {
        var row = new TableEntity(key, ItemRow(item.SellerId, item.Hub)) { ["InvoiceId"] = item.InvoiceId, ["ErrorCode"] = item.ErrorCode, ["ErrorMessage"] = item.ErrorMessage };
        return replacing is null
            ? new(TableTransactionActionType.Add, row)
            : new(TableTransactionActionType.UpdateReplace, row, new ETag(replacing.ETag!));
    }

    public async Task<BillingCheckMarker?> FindCheckMarkerAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(RunKey(period), CheckRow(period), ["By", "At"], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? new BillingCheckMarker(row.Value!.GetString("By") ?? "", row.Value.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue, row.Value.ETag.ToString()) : null;
    }

    public async Task<bool> AddCheckMarkerAsync(BillingPeriod period, string by, DateTimeOffset at, BillingCheckMarker? replacing, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = RunKey(period);
        var row = new TableEntity(key, CheckRow(period)) { ["By"] = by, ["At"] = at };
        try
        {
            await outbox.CommitAsync(table, key, [replacing is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, new ETag(replacing.ETag))], [],
                cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyConflictException)
        {
            return false;
        }
    }

    public async Task ClearCheckMarkerAsync(BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = RunKey(period);
        try
        {
            await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Delete, new TableEntity(key, CheckRow(period)), ETag.All)], [], cancellationToken).ConfigureAwait(false);
        }
        catch (ConcurrencyConflictException)
        {
            // No marker (another check deleted it, or none was added): nothing to clear.
        }
    }

    public async Task CommitRunAsync(BillingRunState after, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(after);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        await outbox.CommitAsync(table, RunKey(after.Period), [new(TableTransactionActionType.UpdateReplace, ToEntity(after), new ETag(after.ETag!))], events, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task MarkAsync(BillingPeriod period, string sellerId, string hub, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = ActiveKey(period);
        if (_marked.ContainsKey((key, sellerId, hub)) || await ExistsAsync(key, $"{sellerId}|{hub}", cancellationToken).ConfigureAwait(false))
        {
            _marked[(key, sellerId, hub)] = true;
            return;
        }

        await outbox.CommitAsync(table, key, [new(TableTransactionActionType.UpsertReplace, new TableEntity(key, $"{sellerId}|{hub}"))], [], cancellationToken).ConfigureAwait(false);
        _marked[(key, sellerId, hub)] = true;
    }

    private readonly ConcurrentDictionary<(string, string, string), bool> _marked = new();

    public async Task<(IReadOnlyList<(string SellerId, string Hub)> Items, string? Continuation)> PageAsync(BillingPeriod period, string? continuation, int pageSize, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var pages = table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {ActiveKey(period)}"), maxPerPage: pageSize, select: ["RowKey"], cancellationToken: cancellationToken)
            .AsPages(continuation, pageSize);
        await foreach (var page in pages.ConfigureAwait(false))
        {
            return ([.. page.Values.Select(e => e.RowKey.Split('|')).Select(p => (p[0], p[1]))], page.ContinuationToken);
        }

        return ([], null);
    }

    private async Task<bool> ExistsAsync(string partition, string row, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        return (await table.GetEntityIfExistsAsync<TableEntity>(partition, row, ["RowKey"], cancellationToken).ConfigureAwait(false)).HasValue;
    }

    private static TableEntity ToEntity(BillingRunState s) => new(RunKey(s.Period), RunRow)
    {
        ["RunId"] = s.RunId,
        ["Period"] = s.Period.ToString(),
        ["StartedAt"] = s.StartedAt,
        ["Total"] = s.Total,
        ["Pages"] = s.Pages,
        ["FannedOut"] = s.FannedOut,
        ["CompletedAt"] = s.CompletedAt,
    };

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.BillingRunsTable, cancellationToken);
}

/// <summary>The billing run queue (<see cref="StorageNames.BillingRunQueue"/>): one JSON <see cref="BillingRunMessage"/> per message.</summary>
public sealed class StorageBillingRunQueue(HubStorage storage) : IBillingRunQueue
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task EnqueueAsync(IReadOnlyList<BillingRunMessage> messages, CancellationToken cancellationToken, TimeSpan delay = default)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var queue = await storage.QueueAsync(storage.Names.BillingRunQueue, cancellationToken).ConfigureAwait(false);
        foreach (var chunk in messages.Chunk(16))
        {
            await Task.WhenAll(chunk.Select(m => queue.SendMessageAsync(JsonSerializer.Serialize(m, Json), delay > TimeSpan.Zero ? delay : null, cancellationToken: cancellationToken))).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a message body; null when it is not a billing run message.</summary>
    public static BillingRunMessage? Parse(string body)
    {
        try
        {
            var message = JsonSerializer.Deserialize<BillingRunMessage>(body, Json);
            return message is not null && CalendarMonth.TryParse(message.Period, out _) && (message.SellerId is null) == (message.Hub is null)
                && (message.SellerHubs ?? []).All(t => t is { SellerId.Length: > 0, Hub.Length: > 0 }) && !(message.IsSeller && message.IsCheck) ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
