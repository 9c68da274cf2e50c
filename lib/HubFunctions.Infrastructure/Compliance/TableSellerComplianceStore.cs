using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Compliance;

/// <summary>
/// The compliance side of the seller store, in the sellers table beside the seller row (CMP-6): in
/// the seller's partition, <see cref="TableSellerDirectory.SellerRow"/> carries the seller and
/// <see cref="LogLengthProperty"/>, and each audit entry is a row <c>log|{sequence:D10}|{sellerId}</c>
/// (insert-only), so the trail reads oldest first by one partition range query (the seller id keeps
/// the row key unique in the table, which Azurite's lookups need to stay O(log n), as for the seller row). A change merges the
/// seller row under the ETag it was read with and adds the entry row and the outbox rows of its events
/// in one entity group transaction (<see cref="TableOutbox"/>): the new status, its audit entry and its
/// event are stored together or not at all. Merge (not replace) keeps columns other capabilities add
/// to the seller row.
/// </summary>
public sealed class TableSellerComplianceStore(HubStorage storage, TableOutbox outbox) : ISellerComplianceStore
{
    public const string LogRowPrefix = "log|";
    public const string LogLengthProperty = "ComplianceLogLength";

    public static string LogRow(string sellerId, int sequence) => $"{LogRowPrefix}{sequence.ToString("D10", CultureInfo.InvariantCulture)}|{sellerId}";

    public async Task<SellerComplianceState?> GetAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, TableSellerDirectory.SellerRow(sellerId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e
            ? new SellerComplianceState(TableSellerDirectory.FromEntity(e), e.GetInt32(LogLengthProperty) ?? 0, e.ETag.ToString())
            : null;
    }

    public async Task CommitAsync(SellerComplianceState before, Seller after, ComplianceLogEntry entry, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(entry);
        if (after.SellerId != before.Seller.SellerId || entry.Sequence != before.LogLength + 1)
        {
            throw new ArgumentException("A compliance change keeps the seller id and appends the next audit entry.", nameof(entry));
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var seller = TableSellerDirectory.ToEntity(after);
        seller[LogLengthProperty] = entry.Sequence;
        await outbox.CommitAsync(table, after.SellerId,
        [
            new(TableTransactionActionType.UpdateMerge, seller, new ETag(before.ETag)),
            new(TableTransactionActionType.Add, ToEntity(after.SellerId, entry)),
        ], events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ComplianceLogEntry>> ReadLogAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return [];
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var from = LogRowPrefix;
        var to = LogRowPrefix[..^1] + (char)(LogRowPrefix[^1] + 1);
        var entries = new List<ComplianceLogEntry>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == sellerId && e.RowKey.CompareTo(from) >= 0 && e.RowKey.CompareTo(to) < 0,
            cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(FromEntity(e));
        }

        return entries.OrderBy(e => e.Sequence).ToList();
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.SellersTable, cancellationToken);

    private static TableEntity ToEntity(string sellerId, ComplianceLogEntry entry) => new(sellerId, LogRow(sellerId, entry.Sequence))
    {
        ["Sequence"] = entry.Sequence,
        ["EntryId"] = entry.EntryId,
        ["Action"] = entry.Action.ToString(),
        ["Reasons"] = JsonSerializer.Serialize(entry.Reasons, ComplianceJson.Options),
        ["At"] = entry.At,
        ["ActorKind"] = entry.Actor.Kind.ToString(),
        ["ActorId"] = entry.Actor.Id,
        ["StatusBefore"] = entry.Before.ToString(),
        ["StatusAfter"] = entry.After.ToString(),
        ["Evidence"] = JsonSerializer.Serialize(entry.Evidence, ComplianceJson.Options),
    };

    private static ComplianceLogEntry FromEntity(TableEntity e) => new(
        e.GetInt32("Sequence")!.Value,
        e.GetString("EntryId")!,
        Enum.Parse<ComplianceAction>(e.GetString("Action")!),
        JsonSerializer.Deserialize<List<FreezeReason>>(e.GetString("Reasons")!, ComplianceJson.Options) ?? [],
        e.GetDateTimeOffset("At")!.Value,
        new ComplianceActor(Enum.Parse<ActorKind>(e.GetString("ActorKind")!), e.GetString("ActorId")!),
        Enum.Parse<SellerStatus>(e.GetString("StatusBefore")!),
        Enum.Parse<SellerStatus>(e.GetString("StatusAfter")!),
        JsonSerializer.Deserialize<List<string>>(e.GetString("Evidence")!, ComplianceJson.Options) ?? []);
}
