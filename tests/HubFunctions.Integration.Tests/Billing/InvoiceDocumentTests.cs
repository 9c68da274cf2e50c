using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Billing;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Billing.BillingFixture;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>
/// GET of an invoice serves the documents stored in Blob Storage: each format rendered from the invoice row and stored on its
/// first request (the billing run stores none), then served byte for byte as stored, so the seller always gets the document first served.
/// </summary>
public sealed class InvoiceDocumentTests
{
    private static async Task<(HttpStatusCode Status, string? Type, byte[] Body)> GetAsync(HttpClient client, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BIL_8_each_invoice_document_is_stored_on_first_request_and_served_as_stored_after()
    {
        using var factory = new DevHostFactory();
        await SeedAsync(factory, "doc-seller", 51);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var ledger = factory.Services.GetRequiredService<IBillingLedger>();
        var blobs = factory.Services.GetRequiredService<HubStorage>().BlobService.GetBlobContainerClient(factory.Names.InvoicesContainer);
        var draft = BillingPdfTests.HangzhouMarch2025() with { SellerId = "doc-seller" };
        var invoiceId = InvoiceIds.For("doc-seller", "hangzhou", draft.Period);
        await ledger.AddInvoiceAsync(invoiceId, draft, [], [], CancellationToken.None);
        var path = $"/api/sellers/doc-seller/invoices/{invoiceId}";
        var view = InvoiceWire.View(new StoredInvoice(invoiceId, draft));

        // Each format is rendered from the invoice row on its first request and stored then; later requests are served what is
        // stored, not a new rendering (shown by replacing the stored bytes behind the app's back).
        foreach (var (accept, extension, rendered, marker) in new[]
        {
            ("application/json", "json", JsonSerializer.SerializeToUtf8Bytes(view, BlobInvoiceDocuments.Json), "{\"stored\":true}"u8.ToArray()),
            ("text/csv", "csv", InvoiceCsv.Render(view), "stored,csv\r\n"u8.ToArray()),
        })
        {
            var stored = blobs.GetBlobClient($"doc-seller/{invoiceId}.{extension}");
            Assert.False(await stored.ExistsAsync());
            var first = await GetAsync(reviewer, path, accept);
            Assert.Equal((HttpStatusCode.OK, accept), (first.Status, first.Type));
            Assert.Equal(rendered, first.Body);
            Assert.Equal(first.Body, (await stored.DownloadContentAsync()).Value.Content.ToArray());
            await stored.UploadAsync(new BinaryData(marker), overwrite: true);
            Assert.Equal(marker, (await GetAsync(reviewer, path, accept)).Body);
        }

        var pdf = await GetAsync(reviewer, path, "application/pdf");
        Assert.Equal((HttpStatusCode.OK, "application/pdf"), (pdf.Status, pdf.Type));
        Assert.Contains("CNY464.14", BillingPdfTests.Text(pdf.Body), StringComparison.Ordinal);
        var storedPdf = blobs.GetBlobClient($"doc-seller/{invoiceId}.pdf");
        Assert.Equal(pdf.Body, (await storedPdf.DownloadContentAsync()).Value.Content.ToArray());
        var pdfMarker = "%PDF-1.4 the stored document"u8.ToArray();
        await storedPdf.UploadAsync(new BinaryData(pdfMarker), overwrite: true);
        Assert.Equal(pdfMarker, (await GetAsync(reviewer, path, "application/pdf")).Body);
    }

    [Fact]
    public async Task BIL_6_an_invoice_whose_documents_were_not_stored_before_a_crash_is_stored_when_first_asked_for()
    {
        using var factory = new DevHostFactory();
        await SeedAsync(factory, "doc-crash", 52);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var draft = BillingPdfTests.HangzhouMarch2025() with { SellerId = "doc-crash" };
        var invoiceId = InvoiceIds.For("doc-crash", "hangzhou", draft.Period);
        await factory.Services.GetRequiredService<IBillingLedger>().AddInvoiceAsync(invoiceId, draft, [], [], CancellationToken.None);
        var blobs = factory.Services.GetRequiredService<HubStorage>().BlobService.GetBlobContainerClient(factory.Names.InvoicesContainer);

        var csv = await GetAsync(reviewer, $"/api/sellers/doc-crash/invoices/{invoiceId}", "text/csv");
        Assert.Equal(HttpStatusCode.OK, csv.Status);
        Assert.Equal(csv.Body, (await blobs.GetBlobClient($"doc-crash/{invoiceId}.csv").DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(InvoiceCsv.Render(InvoiceWire.View(new StoredInvoice(invoiceId, draft))), csv.Body);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(reviewer, $"/api/sellers/doc-crash/invoices/{invoiceId[..^1]}x", "text/csv")).Status);
    }
}
