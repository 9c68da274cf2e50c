using System.Globalization;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Common;
using HubFunctions.Core.Identifiers;

namespace HubFunctions.Core.Documents;

/// <summary>The upload's text fields as sent (multipart parts), unparsed.</summary>
public sealed record DocumentSubmission(string? Type, string? IssuedOn, string? DocumentNumber, string? Sealed, string? Brand, string? EntityName);

/// <summary>Who a business licence must match (ADM-9): the seller store's, or the open application's, entity.</summary>
public sealed record LicenceReference(string EntityName, string UnifiedSocialCreditCode, string Source);

/// <summary>
/// The document rules that need no storage: the upload's fields (every error at once), DOC-3 for
/// customs declarations, and ADM-9 for business licences. Choices are in <c>DECISIONS.md</c> here.
/// </summary>
public static class DocumentRules
{
    public const string ReviewerRejection = "reviewer-decision";
    public const int MaxTextLength = 200;

    /// <summary>
    /// Field errors for an upload's fields, all at once, and the parsed facts when there are none.
    /// <paramref name="receivedAt"/> is "submission" for DOC-3's 3-month window.
    /// </summary>
    public static (DocumentFacts? Facts, IReadOnlyList<FieldError> Errors) CheckSubmission(DocumentSubmission s, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(s);
        var errors = new List<FieldError>();
        if (string.IsNullOrEmpty(s.Type))
        {
            errors.Add(new("type", "required", "type is required (a DOC-1 type)."));
        }
        else if (!DocumentTypes.IsKnown(s.Type))
        {
            errors.Add(new("type", "DOC-1", $"type must be one of {string.Join(", ", DocumentTypes.All)}."));
        }

        DateOnly issuedOn = default;
        var today = ChinaTime.DateOf(receivedAt);
        if (string.IsNullOrEmpty(s.IssuedOn))
        {
            errors.Add(new("issuedOn", "required", "issuedOn is required (YYYY-MM-DD)."));
        }
        else if (!DateOnly.TryParseExact(s.IssuedOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out issuedOn))
        {
            errors.Add(new("issuedOn", "invalid-date", "issuedOn must be a date YYYY-MM-DD."));
        }
        else if (issuedOn > today)
        {
            errors.Add(new("issuedOn", "in-future", $"issuedOn {issuedOn:yyyy-MM-dd} is after today ({today:yyyy-MM-dd}, Asia/Shanghai)."));
        }

        bool? seal = null;
        if (s.Sealed is not null)
        {
            if (bool.TryParse(s.Sealed, out var parsed) && s.Sealed is "true" or "false")
            {
                seal = parsed;
            }
            else
            {
                errors.Add(new("sealed", "invalid-value", "sealed must be true or false."));
            }
        }

        Text("documentNumber", s.DocumentNumber, errors);
        Text("brand", s.Brand, errors);
        Text("entityName", s.EntityName, errors);
        var documentNumber = s.DocumentNumber;
        if (s.Type == AdmissionDocuments.CustomsDeclaration)
        {
            var dateKnown = errors.All(e => e.Field != "issuedOn");
            errors.AddRange(CheckCustoms(documentNumber, dateKnown ? issuedOn : null, seal, receivedAt)
                .Select(r => new FieldError(r.Field, r.Reason.Code, r.Reason.Message)));
        }
        else if (s.Type == AdmissionDocuments.BusinessLicence)
        {
            if (string.IsNullOrWhiteSpace(s.EntityName))
            {
                errors.Add(new("entityName", "required", "entityName (the registered entity name on the licence) is required for a business-licence (ADM-9)."));
            }

            if (string.IsNullOrEmpty(documentNumber))
            {
                errors.Add(new("documentNumber", "required", "documentNumber (the licence's Unified Social Credit Code) is required for a business-licence (ADM-9)."));
            }
            else if (UnifiedSocialCreditCode.Validate(documentNumber, "documentNumber", out var uscc) is { Count: > 0 } usccErrors)
            {
                errors.AddRange(usccErrors.Select(e => e with { Code = "ADM-11" }));
            }
            else
            {
                documentNumber = uscc;
            }
        }
        else if (s.Type == AdmissionDocuments.BrandAuthorization && string.IsNullOrWhiteSpace(s.Brand))
        {
            errors.Add(new("brand", "required", "brand is required for a brand-authorization."));
        }

        return errors.Count > 0
            ? (null, errors)
            : (new DocumentFacts(s.Type!, issuedOn, documentNumber, seal, s.Brand?.Trim(), s.EntityName?.Trim()), errors);
    }

