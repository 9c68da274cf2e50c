using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Billing;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Usage id claims in <see cref="StorageNames.UsageIdsTable"/>: partition <c>{hub}|{usageId}</c>, row <see cref="ClaimRow"/> (the partition key again: a row key shared by every claim would make each point read on Azurite scan all claims)
/// (insert-only), holding the record as first sent (hub seller id, kind, quantity and instant as exact texts) and the operation
/// that wrote it (<see cref="OwnerProperty"/>): a request refused after claiming deletes its own claims (<see cref="ReleaseAsync"/>). One partition per
/// usage id, so claims never contend with each other; a request's claims are read and written a few at a time in parallel.
/// A request that relies on a claim another operation wrote (the identical record sent again under another webhook-id, or by
/// a second system) first makes that claim permanent (<see cref="ClaimAsync"/>: its owner cleared under the version read), so
/// the writer, should it be refused, can no longer release a claim whose record another request stores.
/// </summary>
public sealed class TableUsageIds(HubStorage storage, TableOutbox outbox, OptimisticRetry retry) : IUsageIds
{
    public static string ClaimRow(string partition) => partition;

    /// <summary>On a claim: the key of the operation (the request) that wrote it, so that request alone can release it.</summary>
    public const string OwnerProperty = "Owner";

    /// <summary>Point reads or inserts in flight at once for one request (up to 500 records).</summary>
    public const int Parallelism = 16;

    public static string Partition(string hub, string usageId) => $"{hub}|{usageId}";

    public async Task<IReadOnlyDictionary<string, UsageClaim>> FindAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var found = new UsageClaim?[usageIds.Count];
        await Parallel.ForAsync(0, usageIds.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => found[i] = await ReadAsync(table, hub, usageIds[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return found.OfType<UsageClaim>().ToDictionary(c => c.UsageId, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<BillingWrite>> ClaimAsync(string hub, IReadOnlyList<UsageClaim> claims, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var outcomes = new BillingWrite[claims.Count];
        await Parallel.ForAsync(0, claims.Count, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await ClaimOneAsync(table, hub, claims[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return outcomes;
    }

    private Task<BillingWrite> ClaimOneAsync(TableClient table, string hub, UsageClaim claim, CancellationToken cancellationToken)
        => retry.RunAsync(async (_, ct) =>
        {
            var key = Partition(hub, claim.UsageId);
            try
            {
                // AlreadyCommitted (an earlier attempt of this operation stored it) is this claim too.
                await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Add, new TableEntity(key, ClaimRow(key))
                {
                    ["HubSellerId"] = claim.HubSellerId,
                    ["Kind"] = claim.Kind,
                    ["Quantity"] = claim.Quantity.ToString(CultureInfo.InvariantCulture),
                    ["OccurredAt"] = claim.OccurredAt.ToString("O", CultureInfo.InvariantCulture),
                    [OwnerProperty] = HubOperation.Current?.Key,
                })], [], ct).ConfigureAwait(false);
                return BillingWrite.Stored;
            }
            catch (ConcurrencyConflictException)
            {
                var row = await table.GetEntityIfExistsAsync<TableEntity>(key, ClaimRow(key), cancellationToken: ct).ConfigureAwait(false);
                if (!row.HasValue || row.Value is not { } stored)
                {
                    throw; // released meanwhile: claim it again
                }

                if (!ToClaim(claim.UsageId, stored).SameAs(claim))
                {
                    return BillingWrite.Conflict;
                }

                await KeepAsync(table, stored, ct).ConfigureAwait(false);
                return BillingWrite.Unchanged;
            }
        }, cancellationToken);

    /// <summary>
    /// Makes a claim another operation wrote permanent before this request relies on it: its owner is cleared under the version
    /// read, so its writer's <see cref="ReleaseAsync"/> leaves it. A claim released or kept by another meanwhile is a conflict
    /// (the caller claims again). A claim of this operation, or one already kept, stays as it is.
    /// </summary>
    private async Task KeepAsync(TableClient table, TableEntity stored, CancellationToken cancellationToken)
    {
        var owner = stored.GetString(OwnerProperty);
        if (string.IsNullOrEmpty(owner) || owner == HubOperation.Current?.Key)
        {
            return;
        }

        await outbox.CommitAsync(table, stored.PartitionKey, [new(TableTransactionActionType.UpdateMerge,
            new TableEntity(stored.PartitionKey, stored.RowKey) { [OwnerProperty] = string.Empty }, stored.ETag)], [], cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> ReleaseAsync(string hub, IReadOnlyList<string> usageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usageIds);
        if (HubOperation.Current?.Key is not { } owner)
        {
            return 0;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var released = 0;
        await Parallel.ForEachAsync(usageIds, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken }, async (usageId, ct) =>
        {
            var key = Partition(hub, usageId);
            var row = await table.GetEntityIfExistsAsync<TableEntity>(key, ClaimRow(key), [OwnerProperty], ct).ConfigureAwait(false);
            if (!row.HasValue || row.Value!.GetString(OwnerProperty) != owner)
            {
                return;
            }

            try
            {
                await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Delete, new TableEntity(key, ClaimRow(key)), row.Value.ETag)], [], ct).ConfigureAwait(false);
                Interlocked.Increment(ref released);
            }
            catch (ConcurrencyConflictException)
            {
                // Gone or changed since it was read: not this request's claim to remove any more.
            }
        }).ConfigureAwait(false);
        return released;
    }

    private static async Task<UsageClaim?> ReadAsync(TableClient table, string hub, string usageId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(hub, usageId), ClaimRow(Partition(hub, usageId)), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? ToClaim(usageId, e) : null;
    }

    private static UsageClaim ToClaim(string usageId, TableEntity e) => new(usageId, e.GetString("HubSellerId")!, e.GetString("Kind")!,
        decimal.Parse(e.GetString("Quantity")!, NumberStyles.Number, CultureInfo.InvariantCulture),
        DateTimeOffset.ParseExact(e.GetString("OccurredAt")!, "O", CultureInfo.InvariantCulture));

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.UsageIdsTable, cancellationToken);
}
