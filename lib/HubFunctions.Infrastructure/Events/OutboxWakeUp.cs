using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// Wakes the relay after commits: one message on the relay queue stands for every commit marked
/// before it was sent. Concurrent requests share a send: a request returns once a send that started
/// after it has gone out, so under load one message covers many commits (while one send is in
/// flight, the commits that finish meanwhile wait for the next send, and share it).
/// </summary>
public sealed class OutboxWakeUp(HubStorage storage)
{
    /// <summary>The text of a wake-up message on the relay queue.</summary>
    public const string Message = """{"relay":"pending"}""";

    private readonly SemaphoreSlim _sender = new(1, 1);
    private long _requested;
    private long _sentUpTo;

    public async Task RequestAsync(CancellationToken cancellationToken)
    {
        var mine = Interlocked.Increment(ref _requested);
        await _sender.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Read(ref _sentUpTo) >= mine)
            {
                return;
            }

            // Read before sending: this message covers every request made up to now.
            var upTo = Interlocked.Read(ref _requested);
            var queue = await storage.QueueAsync(storage.Names.OutboxRelayQueue, cancellationToken).ConfigureAwait(false);
            await queue.SendMessageAsync(Message, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _sentUpTo, upTo);
        }
        finally
        {
            _sender.Release();
        }
    }
}
