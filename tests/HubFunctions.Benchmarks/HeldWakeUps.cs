using System.Diagnostics;
using Azure.Storage.Queues;
using HubFunctions.Infrastructure.Events;

namespace HubFunctions.Benchmarks;

/// <summary>
/// A benchmark's direct side sending relay wake-ups as <c>OutboxWakeUp</c> does with its default spacing of 1 s: under a
/// steady stream of commits one relay message per second covers every commit requested before it becomes visible (the app
/// holds it invisible for that second).
/// </summary>
public sealed class HeldWakeUps(QueueClient relay)
{
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _sender = new(1, 1);
    private long _lastSent;

    public async Task WakeUpAsync()
    {
        if (SentWithinSpacing(Interlocked.Read(ref _lastSent)))
        {
            return;
        }

        await _sender.WaitAsync();
        try
        {
            var last = Interlocked.Read(ref _lastSent);
            if (SentWithinSpacing(last))
            {
                return;
            }

            await relay.SendMessageAsync(OutboxWakeUp.Message, visibilityTimeout: last == 0 ? null : Spacing);
            Interlocked.Exchange(ref _lastSent, Stopwatch.GetTimestamp());
        }
        finally
        {
            _sender.Release();
        }
    }

    private static bool SentWithinSpacing(long last) => last != 0 && Stopwatch.GetElapsedTime(last) < Spacing;
}
