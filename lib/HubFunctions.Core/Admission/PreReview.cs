using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Admission;

/// <summary>What the business licence says (ADM-9), as read from the uploaded licence's metadata.</summary>
/// <param name="EntityName">The registered entity name printed on the licence.</param>
/// <param name="UnifiedSocialCreditCode">The USCC printed on the licence.</param>
public sealed record BusinessLicenceFacts(string EntityName, string UnifiedSocialCreditCode);

/// <summary>
/// The facts stage 1 is judged on, besides the category rules recorded at intake (ADM-5).
/// </summary>
/// <param name="DocumentsPresent">DOC-1 types whose latest version counts as present (see <see cref="AdmissionDocuments"/>).</param>
/// <param name="Licence">The business licence's facts, or null when no licence has been read yet.</param>
/// <param name="TaxRating">The tax authority's latest answer (ADM-10).</param>
public sealed record PreReviewInput(IReadOnlySet<string> DocumentsPresent, BusinessLicenceFacts? Licence, TaxRatingResult TaxRating);

/// <summary>How stage 1 came out.</summary>
public enum PreReviewOutcome
{
    /// <summary>Everything present and passing: on to the site audit.</summary>
    Passed,

    /// <summary>A rule is definitely not met: the application is rejected with <see cref="PreReviewResult.Failures"/>.</summary>
    Failed,

    /// <summary>Nothing failed, but required documents (or the licence's facts) are missing: waits in <c>pre-review</c>.</summary>
    AwaitingDocuments,

    /// <summary>Nothing failed, but the tax authority could not answer: waits in <c>tax-check-pending</c> (ADM-10).</summary>
    TaxCheckPending,
}

/// <summary>One evaluation of stage 1.</summary>
/// <param name="Outcome">See <see cref="PreReviewOutcome"/>.</param>
/// <param name="Failures">Every rule not met (empty unless <see cref="PreReviewOutcome.Failed"/>), each with its rule id.</param>
/// <param name="MissingDocuments">Required DOC-1 types not present yet.</param>
/// <param name="TaxRating">The rating judged, or null when unavailable.</param>
public sealed record PreReviewResult(PreReviewOutcome Outcome, IReadOnlyList<ReviewReason> Failures, IReadOnlyList<string> MissingDocuments, TaxRating? TaxRating);

/// <summary>
/// Stage 1 of ADM-5, the automatic qualification pre-review: category rules (ADM-2..4, judged at
/// intake), documents (ADM-9), identifiers (ADM-9, ADM-11) and tax rating (ADM-10). Pure: it is
/// re-run whenever a document or a tax answer arrives.
/// <para>
/// Precedence (defined here): any definite failure rejects at once, even while documents are still
/// missing or the tax answer is pending, and all failures found are listed together. Otherwise an
/// unavailable tax answer makes it <see cref="PreReviewOutcome.TaxCheckPending"/> (whatever else is
/// missing: the tax retry must keep running); otherwise missing documents make it
/// <see cref="PreReviewOutcome.AwaitingDocuments"/>; otherwise it passes.
/// </para>
/// <para>
/// Licence checks (ADM-9): the licence's entity name must equal the application's entity name,
/// compared ordinally after trimming and after mapping full-width parentheses （） to ( ), the only
/// difference commonly seen between the same name typed twice; its USCC must be valid (ADM-11) and
/// equal the application's (after upper-casing). A licence document without facts counts as missing.
/// </para>
/// </summary>
public static class PreReview
{
    /// <summary>Judges stage 1 for <paramref name="application"/>.</summary>
    public static PreReviewResult Evaluate(SellerApplication application, PreReviewInput input)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(input);
        var failures = new List<ReviewReason>(application.CategoryFailures);

        var missing = AdmissionDocuments.Required(application.Category, application.OwnBrand, application.GreenChannel)
            .Where(type => !input.DocumentsPresent.Contains(type))
            .ToList();
        if (input.Licence is null && !missing.Contains(AdmissionDocuments.BusinessLicence))
        {
            missing.Insert(0, AdmissionDocuments.BusinessLicence);
        }

        if (input.Licence is { } licence)
        {
            if (!SameEntityName(licence.EntityName, application.EntityName))
            {
                failures.Add(new ReviewReason("ADM-9",
                    $"The business licence's entity name '{licence.EntityName}' differs from the store's entity name '{application.EntityName}'."));
            }

            if (UnifiedSocialCreditCode.Validate(licence.UnifiedSocialCreditCode, "licence.unifiedSocialCreditCode", out var licenceCode).Count > 0)
            {
                failures.Add(new ReviewReason("ADM-11", $"The business licence's Unified Social Credit Code '{licence.UnifiedSocialCreditCode}' is not valid."));
            }
            else if (!string.Equals(licenceCode, application.UnifiedSocialCreditCode, StringComparison.Ordinal))
            {
                failures.Add(new ReviewReason("ADM-9",
                    $"The business licence's Unified Social Credit Code {licenceCode} differs from the application's {application.UnifiedSocialCreditCode}."));
            }
        }

        var rating = input.TaxRating.Rating;
        if (rating is { } level && !TaxRatingResult.Passes(level))
        {
            failures.Add(new ReviewReason("ADM-10", $"Taxpayer credit rating {level}: only A or B may be admitted."));
        }

        var outcome = failures.Count > 0 ? PreReviewOutcome.Failed
            : !input.TaxRating.IsAvailable ? PreReviewOutcome.TaxCheckPending
            : missing.Count > 0 ? PreReviewOutcome.AwaitingDocuments
            : PreReviewOutcome.Passed;
        return new PreReviewResult(outcome, failures, missing, rating);
    }

    /// <summary>ADM-9's comparison of entity names (see the class remarks); also used by the documents' automatic check.</summary>
    public static bool SameEntityName(string a, string b) => string.Equals(NormaliseName(a), NormaliseName(b), StringComparison.Ordinal);

    private static string NormaliseName(string name) => name.Trim().Replace('（', '(').Replace('）', ')');
}
