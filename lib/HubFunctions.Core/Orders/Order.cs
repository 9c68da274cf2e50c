using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;

namespace HubFunctions.Core.Orders;

/// <summary>Where an order stands. Only <see cref="Open"/> changes; the others are final.</summary>
public enum OrderStatus
{
    /// <summary>Waiting for its dispatch instruction (wire: <c>open</c>, path <c>hub</c>).</summary>
    Open,

    /// <summary>Instructed by the deadline: fulfilled by the hub (wire: <c>instructed</c>, path <c>hub</c>).</summary>
    Instructed,

    /// <summary>No instruction by the deadline: converted to the non-hub path (DSP-3; wire: <c>converted</c>, path <c>non-hub</c>).</summary>
    Converted,
}

/// <summary>The integration event types of orders. Conversion uses <see cref="Events.EventTypes.OrderConvertedToNonHub"/>.</summary>
public static class OrderEvents
{
    public const string Received = "hub.order.received";
    public const string Instructed = "hub.order.instructed";
    public const string ConvertedToNonHub = Events.EventTypes.OrderConvertedToNonHub;
}

/// <summary>Wire names of statuses and paths, as API.md writes them.</summary>
public static class OrderWire
{
    /// <summary><c>open</c>, <c>instructed</c>, <c>converted</c>.</summary>
    public static string Name(OrderStatus status) => status switch
    {
        OrderStatus.Open => "open",
        OrderStatus.Instructed => "instructed",
        OrderStatus.Converted => "converted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary><c>hub</c> while open or instructed, <c>non-hub</c> once converted.</summary>
    public static string Path(OrderStatus status) => status == OrderStatus.Converted ? "non-hub" : "hub";

    /// <summary>The status a wire name stands for (exact), or null.</summary>
    public static OrderStatus? ParseStatus(string? name)
        => Enum.GetValues<OrderStatus>().Select(s => (OrderStatus?)s).FirstOrDefault(s => string.Equals(Name(s!.Value), name, StringComparison.Ordinal));
}

/// <summary>The time rules of dispatch: DSP-2 deadline, on time, due for conversion (DSP-3).</summary>
public static class OrderRules
{
    /// <summary>DSP-2: the instruction must reach the hub within 2 hours of the order's creation.</summary>
    public static readonly TimeSpan DispatchWindow = TimeSpan.FromHours(2);

    /// <summary>DSP-3 [defined here]: conversion within 60 s of the deadline (the sweep's promise).</summary>
    public static readonly TimeSpan ConversionWithin = TimeSpan.FromSeconds(60);

    /// <summary>DSP-2: creation + 2 h exactly (same offset as <paramref name="createdAt"/>).</summary>
    public static DateTimeOffset DispatchDeadline(DateTimeOffset createdAt) => createdAt + DispatchWindow;

    /// <summary>
    /// DSP-2 <b>decided here</b>: "within 2 hours" is inclusive: an instruction received at exactly the
    /// deadline is on time; one tick later it is late.
    /// </summary>
    public static bool IsOnTime(DateTimeOffset deadline, DateTimeOffset receivedAt) => receivedAt <= deadline;

    /// <summary>DSP-3: an open order may be converted only strictly after its deadline (the same boundary as <see cref="IsOnTime"/>, so an instant is never both).</summary>
    public static bool IsConversionDue(DateTimeOffset deadline, DateTimeOffset now) => now > deadline;
}

/// <summary>A dispatch instruction as received (the hub's clock decides <paramref name="ReceivedAt"/>, not the caller).</summary>
public sealed record DispatchInstruction(string InstructionId, DateTimeOffset ReceivedAt);

/// <summary>What an instruction attempt came to.</summary>
public enum InstructionOutcomeKind
{
    /// <summary>Accepted: the order is now <c>instructed</c> (201, event <see cref="OrderEvents.Instructed"/>).</summary>
    Accepted,

    /// <summary>The same <c>instructionId</c> again: nothing changes, answered as before (201, no event).</summary>
    AlreadyApplied,

    /// <summary>Refused: see <see cref="InstructionOutcome.Code"/> (409 DSP-4, DSP-2, already-instructed).</summary>
    Refused,

