using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// Wakes the relay after commits: one message on the relay queue stands for every commit handed off
/// (<see cref="OutboxHandOff"/>, taken by a pass in the committing process) or marked before the
/// relay pass it starts reads the intents. A commit needs a wake-up that becomes visible
/// after it was marked; one pending wake-up is enough for many commits:
/// <list type="bullet">
/// <item>The first request of a quiet spell sends a message visible at once. Concurrent requests
/// share a send: a request returns once a send that started after it has gone out.</item>
/// <item>A request within <see cref="EventsOptions.WakeUpSpacing"/> of the last message becoming
/// visible sends one that stays invisible for the spacing (whole seconds: the queue's visibility
/// timeout has a one-second grain). Every request made before that message becomes visible (minus
/// <see cref="ClockMargin"/>) is covered by it and returns at once, without a storage call: a relay
/// pass started by that message, in any process, reads the intents after it became visible.</item>
/// </list>
/// Under load a process sends about one wake-up per spacing instead of one per send round trip, so
/// the relay receives, runs and deletes far fewer messages; an event committed during a burst waits
/// at most the spacing longer. If a send fails, nothing is recorded and the next request sends
/// again; if none does, the sweeper relays the marked intents.
/// </summary>
public sealed class OutboxWakeUp(HubStorage storage, IOptions<EventsOptions> options)
{
    /// <summary>The text of a wake-up message on the relay queue.</summary>
    public const string Message = """{"relay":"pending"}""";

    /// <summary>
    /// A delayed message covers requests made up to this long before it becomes visible: the queue
    /// counts the delay from when it received the send, which is after the send started here, so this
    /// only absorbs clock-rate differences.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The queue counts a visibility delay in real time, so the delay is measured against the real
    /// clock, not the app's <see cref="TimeProvider"/> (which tests fake and freeze).
    /// </summary>
    private static readonly TimeProvider RealTime = TimeProvider.System;

    private readonly SemaphoreSlim _sender = new(1, 1);
    private long _requested;
    private long _sentUpTo;

    /// <summary>Real-time timestamp: a request made before it is covered by a sent message not yet visible (0: none).</summary>
    private long _coveredBefore;

    /// <summary>Real-time timestamp when the last sent message became (or becomes) visible (0: none sent).</summary>
    private long _lastVisibleAt;

    private TimeSpan Spacing => TimeSpan.FromSeconds(Math.Max(0, Math.Ceiling(options.Value.WakeUpSpacing.TotalSeconds)));

    public async Task RequestAsync(CancellationToken cancellationToken)
    {
        var mine = Interlocked.Increment(ref _requested);
        var requestedAt = RealTime.GetTimestamp();
        if (requestedAt < Interlocked.Read(ref _coveredBefore))
        {
            return;
        }

        await _sender.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _sentUpTo) >= mine || requestedAt < Interlocked.Read(ref _coveredBefore))
            {
                return;
            }

            // Read before sending: this message covers every request made up to now.
            var upTo = Interlocked.Read(ref _requested);
            var startedAt = RealTime.GetTimestamp();
            var lastVisibleAt = Interlocked.Read(ref _lastVisibleAt);
            var spacing = Spacing;
            var delay = spacing > TimeSpan.Zero && lastVisibleAt != 0 && RealTime.GetElapsedTime(lastVisibleAt, startedAt) < spacing
                ? spacing
                : TimeSpan.Zero;
            var queue = await storage.QueueAsync(storage.Names.OutboxRelayQueue, cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(Message, visibilityTimeout: delay > TimeSpan.Zero ? delay : null, cancellationToken: cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastVisibleAt, startedAt + Ticks(delay));
            if (delay > ClockMargin)
            {
                Interlocked.Exchange(ref _coveredBefore, startedAt + Ticks(delay - ClockMargin));
            }

            Interlocked.Exchange(ref _sentUpTo, upTo);
        }
        finally
        {
            _sender.Release();
        }
    }

    /// <summary>A span in the units of <see cref="TimeProvider.GetTimestamp"/>.</summary>
    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * RealTime.TimestampFrequency);
}
