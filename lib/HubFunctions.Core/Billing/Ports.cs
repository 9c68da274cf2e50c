namespace HubFunctions.Core.Billing;

/// <summary>The rate cards of a hub, every version by <c>effectiveFrom</c> (BIL-1, H-1).</summary>
/// <remarks>The billing run, the invoices and the fee confirmation letter (BIL-8) all read cards through this port.</remarks>
public interface IRateCardSource
{
    /// <summary>Every card of <paramref name="hub"/>; an empty history for a hub without a card (H-1: nothing is invented).</summary>
    Task<RateCardHistory> HistoryAsync(string hub, CancellationToken cancellationToken);
}

/// <summary>Renders billing documents (BIL-8) as PDF bytes; Chinese and English text.</summary>
public interface IBillingPdfRenderer
{
    /// <summary>The invoice <paramref name="invoiceId"/> of <paramref name="sellerName"/> as a PDF.</summary>
    byte[] RenderInvoice(string invoiceId, string sellerName, InvoiceDraft invoice);

    /// <summary>The fee confirmation letter (费用确认书, BIL-8): every rate of <paramref name="letter"/>, in Chinese and English.</summary>
    byte[] RenderFeeConfirmation(FeeConfirmationLetter letter);
}

/// <summary>Generated billing documents (PDF) in Blob Storage, kept under stable names.</summary>
public interface IBillingDocumentFiles
{
    /// <summary>The stored bytes of <paramref name="name"/>, or null when nothing is stored under it.</summary>
    Task<byte[]?> FindAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="name"/> unless a document is stored there already
    /// (a concurrent request won); returns the bytes that are stored, so every caller serves the document of record.
    /// </summary>
    Task<byte[]> KeepAsync(string name, byte[] content, string contentType, CancellationToken cancellationToken);
}
