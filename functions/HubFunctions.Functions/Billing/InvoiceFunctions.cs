using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Billing;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Billing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Billing;

/// <summary>A seller's invoices (seller own, reviewer): JSON (API.md "Invoice JSON"), CSV or PDF by <c>Accept</c>.</summary>
public sealed class InvoiceFunctions(IBillingLedger ledger, SellerAccess access, IInvoiceDocuments documents)
{
    /// <summary>GET /api/sellers/{sellerId}/invoices?period=YYYY-MM (period optional: every invoice).</summary>
    [Function("ListInvoices")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer)]
    public async Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/invoices")] HttpRequest request, string sellerId, CancellationToken cancellationToken)
    {
        var (_, problem) = await access.CheckAsync(request, sellerId, null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        BillingPeriod? period = null;
        if (request.Query.ContainsKey("period"))
        {
            if (!CalendarMonth.TryParse(request.Query["period"].ToString(), out var month))
            {
                return new ProblemResult(Problems.Validation("period", BillingCodes.InvalidPeriod, "period must be a month as YYYY-MM."));
            }

            period = new BillingPeriod(month);
        }

        var invoices = await ledger.ListInvoicesAsync(sellerId, period, cancellationToken);
        return HubResults.Ok(new { sellerId, period = period?.ToString(), invoices = invoices.Select(InvoiceWire.View) });
    }

    /// <summary>
    /// GET /api/sellers/{sellerId}/invoices/{invoiceId}: <c>application/json</c> (default), <c>text/csv</c> or <c>application/pdf</c>,
    /// anything else 406; the document stored in Blob Storage (<see cref="IInvoiceDocuments"/>), stored first when it is not yet.
    /// </summary>
    [Function("GetInvoice")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer)]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/invoices/{invoiceId}")] HttpRequest request, string sellerId, string invoiceId, CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CheckAsync(request, sellerId, null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var format = BillingAnswers.Preferred(request) switch { "text/csv" => InvoiceFormat.Csv, "application/pdf" => InvoiceFormat.Pdf, "application/json" => InvoiceFormat.Json, _ => (InvoiceFormat?)null };
        var stored = InvoiceIds.TryParse(invoiceId, out var owner, out var hub, out var period) && owner == sellerId && format is { } f
            ? await documents.FindAsync(sellerId, invoiceId, f, cancellationToken) : null;
        if (stored is null)
        {
            if (owner != sellerId || await ledger.FindInvoiceAsync(sellerId, hub, period, cancellationToken) is not { } invoice)
            {
                return new ProblemResult(Problems.NotFound($"Seller '{sellerId}' has no invoice '{invoiceId}'."));
            }

            if (format is null)
            {
                return new ProblemResult(new Problem(406, "not-acceptable", "Not Acceptable", "An invoice is served as application/json, text/csv or application/pdf."));
            }

            stored = await documents.GetOrStoreAsync(invoice, seller!.EntityName, format.Value, cancellationToken);
        }

        return new HubFileResult(stored, BlobInvoiceDocuments.ContentType(format!.Value), format == InvoiceFormat.Json ? null : $"{invoiceId}.{format.Value.ToString().ToLowerInvariant()}");
    }
}
