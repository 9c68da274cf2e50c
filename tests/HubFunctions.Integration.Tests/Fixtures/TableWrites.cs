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
}
