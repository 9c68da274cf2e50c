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
/// a number can never go to two applications). A lost race re-reads and tries again
/// (<see cref="OptimisticRetry"/>); a commit whose answer was lost is recognised by the outbox write path.
/// </summary>
public sealed class TableHubSellerIdAllocator(HubStorage storage, TableOutbox outbox, OptimisticRetry retry) : IHubSellerIdAllocator
{
    public const string CounterRow = "counter";

    public async Task<string> AllocateAsync(string hub, string applicationId, CancellationToken cancellationToken)
    {
        var h = Hubs.Find(hub) ?? throw new ArgumentException($"Unknown hub '{hub}'.", nameof(hub));
        if (!Ids.IsKeySafe(applicationId))
        {
            throw new ArgumentException($"Application id '{applicationId}' cannot be a table key.", nameof(applicationId));
        }

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
                new(TableTransactionActionType.Add, new TableEntity(hub, "application|" + applicationId) { ["Sequence"] = next, ["HubSellerId"] = id }),
                new(TableTransactionActionType.Add, new TableEntity(hub, "id|" + id) { ["ApplicationId"] = applicationId }),
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

    /// <summary>The last sequence allocated at <paramref name="hub"/> (0 when none), for checks and tests.</summary>
    public async Task<int> LastAsync(string hub, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.HubSellerIdsTable, cancellationToken).ConfigureAwait(false);
        var counter = await table.GetEntityIfExistsAsync<TableEntity>(hub, CounterRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return counter.HasValue ? counter.Value!.GetInt32("Last") ?? 0 : 0;
    }
}
