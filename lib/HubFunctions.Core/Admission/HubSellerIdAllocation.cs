namespace HubFunctions.Core.Admission;

/// <summary>
/// Allocates hub seller ids (ADM-8): per hub, sequential from 1, gapless, never reused, and
/// idempotent per application (allocating again for the same application returns the same id, so
/// an approval retried after a crash cannot skip or take a second number).
/// </summary>
public interface IHubSellerIdAllocator
{
    /// <summary>
    /// The hub seller id of <paramref name="applicationId"/> at <paramref name="hub"/>, allocated on the first call for the seller
    /// <paramref name="sellerId"/>; the allocation is also the index hub seller id → seller id (<see cref="FindSellerIdAsync"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Unknown hub.</exception>
    /// <exception cref="InvalidOperationException">The hub has used all 999,999 numbers.</exception>
    Task<string> AllocateAsync(string hub, string applicationId, string sellerId, CancellationToken cancellationToken);

    /// <summary>
    /// The seller a hub seller id was allocated to (one point read), or null when the id was never allocated. An id allocated
    /// before the index recorded seller ids has an empty <see cref="HubSellerIdOwner.SellerId"/>: the caller resolves it
    /// otherwise and records it with <see cref="RecordSellerIdAsync"/>.
    /// </summary>
    Task<HubSellerIdOwner?> FindSellerIdAsync(string hubSellerId, CancellationToken cancellationToken);

    /// <summary>Records <paramref name="sellerId"/> on an allocation made before the index held it (idempotent; an allocation that names a seller already is left as it is).</summary>
    Task RecordSellerIdAsync(string hubSellerId, string sellerId, CancellationToken cancellationToken);
}

/// <summary>An allocated hub seller id: the application (or seed key) it went to and the seller, when the allocation recorded one.</summary>
public sealed record HubSellerIdOwner(string HubSellerId, string ApplicationId, string? SellerId);
