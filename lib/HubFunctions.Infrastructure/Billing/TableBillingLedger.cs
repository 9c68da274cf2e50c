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
/// Billing data in <see cref="StorageNames.BillingTable"/>. Partition <c>{sellerId}|{hub}|{YYYY-MM}</c> (a seller at a hub in
/// one month): <c>usage|{usageId}</c> per record, <c>roll|{yyyyMMdd}|{kind}|{partition}</c> per rollup (Σ whole units, BIL-2) and
/// <c>snap|{yyyyMMdd}|{partition}</c> per snapshot. New records are added with their rollup updates (ETag-guarded, or insert-only
/// when new) in one commit, so a retried record is found by its row and never counted twice, and a run reads
/// at most 31 × 6 rollups per seller instead of every record. Partition <c>{sellerId}|{hub}</c>: <c>claim|{claimId}</c>
/// and <c>inv|{YYYY-MM}|{partition}</c> (insert-only: one invoice per seller, hub and period), so an invoice and the claims it
/// credits commit together.
/// </summary>
public sealed class TableBillingLedger(HubStorage storage, TableOutbox outbox, OptimisticRetry retry) : IBillingLedger
{
    /// <summary>Records per commit: each may add a rollup row, and a commit holds at most 100 entities.</summary>
    public const int RecordsPerCommit = 45;

    /// <summary>Claims credited on one invoice (one commit); more wait for the next invoice.</summary>
    public const int MaxClaimsPerInvoice = 90;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string MonthKey(string sellerId, string hub, CalendarMonth month) => $"{sellerId}|{hub}|{month}";

    public static string LedgerKey(string sellerId, string hub) => $"{sellerId}|{hub}";

    /// <summary>
    /// The row of a day's rollup of one kind. Every row key ends with its partition key, so no two rows of the table share
    /// one: Azurite finds a row by its row key and then filters every row sharing it, so a key like <c>inv|2025-03</c>, held
    /// by every seller, made each point read and each insert check cost O(sellers) (see the README's Benchmarks, billing).
    /// Range queries by prefix (<c>roll|</c>, <c>snap|</c>, <c>inv|</c>) are unchanged.
    /// </summary>
    public static string RollupRow(string monthKey, DateOnly date, string kind) => $"roll|{Day(date)}|{kind}|{monthKey}";

    /// <summary>The row of a day's storage snapshot (<see cref="RollupRow"/> on the row key's suffix).</summary>
    public static string SnapshotRow(string monthKey, DateOnly date) => $"snap|{Day(date)}|{monthKey}";

    /// <summary>The row of a seller-hub's invoice for a period (<see cref="RollupRow"/> on the row key's suffix).</summary>
    public static string InvoiceRow(string ledgerKey, BillingPeriod period) => $"inv|{period}|{ledgerKey}";

