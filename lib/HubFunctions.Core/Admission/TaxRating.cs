namespace HubFunctions.Core.Admission;

/// <summary>Taxpayer credit rating levels (纳税信用等级), best first (ADM-10).</summary>
public enum TaxRating
{
    A,
    B,
    M,
    C,
    D,
}

/// <summary>
/// What the tax authority answered for a USCC (ADM-10): a <see cref="TaxRating"/>, or
/// <see cref="IsAvailable"/> false when it could not answer (timeout, outage, circuit open). An
/// unavailable answer never passes or rejects an application: it waits in <c>tax-check-pending</c>.
/// </summary>
public sealed record TaxRatingResult
{
    private TaxRatingResult(TaxRating? rating, string? unavailableReason)
    {
        Rating = rating;
        UnavailableReason = unavailableReason;
    }

    /// <summary>The level, when the authority answered.</summary>
    public TaxRating? Rating { get; }

    /// <summary>Why there is no answer (for logs and the application's record), when unavailable.</summary>
    public string? UnavailableReason { get; }

    /// <summary>True when the authority answered with a level.</summary>
    public bool IsAvailable => Rating is not null;

    /// <summary>The authority answered with <paramref name="rating"/>.</summary>
    public static TaxRatingResult Rated(TaxRating rating) => new(rating, null);

    /// <summary>The authority could not answer.</summary>
    public static TaxRatingResult Unavailable(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(null, reason);
    }

    /// <summary>ADM-10: A and B pass; M, C and D reject.</summary>
    public static bool Passes(TaxRating rating) => rating is TaxRating.A or TaxRating.B;
}
