using Azure;
using Azure.Data.Tables;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// What tables hold, for "a refused request stores nothing" and "stored once" assertions: every row as
/// <c>{table}/{PartitionKey}/{RowKey}/{ETag}: {properties}</c> (an ETag changes on any rewrite, even an
/// identical one), sorted; a table that does not exist yet holds nothing.
/// </summary>
public static class TableSnapshot
{
    /// <summary>Every row of every table of the app in this host's storage except the webhook-id records.</summary>
    public static Task<List<string>> AllAsync(StorageNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        return RowsAsync([.. names.All.Where(n => n.Setting.EndsWith("Table", StringComparison.Ordinal) && n.Setting != nameof(StorageNames.IdempotencyTable)).Select(n => n.Name)]);
    }

    /// <summary>Every row of <paramref name="tables"/>, as text, sorted.</summary>
    public static async Task<List<string>> RowsAsync(params string[] tables)
    {
        var rows = new List<string>();
        foreach (var table in tables)
        {
            rows.AddRange((await EntitiesAsync(table)).Select(e => $"{table}/{e.PartitionKey}/{e.RowKey}/{e.ETag}: "
                + string.Join(",", e.Where(p => p.Key is not ("Timestamp" or "odata.etag")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"))));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>The entities of <paramref name="table"/> (only <paramref name="partitionKey"/>'s when given); none when the table does not exist.</summary>
    public static async Task<List<TableEntity>> EntitiesAsync(string table, string? partitionKey = null)
    {
        try
        {
            var client = TestStorage.Tables().GetTableClient(table);
            return partitionKey is null
                ? await client.QueryAsync<TableEntity>().ToListAsync()
                : await client.QueryAsync<TableEntity>(e => e.PartitionKey == partitionKey).ToListAsync();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
    }
}