    /// <summary>The seller is frozen (403 CMP-3, DSP-6): see <see cref="InstructionOutcome.Frozen"/>.</summary>
    Frozen,
}

/// <summary>The outcome of <see cref="Order.Instruct"/>.</summary>
public sealed record InstructionOutcome(InstructionOutcomeKind Kind, Order Order, string? Code = null, string? Message = null, FreezeRefusal? Frozen = null);

/// <summary>The outcome of <see cref="Order.Convert"/>: the converted order and the event data, or why not.</summary>
public sealed record ConversionOutcome(Order Order, ConversionEvent? Event, string? Code)
{
    /// <summary>True when this call converted the order (commit it with <see cref="Event"/>).</summary>
    public bool Converted => Event is not null;
}

/// <summary>
/// DSP-3: the data of <c>hub.order.converted-to-non-hub</c>, with the LSD impact: the conversion counts
/// against the seller's logistics service score (<paramref name="LsdAffected"/> is always true for a
/// conversion; <paramref name="LsdReason"/> names the rule).
/// </summary>
public sealed record ConversionEvent(
    string OrderId, string SellerId, string Hub, DateTimeOffset CreatedAt, DateTimeOffset DispatchDeadline,
    DateTimeOffset ConvertedAt, string Path, bool LsdAffected, string LsdReason, bool Premium);

/// <summary>The data of <c>hub.order.instructed</c>.</summary>
public sealed record InstructedEvent(string OrderId, string SellerId, string Hub, string InstructionId, DateTimeOffset InstructedAt, DateTimeOffset DispatchDeadline, bool Premium);

/// <summary>
/// An order and its state machine: <c>open</c> → <c>instructed</c> (instruction at or before the
/// deadline, DSP-2) or → <c>converted</c> (strictly after the deadline without instruction, DSP-3).
/// Both final. The store commits each transition under the order's ETag, so an instruction racing the
/// sweep ends in exactly one of the two.
/// </summary>
public sealed record Order(
    string OrderId,
    string SellerId,
    string Hub,
    string Channel,
    DateTimeOffset CreatedAt,
    IReadOnlyList<OrderItem> Items,
    bool Premium,
    DateTimeOffset ReceivedAt,
    OrderStatus Status,
    string? InstructionId,
    DateTimeOffset? InstructedAt,
    DateTimeOffset? ConvertedAt)
{
    /// <summary>DSP-2: creation + 2 h.</summary>
    public DateTimeOffset DispatchDeadline => OrderRules.DispatchDeadline(CreatedAt);

    /// <summary><c>hub</c> or <c>non-hub</c>.</summary>
    public string Path => OrderWire.Path(Status);

    /// <summary>DSP-3: open and strictly past the deadline at <paramref name="now"/>.</summary>
    public bool IsConversionDue(DateTimeOffset now) => Status == OrderStatus.Open && OrderRules.IsConversionDue(DispatchDeadline, now);

    /// <summary>
    /// A dispatch instruction for this order by <paramref name="seller"/> (the order's seller, read from
    /// the seller store). Checks, in this order: the same <c>instructionId</c> as the accepted one →
    /// <see cref="InstructionOutcomeKind.AlreadyApplied"/> (a retry is answered as before, even from a
    /// frozen seller); converted → DSP-4; frozen → CMP-3 through <see cref="FreezeCheck"/> (DSP-6);
    /// already instructed with another id → <c>already-instructed</c> (<b>decided here</b>: the first
    /// instruction stands, a second is a conflict naming it); after the deadline → DSP-2 (the order
    /// still waits for the sweep, which will convert it); else accepted.
    /// </summary>
    public InstructionOutcome Instruct(DispatchInstruction instruction, Seller seller)
    {
        ArgumentNullException.ThrowIfNull(instruction);
        ArgumentNullException.ThrowIfNull(seller);
        if (Status == OrderStatus.Instructed && string.Equals(InstructionId, instruction.InstructionId, StringComparison.Ordinal))
        {
            return new(InstructionOutcomeKind.AlreadyApplied, this);
        }

        if (Status == OrderStatus.Converted)
        {
            return new(InstructionOutcomeKind.Refused, this, OrderCodes.Converted,
                $"Order '{OrderId}' was converted to the non-hub path at {ConvertedAt:O}; instructions are refused (DSP-4).");
        }

        if (FreezeCheck.Refusal(seller, FrozenActions.IssueDispatchInstruction) is { } refusal)
        {
            return new(InstructionOutcomeKind.Frozen, this, FreezeRefusal.Code, refusal.Message, refusal);
        }

        if (Status == OrderStatus.Instructed)
        {
            return new(InstructionOutcomeKind.Refused, this, OrderCodes.AlreadyInstructed,
                $"Order '{OrderId}' already has the dispatch instruction '{InstructionId}'.");
        }

        if (!OrderRules.IsOnTime(DispatchDeadline, instruction.ReceivedAt))
        {
            return new(InstructionOutcomeKind.Refused, this, OrderCodes.InstructionLate,
                $"The dispatch deadline of order '{OrderId}' was {DispatchDeadline:O}; the order converts to the non-hub path (DSP-2, DSP-3).");
        }

        return new(InstructionOutcomeKind.Accepted, this with
        {
            Status = OrderStatus.Instructed,
            InstructionId = instruction.InstructionId,
            InstructedAt = instruction.ReceivedAt,
        });
    }

    /// <summary>The event data of an accepted instruction (call on the instructed order).</summary>
    public InstructedEvent InstructedEventData()
    {
        if (Status != OrderStatus.Instructed)
        {
            throw new InvalidOperationException($"Order '{OrderId}' is not instructed.");
        }

        return new(OrderId, SellerId, Hub, InstructionId!, InstructedAt!.Value, DispatchDeadline, Premium);
    }

    /// <summary>
    /// DSP-3: converts an open order strictly past its deadline at <paramref name="now"/>. Not due, or not
    /// open: nothing happens (<see cref="ConversionOutcome.Converted"/> false; <c>Code</c> says why), so a
    /// repeated or overlapping sweep is harmless.
    /// </summary>
    public ConversionOutcome Convert(DateTimeOffset now)
    {
        if (Status != OrderStatus.Open)
        {
            return new(this, null, Status == OrderStatus.Converted ? OrderCodes.Converted : OrderCodes.AlreadyInstructed);
        }

        if (!OrderRules.IsConversionDue(DispatchDeadline, now))
        {
            return new(this, null, OrderCodes.NotDue);
        }

        var converted = this with { Status = OrderStatus.Converted, ConvertedAt = now };
        return new(converted, new ConversionEvent(OrderId, SellerId, Hub, CreatedAt, DispatchDeadline, now,
            converted.Path, LsdAffected: true, LsdReason: "DSP-3", Premium), null);
    }
}
