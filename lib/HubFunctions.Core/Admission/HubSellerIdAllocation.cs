namespace HubFunctions.Core.Admission;

/// <summary>
/// Allocates hub seller ids (ADM-8): per hub, sequential from 1, gapless, never reused, and
/// idempotent per application (allocating again for the same application returns the same id, so
/// an approval retried after a crash cannot skip or take a second number).
/// </summary>
public interface IHubSellerIdAllocator
{
    /// <summary>The hub seller id of <paramref name="applicationId"/> at <paramref name="hub"/>, allocated on the first call.</summary>
    /// <exception cref="ArgumentException">Unknown hub.</exception>
    /// <exception cref="InvalidOperationException">The hub has used all 999,999 numbers.</exception>
    Task<string> AllocateAsync(string hub, string applicationId, CancellationToken cancellationToken);
}
