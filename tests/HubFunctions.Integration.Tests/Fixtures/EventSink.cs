using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>Reads the local event sink, the Azurite queue <c>hub-events</c>.</summary>
public static class EventSink
{
    /// <summary>
    /// Takes (receives and deletes) the events on the event queue of <paramref name="names"/> whose subject starts with
    /// <paramref name="subjectPrefix"/>, until <paramref name="expected"/> are seen or the time is up;
    /// then keeps reading for <paramref name="settle"/> to catch any extra copies.
    /// </summary>
    public static async Task<List<HubEvent>> TakeAsync(StorageNames names, string subjectPrefix, int expected, TimeSpan timeout, TimeSpan settle)
    {
        var queue = TestStorage.Queue(names.EventsQueue);
        await queue.CreateIfNotExistsAsync();
        var taken = new List<HubEvent>();
        var until = DateTime.UtcNow + timeout;
        DateTime? settleUntil = null;
        while (DateTime.UtcNow < (settleUntil ?? until))
        {
            var batch = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30))).Value;
            foreach (var m in batch)
            {
                var e = CloudEventCodec.Decode(m.Body.ToArray());
                if (e.Subject.StartsWith(subjectPrefix, StringComparison.Ordinal))
                {
                    taken.Add(e);
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                }
                else
                {
                    await queue.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero);
                }
            }

            if (taken.Count >= expected && settleUntil is null)
            {
                settleUntil = DateTime.UtcNow + settle;
            }

            if (batch.Length == 0)
            {
                await Task.Delay(100);
            }
        }

        return taken;
    }
}
