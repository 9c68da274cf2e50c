using System.Globalization;
using Azure.Data.Tables;
using HubFunctions.Core.Access;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>Refused calls (SEC-1) in <see cref="StorageNames.AccessAuditTable"/>: one partition per UTC day, a row per refusal.</summary>
public sealed class TableAccessAudit(HubStorage storage, TableOutbox outbox, IIdSource ids) : IAccessAudit
{
    private static string Day(DateOnly d) => d.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public async Task RecordAsync(AccessRefusal refusal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var table = await storage.TableAsync(storage.Names.AccessAuditTable, cancellationToken).ConfigureAwait(false);
        var key = Day(DateOnly.FromDateTime(refusal.At.UtcDateTime));
        var row = $"{refusal.At.UtcTicks:D19}|{ids.NewId("AUD")}";
        await outbox.CommitAsync(table, key, [new(TableTransactionActionType.Add, new TableEntity(key, row)
        {
            ["ClientId"] = refusal.ClientId,
            ["Role"] = refusal.Role.ToWire(),
            ["Method"] = refusal.Method,
            ["Path"] = refusal.Path,
            ["Rule"] = refusal.Rule,
            ["Reason"] = refusal.Reason,
            ["At"] = refusal.At,
        })], [], cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AccessRefusal>> OnDayAsync(DateOnly utcDay, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.AccessAuditTable, cancellationToken).ConfigureAwait(false);
        var found = new List<AccessRefusal>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Day(utcDay)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            _ = HubRoles.TryParse(e.GetString("Role"), out var role);
            found.Add(new AccessRefusal(e.GetString("ClientId")!, role, e.GetString("Method")!, e.GetString("Path")!, e.GetString("Rule")!, e.GetString("Reason")!, e.GetDateTimeOffset("At")!.Value));
        }

        return found;
    }
}
