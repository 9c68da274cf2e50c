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
public sealed class InvoiceFunctions(IBillingLedger ledger, SellerAccess access, IBillingPdfRenderer pdf)
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

    /// <summary>GET /api/sellers/{sellerId}/invoices/{invoiceId}: <c>application/json</c> (default), <c>text/csv</c>, or or <c>application/pdf</c>; anything else 406.</summary>
    [Function("GetInvoice")]
    [AllowRoles(HubRole.Seller, HubRole.Reviewer)]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sellers/{sellerId}/invoices/{invoiceId}")] HttpRequest request, string sellerId, string invoiceId, CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CheckAsync(request, sellerId, null, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (!InvoiceIds.TryParse(invoiceId, out var owner, out var hub, out var period) || owner != sellerId
            || await ledger.FindInvoiceAsync(sellerId, hub, period, cancellationToken) is not { } invoice)
        {
            return new ProblemResult(Problems.NotFound($"Seller '{sellerId}' has no invoice '{invoiceId}'."));
        }

        return BillingAnswers.Preferred(request) switch
        {
            "text/csv" => new HubFileResult(InvoiceCsv.Render(InvoiceWire.View(invoice)), InvoiceCsv.ContentType, invoiceId + ".csv"),
            "application/pdf" => new HubFileResult(pdf.RenderInvoice(invoiceId, seller!.EntityName, invoice.Invoice), "application/pdf", invoiceId + ".pdf"),
            "application/json" => HubResults.Ok(InvoiceWire.View(invoice)),
            _ => new ProblemResult(new Problem(406, "not-acceptable", "Not Acceptable", "An invoice is served as application/json, text/csv or application/pdf.")),
        };
    }
}
