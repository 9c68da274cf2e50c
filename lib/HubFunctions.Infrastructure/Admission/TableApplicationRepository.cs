using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Admission;

/// <summary>
/// Applications in the applications table (<see cref="StorageNames.ApplicationsTable"/>), one partition
/// per seller (<c>seller|{sellerId}</c>): <c>application|{id}</c> holds the state as JSON, and
/// <see cref="OpenRow"/> exists exactly while the seller has an undecided application (insert-only, so
/// two racing submissions cannot both win; deleted in the same transaction that makes the application
/// terminal). Applications are found by id through <c>ids/{applicationId}</c> → seller, upserted
/// after the commit.
/// </summary>
public sealed class TableApplicationRepository(HubStorage storage, TableOutbox outbox, OptimisticRetry retry) : IApplicationRepository, IOpenApplications
{
    /// <summary>The seller id's open application: the <see cref="OpenRow"/> of its partition, then the application.</summary>
    public async Task<SellerApplication?> FindOpenAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var open = await table.GetEntityIfExistsAsync<TableEntity>(SellerPartition(sellerId), OpenRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!open.HasValue || open.Value?.GetString("ApplicationId") is not { } applicationId)
        {
            return null;
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(SellerPartition(sellerId), ApplicationRow(applicationId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e && JsonSerializer.Deserialize<SellerApplication>(e.GetString("State")!, StateJson) is { } a && !a.Status.IsTerminal() ? a : null;
    }

    public const string OpenRow = "open";
    public const string IdPartition = "ids";

    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    public static string SellerPartition(string sellerId) => "seller|" + sellerId;

    public static string ApplicationRow(string applicationId) => "application|" + applicationId;

    public async Task<StoredApplication?> GetAsync(string applicationId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(applicationId))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var pointer = await table.GetEntityIfExistsAsync<TableEntity>(IdPartition, applicationId, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!pointer.HasValue || pointer.Value?.GetString("SellerId") is not { } sellerId)
        {
            return null;
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(SellerPartition(sellerId), ApplicationRow(applicationId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e
            ? new StoredApplication(JsonSerializer.Deserialize<SellerApplication>(e.GetString("State")!, StateJson)!, e.ETag.ToString())
            : null;
    }

    public async Task<string?> TryAddAsync(SellerApplication application, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = SellerPartition(application.SellerId);
        return await retry.RunAsync(async (_, ct) =>
        {
            try
            {
                await outbox.CommitAsync(table, partition,
                [
                    new(TableTransactionActionType.Add, new TableEntity(partition, OpenRow) { ["ApplicationId"] = application.ApplicationId }),
                    new(TableTransactionActionType.Add, ToEntity(partition, application)),
                ], events, ct).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException)
            {
                var open = await table.GetEntityIfExistsAsync<TableEntity>(partition, OpenRow, cancellationToken: ct).ConfigureAwait(false);
                if (open.Value?.GetString("ApplicationId") is not { } openId)
                {
                    throw; // The open application was decided meanwhile: try again.
                }

                if (openId != application.ApplicationId)
                {
                    return openId;
                }
            }

            await PointAsync(table, application, ct).ConfigureAwait(false);
            return null;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<string> UpdateAsync(SellerApplication application, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(application);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var partition = SellerPartition(application.SellerId);
        var changes = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, ToEntity(partition, application), new ETag(etag)) };
        if (application.Status.IsTerminal())
        {
            changes.Add(new(TableTransactionActionType.Delete, new TableEntity(partition, OpenRow), ETag.All));
        }

        await outbox.CommitAsync(table, partition, changes, events, cancellationToken).ConfigureAwait(false);
        var stored = await table.GetEntityAsync<TableEntity>(partition, ApplicationRow(application.ApplicationId), ["RowKey"], cancellationToken).ConfigureAwait(false);
        return stored.Value.ETag.ToString();
    }

    /// <summary>
    /// The id pointer, written after the commit (Committed or AlreadyCommitted), so a refused
    /// submission stores nothing. A crash before it leaves the application unreadable by id until
    /// the sender's retry of the same request (same ids) meets its own commit and writes it.
    /// </summary>
    private static Task PointAsync(TableClient table, SellerApplication application, CancellationToken cancellationToken)
        => table.UpsertEntityAsync(new TableEntity(IdPartition, application.ApplicationId) { ["SellerId"] = application.SellerId },
            TableUpdateMode.Replace, cancellationToken);

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.ApplicationsTable, cancellationToken);

    private static TableEntity ToEntity(string partition, SellerApplication application) => new(partition, ApplicationRow(application.ApplicationId))
    {
        ["Status"] = application.Status.ToWire(),
        ["State"] = JsonSerializer.Serialize(application, StateJson),
    };
}
