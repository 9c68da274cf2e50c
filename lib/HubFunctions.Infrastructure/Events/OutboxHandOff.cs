using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace HubFunctions.Infrastructure.Events;

/// <summary>
/// Committed intents handed from the committer to this process's relay, in memory, instead of a
/// "Committed" mark written to the intents table after each commit. The committer hands off the
/// intents of a commit it stored (each with the ETag of its own upsert) and wakes the relay as
/// before; the next relay pass in this process takes them all and claims them in one merge batch
/// per up to 100 that sets the lease and the mark together, under those ETags, so an intent that
/// changed meanwhile (the sweeper took it) is skipped. Bounded by
/// <see cref="EventsOptions.HandOffCapacity"/>: a commit that does not fit is marked in the table
/// as before. Whatever is lost with the process (handed off, never relayed) stays an unmarked
/// intent whose outbox row (or witness row) exists: the sweeper relays it after <see cref="OutboxRelay.SweepMinAge"/>,
/// as any unmarked intent.
/// </summary>
public sealed class OutboxHandOff(IOptions<EventsOptions> options)
{
    private readonly Lock _gate = new();
    private List<TableEntity> _pending = [];

    /// <summary>How many intents wait for this process's next relay pass.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Hands off every intent of one commit, or none when they do not all fit (the caller marks them
    /// in the table then). Each intent carries its event, table, state partition and its upsert's ETag.
    /// </summary>
    public bool TryHandOff(IReadOnlyList<TableEntity> intents)
    {
        lock (_gate)
        {
            if (_pending.Count + intents.Count > options.Value.HandOffCapacity)
            {
                return false;
            }

            _pending.AddRange(intents);
            return true;
        }
    }

    /// <summary>Takes every intent handed off so far (a relay pass; each is taken once).</summary>
    public List<TableEntity> TakeAll()
    {
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return [];
            }

            var taken = _pending;
            _pending = [];
            return taken;
        }
    }
}
