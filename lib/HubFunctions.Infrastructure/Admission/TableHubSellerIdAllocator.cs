using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Hubs;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>
/// Hub seller ids in <see cref="StorageNames.HubSellerIdsTable"/>, one partition per hub, so each
/// allocation is one entity group transaction: the <see cref="CounterRow"/> (last sequence, under its
/// ETag; inserted for the first), <c>application|{id}</c> (the number an application got,
/// insert-only: allocation is idempotent per application) and <c>id|{hubSellerId}</c> (insert-only:
/// a number can never go to two applications; it also carries the seller id, so it is the index
/// hub seller id → seller that usage intake reads with one point read). A lost race re-reads and tries again
/// (<see cref="OptimisticRetry"/>); a commit whose answer was lost is recognised by the outbox write path.
/// </summary>
public sealed class TableHubSellerIdAllocator(HubStorage storage, TableOutbox outbox, OptimisticRetry retry) : IHubSellerIdAllocator
{
    public const string CounterRow = "counter";

    public const string IdRowPrefix = "id|";

    public async Task<string> AllocateAsync(string hub, string applicationId, string sellerId, CancellationToken cancellationToken)
    {
        var h = Hubs.Find(hub) ?? throw new ArgumentException($"Unknown hub '{hub}'.", nameof(hub));
        if (!Ids.IsKeySafe(applicationId))
        {
            throw new ArgumentException($"Application id '{applicationId}' cannot be a table key.", nameof(applicationId));
        }

        ArgumentException.ThrowIfNullOrEmpty(sellerId);

        var table = await storage.TableAsync(storage.Names.HubSellerIdsTable, cancellationToken).ConfigureAwait(false);
        return await retry.RunAsync(async (_, ct) =>
        {
            if (await AllocatedAsync(table, hub, applicationId, ct).ConfigureAwait(false) is { } existing)
            {
                return existing;
            }

            var counter = await table.GetEntityIfExistsAsync<TableEntity>(hub, CounterRow, cancellationToken: ct).ConfigureAwait(false);
            var last = counter.HasValue ? counter.Value!.GetInt32("Last") ?? 0 : 0;
            if (last >= HubSellerId.MaxSequence)
            {
                throw new InvalidOperationException($"Hub {hub} has allocated all {HubSellerId.MaxSequence:N0} seller ids.");
            }

            var next = last + 1;
            var id = HubSellerId.Format(h, next);
            var counterRow = new TableEntity(hub, CounterRow) { ["Last"] = next, ["LastApplicationId"] = applicationId };
            await outbox.CommitAsync(table, hub,
            [
                counter.HasValue
                    ? new(TableTransactionActionType.UpdateReplace, counterRow, counter.Value!.ETag)
                    : new(TableTransactionActionType.Add, counterRow),
                new(TableTransactionActionType.Add, new TableEntity(hub, "application|" + applicationId) { ["Sequence"] = next, ["HubSellerId"] = id, ["SellerId"] = sellerId }),
                new(TableTransactionActionType.Add, new TableEntity(hub, IdRowPrefix + id) { ["ApplicationId"] = applicationId, ["SellerId"] = sellerId }),
            ], [], ct).ConfigureAwait(false);

            // Committed, or an earlier attempt of this operation committed: the stored row is the answer.
            return await AllocatedAsync(table, hub, applicationId, ct).ConfigureAwait(false)
                ?? throw new ConcurrencyConflictException($"The allocation of {applicationId} at {hub} is not readable after its commit.");
        }, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string?> AllocatedAsync(TableClient table, string hub, string applicationId, CancellationToken cancellationToken)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(hub, "application|" + applicationId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetString("HubSellerId") : null;
    }

    public async Task<HubSellerIdOwner?> FindSellerIdAsync(string hubSellerId, CancellationToken cancellationToken)
    {
        if (!HubSellerId.TryParse(hubSellerId, out var hub, out _))
        {
            return null;
        }

        var table = await storage.TableAsync(storage.Names.HubSellerIdsTable, cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(hub.Id, IdRowPrefix + hubSellerId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? new HubSellerIdOwner(hubSellerId, e.GetString("ApplicationId") ?? "", e.GetString("SellerId")) : null;
    }

    public async Task RecordSellerIdAsync(string hubSellerId, string sellerId, CancellationToken cancellationToken)
    {
        if (!HubSellerId.TryParse(hubSellerId, out var hub, out _))
        {
            throw new ArgumentException($"'{hubSellerId}' is not a hub seller id.", nameof(hubSellerId));
        }

        var table = await storage.TableAsync(storage.Names.HubSellerIdsTable, cancellationToken).ConfigureAwait(false);
        await retry.RunAsync(async (_, ct) =>
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(hub.Id, IdRowPrefix + hubSellerId, cancellationToken: ct).ConfigureAwait(false);
            if (!row.HasValue || row.Value!.GetString("SellerId") is not null)
            {
                return 0;
            }

            await outbox.CommitAsync(table, hub.Id, [new(TableTransactionActionType.UpdateMerge,
                new TableEntity(hub.Id, IdRowPrefix + hubSellerId) { ["SellerId"] = sellerId }, row.Value.ETag)], [], ct).ConfigureAwait(false);
            return 1;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The last sequence allocated at <paramref name="hub"/> (0 when none), for checks and tests.</summary>
    public async Task<int> LastAsync(string hub, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.HubSellerIdsTable, cancellationToken).ConfigureAwait(false);
        var counter = await table.GetEntityIfExistsAsync<TableEntity>(hub, CounterRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return counter.HasValue ? counter.Value!.GetInt32("Last") ?? 0 : 0;
    }
}
