using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;

namespace HubFunctions.Core.Billing;

/// <summary>The outcome of <see cref="FeeConfirmationHandler.GetAsync"/>: the stored PDF, or the H-1 refusal.</summary>
public sealed record FeeConfirmationDocument(byte[]? Pdf, string? DocumentName, string? ErrorMessage);

/// <summary>
/// BIL-8: the fee confirmation letter of a seller at a hub, rendered from the hub's rate cards and stored
/// in Blob Storage. One document per seller, hub, Asia/Shanghai day and content of the letter: asking again
/// the same day returns the stored letter byte for byte; a changed card or seller name gives a new one.
/// </summary>
public sealed class FeeConfirmationHandler(IRateCardSource cards, IBillingPdfRenderer renderer, IBillingDocumentFiles files, TimeProvider clock)
{
    public const string ContentType = "application/pdf";

    /// <summary>The letter of an existing <paramref name="seller"/> (access already checked, SEC-2) at <paramref name="hub"/>.</summary>
    public async Task<FeeConfirmationDocument> GetAsync(Seller seller, string hub, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seller);
        var history = await cards.HistoryAsync(hub, cancellationToken).ConfigureAwait(false);
        var prepared = FeeConfirmation.Prepare(seller.SellerId, seller.HubSellerId, seller.EntityName, hub, history, ChinaTime.DateOf(clock.GetUtcNow()));
        if (prepared.Letter is not { } letter)
        {
            return new FeeConfirmationDocument(null, null, prepared.ErrorMessage);
        }

        var name = DocumentName(letter);
        var pdf = await files.FindAsync(name, cancellationToken).ConfigureAwait(false)
            ?? await files.KeepAsync(name, renderer.RenderFeeConfirmation(letter), ContentType, cancellationToken).ConfigureAwait(false);
        return new FeeConfirmationDocument(pdf, name, null);
    }

    /// <summary>
    /// <c>fee-confirmations/{sellerId}/{hub}/{issuedOn}-{fingerprint}.pdf</c>; the fingerprint is the SHA-256 of
    /// everything the letter prints, so the same letter is never stored twice and a different one never overwrites it.
    /// </summary>
    public static string DocumentName(FeeConfirmationLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        var text = new StringBuilder()
            .Append(letter.SellerId).Append('\n').Append(letter.HubSellerId).Append('\n').Append(letter.SellerName).Append('\n').Append(letter.Hub);
        foreach (var card in letter.Cards)
        {
            text.Append('\n').Append(card.EffectiveFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Append(';').Append(card.StoragePerCubicMetreMonth.ToString(CultureInfo.InvariantCulture));
            foreach (var kind in UsageKind.All)
            {
                text.Append(';').Append(kind.Code).Append('=').Append(card.RateOf(kind.Code).ToString(CultureInfo.InvariantCulture));
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        return $"fee-confirmations/{letter.SellerId}/{letter.Hub}/{letter.IssuedOn:yyyy-MM-dd}-{hash}.pdf";
    }
}