    private static string Day(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static decimal Number(string? s) => decimal.Parse(s ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture);

    public async Task<(int Stored, int Duplicates)> AddUsageAsync(string sellerId, string hub, IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        int stored = 0, duplicates = 0;
        foreach (var month in records.GroupBy(r => CalendarMonth.Of(r.Date)))
        {
            var key = MonthKey(sellerId, hub, month.Key);
            foreach (var chunk in month.Chunk(RecordsPerCommit))
            {
                var (s, d) = await retry.RunAsync((_, ct) => AddChunkAsync(table, key, chunk, ct), cancellationToken).ConfigureAwait(false);
                (stored, duplicates) = (stored + s, duplicates + d);
            }
        }

        return (stored, duplicates);
    }

    private async Task<(int, int)> AddChunkAsync(TableClient table, string key, UsageRecord[] chunk, CancellationToken cancellationToken)
    {
        var existing = await Task.WhenAll(chunk.Select(r => table.GetEntityIfExistsAsync<TableEntity>(key, "usage|" + r.UsageId, ["Kind"], cancellationToken))).ConfigureAwait(false);
        var fresh = chunk.Where((_, i) => !existing[i].HasValue).ToList();
        if (fresh.Count == 0)
        {
            return (0, chunk.Length);
        }

        var changes = new List<TableTransactionAction>();
        foreach (var r in fresh)
        {
            changes.Add(new(TableTransactionActionType.Add, new TableEntity(key, "usage|" + r.UsageId)
            {
                ["Kind"] = r.Kind,
                ["Quantity"] = Text(r.Quantity),
                ["Units"] = Text(InvoiceCalculator.WholeUnits(r.Quantity)),
                ["OccurredAt"] = r.OccurredAt,
            }));
        }

        foreach (var group in fresh.GroupBy(r => (r.Date, r.Kind)))
        {
            var row = RollupRow(key, group.Key.Date, group.Key.Kind);
            var current = await table.GetEntityIfExistsAsync<TableEntity>(key, row, cancellationToken: cancellationToken).ConfigureAwait(false);
            var units = group.Sum(r => InvoiceCalculator.WholeUnits(r.Quantity));
            var entity = new TableEntity(key, row)
            {
                ["Date"] = group.Key.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["Kind"] = group.Key.Kind,
                ["Units"] = Text((current.HasValue ? Number(current.Value!.GetString("Units")) : 0m) + units),
                ["Records"] = (current.HasValue ? current.Value!.GetInt32("Records") ?? 0 : 0) + group.Count(),
            };
            changes.Add(current.HasValue
                ? new(TableTransactionActionType.UpdateReplace, entity, current.Value!.ETag)
                : new(TableTransactionActionType.Add, entity));
        }

        await outbox.CommitAsync(table, key, changes, [], cancellationToken).ConfigureAwait(false);
        return (fresh.Count, chunk.Length - fresh.Count);
    }

    public async Task<decimal?> FindSnapshotAsync(string sellerId, string hub, DateOnly date, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(MonthKey(sellerId, hub, CalendarMonth.Of(date)), SnapshotRow(MonthKey(sellerId, hub, CalendarMonth.Of(date)), date), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? Number(row.Value!.GetString("CubicMeters")) : null;
    }

    public async Task<BillingWrite> AddSnapshotAsync(string sellerId, string hub, DateOnly date, decimal cubicMeters, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = MonthKey(sellerId, hub, CalendarMonth.Of(date));
        if (await FindSnapshotAsync(sellerId, hub, date, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored == cubicMeters ? BillingWrite.Unchanged : BillingWrite.Conflict;
        }

        try
        {
            await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Add, new TableEntity(key, SnapshotRow(key, date))
            {
                ["Date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["CubicMeters"] = Text(cubicMeters),
            })], [], cancellationToken).ConfigureAwait(false);
            return BillingWrite.Stored;
        }
        catch (ConcurrencyConflictException)
        {
            return await FindSnapshotAsync(sellerId, hub, date, cancellationToken).ConfigureAwait(false) == cubicMeters ? BillingWrite.Unchanged : BillingWrite.Conflict;
        }
    }

    public async Task<BillingWrite> AddClaimAsync(string sellerId, Claim claim, DateTimeOffset recordedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = LedgerKey(sellerId, claim.Hub);
        var entity = new TableEntity(key, "claim|" + claim.ClaimId)
        {
            ["HubSellerId"] = claim.SellerId,
            ["OrderId"] = claim.OrderId,
            ["GoodsValueCny"] = Text(claim.GoodsValueCny),
            ["Cause"] = claim.Cause,
            ["RecordedAt"] = recordedAt,
        };
        try
        {
            await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Add, entity)], [], cancellationToken).ConfigureAwait(false);
            return BillingWrite.Stored;
        }
        catch (ConcurrencyConflictException)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(key, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return stored.HasValue && ClaimOf(stored.Value!, claim.Hub).Claim == claim ? BillingWrite.Unchanged : BillingWrite.Conflict;
        }
    }

    public async Task<IReadOnlyList<UsageRollup>> RollupsAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = MonthKey(sellerId, hub, period.Month);
        var found = new List<UsageRollup>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"roll|"} and RowKey lt {"roll}"}"),
            select: ["Date", "Kind", "Units"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            found.Add(new UsageRollup(DateOnly.ParseExact(e.GetString("Date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetString("Kind")!, Number(e.GetString("Units"))));
        }

        return found;
    }

    public async Task<IReadOnlyList<StorageSnapshot>> SnapshotsAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var found = new List<StorageSnapshot>();
        foreach (var month in new[] { period.Month.AddMonths(-1), period.Month })
        {
            var key = MonthKey(sellerId, hub, month);
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"snap|"} and RowKey lt {"snap}"}"),
                select: ["Date", "CubicMeters"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                found.Add(new StorageSnapshot(DateOnly.ParseExact(e.GetString("Date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture), Number(e.GetString("CubicMeters"))));
            }
        }

        return found;
    }

    public async Task<BillingPeriodData> PeriodAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken)
    {
        // One query over the month's partition for both row kinds: "roll|…" and "snap|…" sort next to each other ("usage|…" after them).
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = MonthKey(sellerId, hub, period.Month);
        var (rollups, snapshots) = (new List<UsageRollup>(), new List<StorageSnapshot>());
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"roll|"} and RowKey lt {"snap}"}"),
            select: ["RowKey", "Date", "Kind", "Units", "CubicMeters"], cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var date = DateOnly.ParseExact(e.GetString("Date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (e.RowKey.StartsWith("roll|", StringComparison.Ordinal))
            {
                rollups.Add(new UsageRollup(date, e.GetString("Kind")!, Number(e.GetString("Units"))));
            }
            else if (e.RowKey.StartsWith("snap|", StringComparison.Ordinal))
            {
                snapshots.Add(new StorageSnapshot(date, Number(e.GetString("CubicMeters"))));
            }
        }

        if (snapshots.All(s => s.Date != period.FirstDay))
        {
            var before = MonthKey(sellerId, hub, period.Month.AddMonths(-1));
            await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {before} and RowKey ge {"snap|"} and RowKey lt {"snap}"}"),
                select: ["Date", "CubicMeters"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                snapshots.Add(new StorageSnapshot(DateOnly.ParseExact(e.GetString("Date")!, "yyyy-MM-dd", CultureInfo.InvariantCulture), Number(e.GetString("CubicMeters"))));
            }
        }

        return new BillingPeriodData(rollups, snapshots);
    }

    public async Task<IReadOnlyList<StoredClaim>> OpenClaimsAsync(string sellerId, string hub, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var found = new List<StoredClaim>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {LedgerKey(sellerId, hub)} and RowKey ge {"claim|"} and RowKey lt {"claim}"}"),
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (e.GetString("CreditedOn") is null)
            {
                found.Add(ClaimOf(e, hub) with { SellerId = sellerId });
            }
        }

        return [.. found.OrderBy(c => c.RecordedAt).ThenBy(c => c.Claim.ClaimId, StringComparer.Ordinal).Take(MaxClaimsPerInvoice)];
    }

    private static StoredClaim ClaimOf(TableEntity e, string hub) => new(
        new Claim(e.RowKey["claim|".Length..], e.GetString("HubSellerId")!, hub, e.GetString("OrderId")!, Number(e.GetString("GoodsValueCny")), e.GetString("Cause")!),
        e.PartitionKey.Split('|')[0], e.GetDateTimeOffset("RecordedAt")!.Value, e.GetString("CreditedOn"), e.ETag.ToString());

    public async Task<StoredInvoice?> FindInvoiceAsync(string sellerId, string hub, BillingPeriod period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(LedgerKey(sellerId, hub), InvoiceRow(LedgerKey(sellerId, hub), period), ["Invoice"], cancellationToken).ConfigureAwait(false);
        return row.HasValue ? InvoiceOf(row.Value!) : null;
    }

    public async Task AddInvoiceAsync(string invoiceId, InvoiceDraft invoice, IReadOnlyList<StoredClaim> credited, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var key = LedgerKey(invoice.SellerId, invoice.Hub);
        var view = InvoiceWire.View(new StoredInvoice(invoiceId, invoice));
        var changes = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(key, InvoiceRow(key, invoice.Period))
            {
                ["InvoiceId"] = invoiceId,
                ["Period"] = invoice.Period.ToString(),
                ["Total"] = Text(invoice.Total),
                ["Invoice"] = JsonSerializer.Serialize(view, Json),
            }),
        };
        changes.AddRange(credited.Select(c => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
            new TableEntity(key, "claim|" + c.Claim.ClaimId) { ["CreditedOn"] = invoiceId }, new ETag(c.ETag))));
        await outbox.CommitAsync(table, key, changes, events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StoredInvoice>> ListInvoicesAsync(string sellerId, BillingPeriod? period, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var found = new List<StoredInvoice>();
        foreach (var hub in Core.Hubs.Hubs.All)
        {
            var key = LedgerKey(sellerId, hub.Id);
            var filter = period is { } p
                ? TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey eq {InvoiceRow(key, p)}")
                : TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {"inv|"} and RowKey lt {"inv}"}");
            await foreach (var e in table.QueryAsync<TableEntity>(filter, select: ["Invoice"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                found.Add(InvoiceOf(e));
            }
        }

        return [.. found.OrderBy(i => i.Invoice.Period.Month).ThenBy(i => i.Invoice.Hub, StringComparer.Ordinal)];
    }

    private static StoredInvoice InvoiceOf(TableEntity e)
        => InvoiceWire.FromView(JsonSerializer.Deserialize<InvoiceView>(e.GetString("Invoice")!, Json) ?? throw new InvalidOperationException($"Invoice row {e.PartitionKey}/{e.RowKey} is empty."));

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.BillingTable, cancellationToken);
}
