using HubFunctions.Core.Common;
using HubFunctions.Core.Events;

namespace HubFunctions.Core.Labels;

/// <summary>One failed unit of a sampling inspection: the label read and why it failed.</summary>
public sealed record InspectionFailure(string Label, string Reason);

/// <summary>A sampling inspection as recorded by a hub operator (LBL-4).</summary>
public sealed record InspectionCommand(string Hub, string SellerId, string ReceiptId, int Sampled, IReadOnlyList<InspectionFailure> Failures, string InspectedBy);

/// <summary>The seller's open rectification order, with the token that guards changes to it.</summary>
public sealed record OpenRectification(string RectificationId, DateTimeOffset OpenedAt, string ConcurrencyToken);

/// <summary>An inspection as stored.</summary>
public sealed record InspectionRecord(string InspectionId, InspectionCommand Command, InspectionOutcome Outcome, DateTimeOffset InspectedAt);

/// <summary>What the inspection does to the rectification order, to be committed with it.</summary>
public sealed record RectificationChange(RectificationTransition Transition, string? RectificationId, OpenRectification? Previous);

public sealed record InspectionResult(string InspectionId, InspectionOutcome Outcome, RectificationTransition Transition, string? RectificationId);

/// <summary>Storage of inspections and rectification orders; a commit is atomic with its events.</summary>
public interface IInspectionRepository
{
    Task<OpenRectification?> FindOpenRectificationAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>Stores the inspection, applies the change and queues the events, all or nothing.</summary>
    /// <returns>Null when this call stored it; the inspection as stored when an earlier attempt of the
    /// same request already had (its answer stands, whatever this attempt decided).</returns>
    /// <exception cref="ConcurrencyConflictException">The open order changed meanwhile; read again and retry.</exception>
    Task<InspectionResult?> CommitAsync(InspectionRecord inspection, RectificationChange change, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// LBL-4: records a sampling inspection; a failure rate above 5% opens a rectification order for
/// the seller (<c>hub.rectification.opened</c>), and a later inspection at or below 5% closes it
/// (<c>hub.rectification.closed</c>). Concurrent inspections of one seller are serialised by the
/// repository's concurrency token: the loser reads the order again (<see cref="OptimisticRetry"/>).
/// The inspection id is drawn once, before the first attempt, so every attempt (and a retry of the
/// same request, whose ids derive from its <see cref="HubOperation"/>) stores the same inspection.
/// </summary>
public sealed class InspectionHandler(IInspectionRepository repository, OptimisticRetry retry, IIdSource ids, TimeProvider clock)
{
    public const string InspectionIdPrefix = "INS";
    public const string RectificationIdPrefix = "RECT";

    public Task<InspectionResult> HandleAsync(InspectionCommand command, CancellationToken cancellationToken)
    {
        var outcome = InspectionRules.Evaluate(command.Sampled, command.Failures.Count);
        var record = new InspectionRecord(ids.NewId(InspectionIdPrefix), command, outcome, clock.GetUtcNow());
        return retry.RunAsync(async (_, ct) =>
        {
            var open = await repository.FindOpenRectificationAsync(command.SellerId, ct).ConfigureAwait(false);
            var transition = InspectionRules.Transition(open is not null, outcome);
            var rectificationId = transition == RectificationTransition.Open ? ids.NewId(RectificationIdPrefix) : open?.RectificationId;
            var stored = await repository.CommitAsync(record, new RectificationChange(transition, rectificationId, open), EventsFor(transition, rectificationId, record), ct).ConfigureAwait(false);
            return stored ?? new InspectionResult(record.InspectionId, outcome, transition, rectificationId);
        }, cancellationToken);
    }

    private IReadOnlyList<HubEvent> EventsFor(RectificationTransition transition, string? rectificationId, InspectionRecord record)
    {
        var type = transition switch
        {
            RectificationTransition.Open => EventTypes.RectificationOpened,
            RectificationTransition.Close => EventTypes.RectificationClosed,
            _ => null,
        };
        if (type is null)
        {
            return [];
        }

        var c = record.Command;
        return
        [
            HubEvent.Create(type, $"rectifications/{rectificationId}", new
            {
                rectificationId,
                sellerId = c.SellerId,
                hub = c.Hub,
                inspectionId = record.InspectionId,
                receiptId = c.ReceiptId,
                sampled = record.Outcome.Sampled,
                failed = record.Outcome.Failed,
                failureRate = record.Outcome.FailureRateRounded,
                rule = "LBL-4",
            }, clock, ids, c.SellerId, c.Hub),
        ];
    }
}
