namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>The system clock moved by <see cref="Offset"/> (timers and delays stay real), for links that must be already expired.</summary>
public sealed class ShiftedClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
