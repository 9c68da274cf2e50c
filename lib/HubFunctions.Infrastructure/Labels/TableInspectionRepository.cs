using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Common;
using HubFunctions.Core.Events;
using HubFunctions.Core.Labels;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Labels;

/// <summary>
/// Inspections and rectification orders in <c>labelcompliance</c>, one partition per seller:
/// <c>inspection|{id}</c>, <c>rectification|{id}</c>, and <c>rectification-open</c> (present exactly
/// while an order is open; its ETag serialises concurrent inspections). Each commit is one entity
/// group transaction with its outbox rows.
/// </summary>
public sealed class TableInspectionRepository(HubStorage storage, TableOutbox outbox) : IInspectionRepository
{
    public const string OpenMarker = "rectification-open";

    public async Task<OpenRectification?> FindOpenRectificationAsync(string sellerId, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.LabelComplianceTable, cancellationToken).ConfigureAwait(false);
        var marker = await table.GetEntityIfExistsAsync<TableEntity>(sellerId, OpenMarker, cancellationToken: cancellationToken).ConfigureAwait(false);
        return marker.HasValue && marker.Value is { } m
            ? new OpenRectification(m.GetString("RectificationId")!, m.GetDateTimeOffset("OpenedAt")!.Value, m.ETag.ToString())
            : null;
    }

    public async Task<InspectionResult?> CommitAsync(InspectionRecord inspection, RectificationChange change, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(storage.Names.LabelComplianceTable, cancellationToken).ConfigureAwait(false);
        var c = inspection.Command;
        var at = inspection.InspectedAt;
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(c.SellerId, "inspection|" + inspection.InspectionId)
            {
                ["Hub"] = c.Hub,
                ["ReceiptId"] = c.ReceiptId,
                ["Sampled"] = inspection.Outcome.Sampled,
                ["Failed"] = inspection.Outcome.Failed,
                ["FailureRate"] = (double)inspection.Outcome.FailureRateRounded,
                ["RectificationRequired"] = inspection.Outcome.RectificationRequired,
                ["Failures"] = JsonSerializer.Serialize(c.Failures),
                ["InspectedBy"] = c.InspectedBy,
                ["InspectedAt"] = at,
                ["Transition"] = change.Transition.ToString(),
                ["RectificationId"] = change.RectificationId,
            }),
        };

        var previous = change.Previous is null ? ETag.All : new ETag(change.Previous.ConcurrencyToken);
        switch (change.Transition)
        {
            case RectificationTransition.Open:
                actions.Add(new(TableTransactionActionType.Add, new TableEntity(c.SellerId, OpenMarker)
                {
                    ["RectificationId"] = change.RectificationId,
                    ["OpenedAt"] = at,
                }));
                actions.Add(new(TableTransactionActionType.Add, new TableEntity(c.SellerId, "rectification|" + change.RectificationId)
                {
                    ["Status"] = "open",
                    ["Hub"] = c.Hub,
                    ["OpenedAt"] = at,
                    ["OpenedBy"] = inspection.InspectionId,
                    ["LastInspection"] = inspection.InspectionId,
                }));
                break;
            case RectificationTransition.RemainOpen:
                // Touch the marker under its ETag so a concurrent close or re-open conflicts.
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(c.SellerId, OpenMarker) { ["LastInspection"] = inspection.InspectionId }, previous));
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(c.SellerId, "rectification|" + change.RectificationId)
                {
                    ["LastInspection"] = inspection.InspectionId,
                }, ETag.All));
                break;
            case RectificationTransition.Close:
                actions.Add(new(TableTransactionActionType.Delete, new TableEntity(c.SellerId, OpenMarker), previous));
                actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(c.SellerId, "rectification|" + change.RectificationId)
                {
                    ["Status"] = "closed",
                    ["ClosedAt"] = at,
                    ["ClosedBy"] = inspection.InspectionId,
                    ["LastInspection"] = inspection.InspectionId,
                }, ETag.All));
                break;
        }

        if (await outbox.CommitAsync(table, c.SellerId, actions, events, cancellationToken).ConfigureAwait(false) == CommitOutcome.Committed)
        {
            return null;
        }

        // An earlier attempt of this request stored the inspection: answer from what it stored.
        var stored = (await table.GetEntityAsync<TableEntity>(c.SellerId, "inspection|" + inspection.InspectionId, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        return new InspectionResult(inspection.InspectionId,
            InspectionRules.Evaluate(stored.GetInt32("Sampled")!.Value, stored.GetInt32("Failed")!.Value),
            Enum.Parse<RectificationTransition>(stored.GetString("Transition")!),
            stored.GetString("RectificationId"));
    }
}
