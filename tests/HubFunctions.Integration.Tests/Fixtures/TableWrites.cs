namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Which storage requests are table transactions, for the tests that count or hold them.</summary>
public static class TableWrites
{
    /// <summary>
    /// A <c>$batch</c>, or a write of one entity (insert, update, merge, upsert, delete: <c>/{table}</c> or
    /// <c>/{table}(PartitionKey=…,RowKey=…)</c>), which is how <see cref="Infrastructure.Storage.TableGroupCommit"/> sends a
    /// transaction of a single action since session s11. Not a read, nor a table's creation or deletion (<c>/Tables</c>), nor a
    /// queue or blob request (more than one path segment after the account).
    /// </summary>
    public static bool IsTransaction(Azure.Core.Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Uri.Path;
        if (path.EndsWith("/$batch", StringComparison.Ordinal))
        {
            return true;
        }

        if (request.Method == Azure.Core.RequestMethod.Get || request.Method == Azure.Core.RequestMethod.Head)
        {
            return false;
        }

        // A Table service request (the SDK sends DataServiceVersion on each; a queue's or container's creation is also one path
        // segment long) on Azurite's path style: /{account}/{table or entity}.
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return request.Headers.TryGetValue("DataServiceVersion", out _) && segments.Length == 2 && !segments[1].StartsWith("Tables", StringComparison.Ordinal);
    }

    /// <summary>
    /// Whether <paramref name="request"/>, a <c>$batch</c>, writes into <paramref name="table"/>: read from its body, where inserts
    /// are <c>POST .../{table}?$format=... HTTP/1.1</c> and updates and deletes <c>.../{table}(PartitionKey=...</c>.
    /// </summary>
    public static bool IsBatchOn(Azure.Core.Request request, string table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) || request.Content is null)
        {
            return false;
        }

        using var body = new MemoryStream();
        request.Content.WriteTo(body, cancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(body.ToArray());
        return new[] { " ", "?", "(" }.Any(end => text.Contains("/" + table + end, StringComparison.Ordinal));
    }
}
