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

/// <summary>Thrown by a repository when the rectification order changed since it was read.</summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);

/// <summary>Storage of inspections and rectification orders; a commit is atomic with its events.</summary>
public interface IInspectionRepository
{
    Task<OpenRectification?> FindOpenRectificationAsync(string sellerId, CancellationToken cancellationToken);

    /// <summary>Stores the inspection, applies the change and queues the events, all or nothing.</summary>
    /// <exception cref="ConcurrencyConflictException">The open order changed meanwhile; read again and retry.</exception>
    Task CommitAsync(InspectionRecord inspection, RectificationChange change, IReadOnlyList<HubEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// LBL-4: records a sampling inspection; a failure rate above 5% opens a rectification order for
/// the seller (<c>hub.rectification.opened</c>), and a later inspection at or below 5% closes it
/// (<c>hub.rectification.closed</c>). Concurrent inspections of one seller are serialised by the
/// repository's concurrency token: the loser reads the order again.
/// </summary>
public sealed class InspectionHandler(IInspectionRepository repository, TimeProvider clock)
{
    /// <summary>Each round lets at least one concurrent inspection of the seller through.</summary>
    private const int MaxAttempts = 20;

    public async Task<InspectionResult> HandleAsync(InspectionCommand command, CancellationToken cancellationToken)
    {
        var outcome = InspectionRules.Evaluate(command.Sampled, command.Failures.Count);
        var record = new InspectionRecord(NewId("INS"), command, outcome, clock.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            var open = await repository.FindOpenRectificationAsync(command.SellerId, cancellationToken).ConfigureAwait(false);
            var transition = InspectionRules.Transition(open is not null, outcome);
            var rectificationId = transition == RectificationTransition.Open ? NewId("RECT") : open?.RectificationId;
            var events = EventsFor(transition, rectificationId, record);
            try
            {
                await repository.CommitAsync(record, new RectificationChange(transition, rectificationId, open), events, cancellationToken).ConfigureAwait(false);
                return new InspectionResult(record.InspectionId, outcome, transition, rectificationId);
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Another inspection of this seller changed the order first: decide again, after a
                // short random pause so the losers do not collide again in step.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), cancellationToken).ConfigureAwait(false);
            }
        }
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
            }, clock, c.SellerId, c.Hub),
        ];
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 1 + 20)];
}
