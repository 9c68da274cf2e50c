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
}
