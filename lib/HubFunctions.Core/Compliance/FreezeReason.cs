using System.Globalization;
using System.Text.Json.Serialization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Compliance;

/// <summary>The rules a seller can be frozen under (the <see cref="FreezeReason.Rule"/> values).</summary>
public static class FreezeRules
{
    /// <summary>CMP-1: a brand authorisation or customs declaration not renewed for more than 12 months.</summary>
    public const string DocumentExpired = "CMP-1";

    /// <summary>CMP-5: the monthly re-check found the tax rating at M, C or D.</summary>
    public const string TaxRating = "tax-rating";

    /// <summary>The document types CMP-1 watches (DOC-1 names).</summary>
    public static readonly IReadOnlyList<string> WatchedDocuments = [AdmissionDocuments.BrandAuthorization, AdmissionDocuments.CustomsDeclaration];
}

/// <summary>
/// Why a seller is frozen, structured so that the unfreeze decision (CMP-4) can check it: either
/// <see cref="FreezeRules.DocumentExpired"/> with the <see cref="DocumentType"/> and the date its latest
/// approved version expired, or <see cref="FreezeRules.TaxRating"/> with the <see cref="Rating"/>; each
/// with a text for a person. Make one with <see cref="DocumentExpiredOn"/> or <see cref="TaxRatingDropped"/>.
/// </summary>
/// <param name="Rule">One of <see cref="FreezeRules"/>.</param>
/// <param name="DocumentType">For CMP-1: the DOC-1 type that expired.</param>
/// <param name="ExpiredOn">For CMP-1: the date its latest approved version expired.</param>
/// <param name="Rating">For tax-rating: the rating found (M, C or D).</param>
/// <param name="Text">For a person, e.g. "CMP-1: customs-declaration expired on 2026-11-01".</param>
/// <param name="Since">When the reason was recorded on the seller (set by <see cref="SellerFreeze.Freeze"/>; null on a reason not yet recorded).</param>
public sealed record FreezeReason(string Rule, string? DocumentType, DateOnly? ExpiredOn, TaxRating? Rating, string Text, DateTimeOffset? Since = null)
{
    /// <summary>
    /// What makes two reasons the same: the rule, and for CMP-1 the document type. A reason whose key
    /// a frozen seller already has is not added again (the sweep or the monthly re-check running twice
    /// changes nothing), whatever its date, rating or text.
    /// </summary>
    [JsonIgnore]
    public string Key => Rule == FreezeRules.DocumentExpired ? $"{Rule}/{DocumentType}" : Rule;

    /// <summary>CMP-1: <paramref name="documentType"/>'s latest approved version expired on <paramref name="expiredOn"/>.</summary>
    public static FreezeReason DocumentExpiredOn(string documentType, DateOnly expiredOn, string? text = null)
    {
        if (!FreezeRules.WatchedDocuments.Contains(documentType))
        {
            throw new ArgumentException($"CMP-1 watches {string.Join(" and ", FreezeRules.WatchedDocuments)}, not '{documentType}'.", nameof(documentType));
        }

        return new(FreezeRules.DocumentExpired, documentType, expiredOn, null,
            text ?? $"CMP-1: {documentType} not renewed, its latest approved version expired on {Iso(expiredOn)}");
    }

    /// <summary>CMP-5: the tax rating dropped to <paramref name="rating"/> (M, C or D).</summary>
    public static FreezeReason TaxRatingDropped(TaxRating rating, string? text = null)
    {
        if (TaxRatingResult.Passes(rating))
        {
            throw new ArgumentException($"A tax rating of {rating} does not freeze (CMP-5: M, C or D does).", nameof(rating));
        }

        return new(FreezeRules.TaxRating, null, null, rating, text ?? $"tax-rating: the tax credit rating is {rating} (CMP-5)");
    }

    /// <summary>The problems that make this reason unusable, empty when it is well formed.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Text))
        {
            yield return "a freeze reason needs a text";
        }

        switch (Rule)
        {
            case FreezeRules.DocumentExpired when DocumentType is null || !FreezeRules.WatchedDocuments.Contains(DocumentType) || ExpiredOn is null || Rating is not null:
                yield return $"a CMP-1 reason names one of {string.Join(", ", FreezeRules.WatchedDocuments)} and its expiry date, and no rating";
                break;
            case FreezeRules.TaxRating when Rating is not { } r || TaxRatingResult.Passes(r) || DocumentType is not null || ExpiredOn is not null:
                yield return "a tax-rating reason names a rating of M, C or D, and no document";
                break;
            case FreezeRules.DocumentExpired or FreezeRules.TaxRating:
                break;
            default:
                yield return $"'{Rule}' is not a freeze rule ({FreezeRules.DocumentExpired} or {FreezeRules.TaxRating})";
                break;
        }
    }

    /// <summary>A date as <c>yyyy-MM-dd</c>.</summary>
    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The business date (Asia/Shanghai) of an instant, as <c>yyyy-MM-dd</c>.</summary>
    public static string Iso(DateTimeOffset instant) => Iso(ChinaTime.DateOf(instant));
}

/// <summary>Who changed a seller's compliance status.</summary>
public enum ActorKind
{
    /// <summary>A timer or queue job, e.g. the CMP-1 sweep or the CMP-5 re-check.</summary>
    System,

    /// <summary>A reviewer (client with the reviewer role), the only actor who may unfreeze (CMP-4).</summary>
    Reviewer,
}

/// <summary>The actor of a freeze or unfreeze (CMP-6): a reviewer's client id, or a system job's name.</summary>
public sealed record ComplianceActor(ActorKind Kind, string Id)
{
    public static ComplianceActor Reviewer(string clientId) => new(ActorKind.Reviewer, Require(clientId));

    public static ComplianceActor System(string job) => new(ActorKind.System, Require(job));

    /// <summary>The wire name of the kind: <c>reviewer</c> or <c>system</c>.</summary>
    public string KindName => Kind == ActorKind.Reviewer ? "reviewer" : "system";

    public override string ToString() => $"{KindName}:{Id}";

    private static string Require(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return id;
    }
}
