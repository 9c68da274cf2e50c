using System.Text.Json;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace HubFunctions.Functions.Orders;

/// <summary>
/// A retry of an intake that created its order (202), answered from the order row that intake inserted (<see cref="IDerivedReplay"/>):
/// the order as it was created, whatever happened to it since, as the first answer showed it.
/// </summary>
public sealed class SubmitOrderReplay(OrderHandler handler, TimeProvider clock) : IDerivedReplay
{
    public string Function => OrderFunctions.SubmitOrderName;

    public async Task<IActionResult?> ReplayAsync(DerivedReplayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Checked as the intake checks it (it passed then, and it only gets older): the order's fingerprint, not just its id, must
        // be the row's, since a webhook-id is a new message again after its window and its operation stamps as the old one did.
        if (OrderReplayBody.Read<OrderRequest>(request.Body) is not { } body || OrderSubmission.Check(body, clock.GetUtcNow()).Order is not { } valid)
        {
            return null;
        }

        var created = await handler.FindWrittenByAsync(valid.OrderId, request.OperationKey, OrderWrite.Intake, cancellationToken);
        return created is not null && created.Fingerprint == valid.Fingerprint() ? OrderAnswers.Submitted(created.Order) : null;
    }
}

/// <summary>
/// A retry of an instruction that was accepted (201), answered from the outcome row that instruction inserted (<see cref="IDerivedReplay"/>).
/// </summary>
public sealed class DispatchInstructionReplay(OrderHandler handler) : IDerivedReplay
{
    public string Function => DispatchInstructionFunction.Name;

    public async Task<IActionResult?> ReplayAsync(DerivedReplayRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RouteValues.GetValueOrDefault("orderId") is not string orderId
            || OrderReplayBody.Read<DispatchInstructionFunction.InstructionBody>(request.Body)?.InstructionId is not { } instructionId)
        {
            return null;
        }

        var instructed = await handler.FindWrittenByAsync(orderId, request.OperationKey, OrderWrite.Outcome, cancellationToken);
        return instructed?.Order is { Status: OrderStatus.Instructed } order && string.Equals(order.InstructionId, instructionId, StringComparison.Ordinal)
            ? OrderAnswers.Instructed(order)
            : null;
    }
}

internal static class OrderReplayBody
{
    /// <summary>The body as the function read it (it did, the first time: the same bytes); null if it does not read.</summary>
    public static T? Read<T>(byte[] body)
        where T : class
    {
        try
        {
            return body.Length == 0 ? null : JsonSerializer.Deserialize<T>(body, HubJson.Options);
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException)
        {
            return null;
        }
    }
}