    /// <summary>
    /// DOC-3 for a customs export declaration: an 18-digit number, digit 9 <c>0</c> (export; <c>1</c>
    /// is import), digits 5-8 the year of the declaration date; the declaration month at most 3
    /// calendar months before the month of submission (Asia/Shanghai: received in November, August
    /// to November are accepted, July is not); marked as sealed. Each failure with its field.
    /// </summary>
    public static IReadOnlyList<(string Field, DocumentReason Reason)> CheckCustoms(string? number, DateOnly? declaredOn, bool? sealedMark, DateTimeOffset submittedAt)
    {
        var failures = new List<(string, DocumentReason)>();
        if (string.IsNullOrEmpty(number))
        {
            failures.Add(("documentNumber", new("DOC-3", "documentNumber (the 18-digit customs declaration number) is required for a customs-declaration.")));
        }
        else if (number.Length != 18 || !number.All(char.IsAsciiDigit))
        {
            failures.Add(("documentNumber", new("DOC-3", $"A customs declaration number has exactly 18 digits (got {number.Length} characters{(number.All(char.IsAsciiDigit) ? "" : ", not all digits")}).")));
        }
        else if (number[8] != '0')
        {
            failures.Add(("documentNumber", new("DOC-3", number[8] == '1'
                ? "Digit 9 of the number is 1: an import declaration, not an export declaration."
                : $"Digit 9 of the number must be 0 (export); got {number[8]}.")));
        }
        else if (declaredOn is { } d && int.Parse(number.AsSpan(4, 4), CultureInfo.InvariantCulture) != d.Year)
        {
            failures.Add(("documentNumber", new("DOC-3", $"Digits 5-8 of the number ({number.Substring(4, 4)}) must be the declaration year {d.Year}.")));
        }

        if (declaredOn is { } declared)
        {
            var submitted = ChinaTime.DateOf(submittedAt);
            var age = ((submitted.Year * 12) + submitted.Month) - ((declared.Year * 12) + declared.Month);
            if (age > 3)
            {
                failures.Add(("issuedOn", new("DOC-3", $"The declaration month {declared:yyyy-MM} is {age} months before {submitted:yyyy-MM}; it must be within the last 3 months.")));
            }
        }

        if (sealedMark is not true)
        {
            failures.Add(("sealed", new("DOC-3", "A customs declaration must be marked as bearing the company seal (sealed=true).")));
        }

        return failures;
    }

    /// <summary>
    /// The automatic checks of a received version (DOC-3, ADM-9): DOC-3 again as of its receipt, and
    /// for a business licence its entity name and USCC against <paramref name="reference"/> (the
    /// seller store, or the open application); no reference is a failure.
    /// </summary>
    public static IReadOnlyList<DocumentReason> CheckAutomatic(DocumentVersion document, LicenceReference? reference)
    {
        ArgumentNullException.ThrowIfNull(document);
        var f = document.Facts;
        if (f.Type == AdmissionDocuments.CustomsDeclaration)
        {
            return [.. CheckCustoms(f.DocumentNumber, f.IssuedOn, f.Sealed, document.ReceivedAt).Select(x => x.Reason)];
        }

        if (f.Type != AdmissionDocuments.BusinessLicence)
        {
            return [];
        }

        if (reference is null)
        {
            return [new("ADM-9", "There is no seller nor open application to compare the licence with.")];
        }

        var reasons = new List<DocumentReason>();
        if (!PreReview.SameEntityName(f.EntityName ?? "", reference.EntityName))
        {
            reasons.Add(new("ADM-9", $"The licence's entity name '{f.EntityName}' differs from the {reference.Source}'s entity name '{reference.EntityName}'."));
        }

        if (!UnifiedSocialCreditCode.IsValid(f.DocumentNumber))
        {
            reasons.Add(new("ADM-11", $"The licence's Unified Social Credit Code '{f.DocumentNumber}' is not valid."));
        }
        else if (!string.Equals(f.DocumentNumber, reference.UnifiedSocialCreditCode, StringComparison.Ordinal))
        {
            reasons.Add(new("ADM-9", $"The licence's Unified Social Credit Code {f.DocumentNumber} differs from the {reference.Source}'s {reference.UnifiedSocialCreditCode}."));
        }

        return reasons;
    }

    private static void Text(string field, string? value, List<FieldError> errors)
    {
        if (value is { Length: > MaxTextLength })
        {
            errors.Add(new(field, "too-long", $"{field} is at most {MaxTextLength} characters."));
        }
        else if (value is not null && value.Any(char.IsControl))
        {
            errors.Add(new(field, "invalid-value", $"{field} must not contain control characters."));
        }
    }
}
