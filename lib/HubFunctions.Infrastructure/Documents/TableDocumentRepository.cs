using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Documents;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Documents;

/// <summary>
/// Document versions in the documents table (<see cref="StorageNames.DocumentsTable"/>), one
/// partition per seller id, so every write of a seller's documents is one outbox transaction:
/// <list type="bullet">
/// <item><c>version|{documentId}</c>: one row per version, never deleted (DOC-5), the state as JSON;</item>
/// <item><c>sha256|{type}|{hex}</c>: insert-only, the version with those bytes (DOC-2: two racing identical uploads cannot both add);</item>
/// <item><c>latest|{type}</c>: the newest version of the type (ETag-guarded: versions are numbered without gaps);</item>
/// <item><c>approved|{type}|{sellerId}</c>: the newest approved version and its approval instant and date, so the
/// compliance sweep (CMP-1) checks an index entry with one point read of it (the seller's document list
/// reads them all with one range query of its partition). The seller id keeps the row key unique in
/// the table: Azurite looks a row up by its row key first and then filters every row sharing it, so
/// a key every seller shares made the sweep's point read cost O(sellers) there (Compliance DECISIONS).</item>
/// </list>
/// </summary>
public sealed class TableDocumentRepository(HubStorage storage, TableOutbox outbox) : IDocumentRepository
{
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static string VersionRow(string documentId) => "version|" + documentId;

    public static string ContentRow(string type, string sha256) => $"sha256|{type}|{sha256}";

    public static string LatestRow(string type) => "latest|" + type;

    public const string ApprovedRowPrefix = "approved|";

    public static string ApprovedRow(string sellerId, string type) => $"{ApprovedRowPrefix}{type}|{sellerId}";

    public async Task<StoredDocument?> GetAsync(string sellerId, string documentId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId) || !Ids.IsKeySafe(documentId))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, VersionRow(documentId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? new StoredDocument(FromEntity(e), e.ETag.ToString()) : null;
    }

    public async Task<DocumentVersion?> FindByContentAsync(string sellerId, string type, string sha256, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, ContentRow(type, sha256), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value?.GetString("DocumentId") is { } id ? (await GetAsync(sellerId, id, cancellationToken).ConfigureAwait(false))?.Document : null;
    }

    public async Task<LatestOfType> LatestOfTypeAsync(string sellerId, string type, CancellationToken cancellationToken)
    {
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, LatestRow(type), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!row.HasValue || row.Value is not { } pointer)
        {
            return new LatestOfType(null, null);
        }

        var document = await GetAsync(sellerId, pointer.GetString("DocumentId")!, cancellationToken).ConfigureAwait(false);
        return new LatestOfType(document?.Document, pointer.ETag.ToString());
    }

    public async Task<DocumentVersion?> AddAsync(DocumentVersion document, string? pointerETag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var p = document.SellerId;
        var pointer = new TableEntity(p, LatestRow(document.Type)) { ["DocumentId"] = document.DocumentId, ["Version"] = document.Version };
        TableTransactionAction[] changes =
        [
            new(TableTransactionActionType.Add, ToEntity(document)),
            new(TableTransactionActionType.Add, new TableEntity(p, ContentRow(document.Type, document.File.Sha256)) { ["DocumentId"] = document.DocumentId }),
            pointerETag is null ? new(TableTransactionActionType.Add, pointer) : new(TableTransactionActionType.UpdateReplace, pointer, new ETag(pointerETag)),
        ];
        try
        {
            await outbox.CommitAsync(table, p, changes, events, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ConcurrencyConflictException)
        {
            var same = await FindByContentAsync(p, document.Type, document.File.Sha256, cancellationToken).ConfigureAwait(false);
            if (same is not null && same.DocumentId != document.DocumentId)
            {
                return same;
            }

            throw;
        }
    }

    public async Task UpdateAsync(DocumentVersion document, string etag, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var table = await Table(cancellationToken).ConfigureAwait(false);
        var p = document.SellerId;
        var changes = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, ToEntity(document), new ETag(etag)) };
        if (document.Status == DocumentStatus.Approved && document.ReviewedAt is { } approvedAt)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(p, ApprovedRow(p, document.Type), cancellationToken: cancellationToken).ConfigureAwait(false);
            var row = new TableEntity(p, ApprovedRow(p, document.Type))
            {
                ["DocumentId"] = document.DocumentId,
                ["Version"] = document.Version,
                ["ApprovedAt"] = approvedAt,
                ["ApprovedOn"] = ChinaTime.DateOf(approvedAt).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            };
            if (!current.HasValue || current.Value is null)
            {
                changes.Add(new(TableTransactionActionType.Add, row));
            }
            else if (current.Value.GetInt32("Version") < document.Version)
            {
                changes.Add(new(TableTransactionActionType.UpdateReplace, row, current.Value.ETag));
            }
        }

        await outbox.CommitAsync(table, p, changes, events, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DocumentVersion>> LatestAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return [];
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var pointers = await Range(table, sellerId, "latest|", cancellationToken).ConfigureAwait(false);
        var versions = await Task.WhenAll(pointers.Select(r => GetAsync(sellerId, r.GetString("DocumentId")!, cancellationToken))).ConfigureAwait(false);
        return [.. versions.Where(v => v is not null).Select(v => v!.Document)];
    }

    public async Task<IReadOnlyList<ApprovedDocument>> LatestApprovedAsync(string sellerId, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId))
        {
            return [];
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        return [.. (await Range(table, sellerId, ApprovedRowPrefix, cancellationToken).ConfigureAwait(false)).Select(r => Approved(sellerId, r))];
    }

    public async Task<ApprovedDocument?> LatestApprovedOfTypeAsync(string sellerId, string type, CancellationToken cancellationToken)
    {
        if (!Ids.IsKeySafe(sellerId) || !Ids.IsKeySafe(type))
        {
            return null;
        }

        var table = await Table(cancellationToken).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, ApprovedRow(sellerId, type), cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } e ? Approved(sellerId, e) : null;
    }

    private static ApprovedDocument Approved(string sellerId, TableEntity r) => new(
        sellerId,
        r.RowKey[ApprovedRowPrefix.Length..^(sellerId.Length + 1)],
        r.GetString("DocumentId")!,
        r.GetInt32("Version") ?? 0,
        r.GetDateTimeOffset("ApprovedAt")!.Value,
        DateOnly.ParseExact(r.GetString("ApprovedOn")!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<List<TableEntity>> Range(TableClient table, string partition, string prefix, CancellationToken cancellationToken)
    {
        var end = prefix[..^1] + (char)(prefix[^1] + 1);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {end}");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(row);
        }

        return rows;
    }

    private Task<TableClient> Table(CancellationToken cancellationToken) => storage.TableAsync(storage.Names.DocumentsTable, cancellationToken);

    private static TableEntity ToEntity(DocumentVersion d) => new(d.SellerId, VersionRow(d.DocumentId))
    {
        ["Type"] = d.Type,
        ["Version"] = d.Version,
        ["Status"] = d.Status.ToWire(),
        ["State"] = JsonSerializer.Serialize(d, StateJson),
    };

    private static DocumentVersion FromEntity(TableEntity e) => JsonSerializer.Deserialize<DocumentVersion>(e.GetString("State")!, StateJson)!;
}
