using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CsvHelper;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>
/// Invoices as documents in <see cref="StorageNames.InvoicesContainer"/>: <c>{sellerId}/{invoiceId}.json</c>, <c>.csv</c> and
/// <c>.pdf</c>, each rendered from the invoice row on its first request and written once (<c>If-None-Match: *</c>), then served
/// as stored, so a seller always gets the document first served (a later change of the seller's name or of the code that
/// renders it does not change it). The billing run writes none (it would cost two blob writes per seller-hub).
/// </summary>
public sealed class BlobInvoiceDocuments(HubStorage storage, IBillingPdfRenderer pdf) : IInvoiceDocuments
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string BlobName(string sellerId, string invoiceId, InvoiceFormat format) => $"{sellerId}/{invoiceId}.{Extension(format)}";

    public static string ContentType(InvoiceFormat format) => format switch
    {
        InvoiceFormat.Json => "application/json; charset=utf-8",
        InvoiceFormat.Csv => InvoiceCsv.ContentType,
        _ => "application/pdf",
    };

    private static string Extension(InvoiceFormat format) => format.ToString().ToLowerInvariant();

    public async Task<byte[]?> FindAsync(string sellerId, string invoiceId, InvoiceFormat format, CancellationToken cancellationToken)
    {
        var container = await Container(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(container.GetBlobClient(BlobName(sellerId, invoiceId, format)), cancellationToken).ConfigureAwait(false);
    }

    public async Task<byte[]> GetOrStoreAsync(StoredInvoice invoice, string sellerName, InvoiceFormat format, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var container = await Container(cancellationToken).ConfigureAwait(false);
        return await ReadAsync(container.GetBlobClient(BlobName(invoice.Invoice.SellerId, invoice.InvoiceId, format)), cancellationToken).ConfigureAwait(false)
            ?? await KeepAsync(container, invoice, format, Render(invoice, sellerName, format), cancellationToken).ConfigureAwait(false);
    }

    private byte[] Render(StoredInvoice invoice, string sellerName, InvoiceFormat format) => format switch
    {
        InvoiceFormat.Json => JsonSerializer.SerializeToUtf8Bytes(InvoiceWire.View(invoice), Json),
        InvoiceFormat.Csv => InvoiceCsv.Render(InvoiceWire.View(invoice)),
        _ => pdf.RenderInvoice(invoice.InvoiceId, sellerName, invoice.Invoice),
    };

    /// <summary>Uploads unless a document is stored there; returns the bytes stored (the earlier ones when it was).</summary>
    private static async Task<byte[]> KeepAsync(BlobContainerClient container, StoredInvoice invoice, InvoiceFormat format, byte[] content, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(BlobName(invoice.Invoice.SellerId, invoice.InvoiceId, format));
        try
        {
            await blob.UploadAsync(new BinaryData(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = ContentType(format) },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken).ConfigureAwait(false);
            return content;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Stored already: by a concurrent first request, or by this upload when the SDK re-sent it after a lost answer.
            return await ReadAsync(blob, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Invoice document {blob.Name} was reported as existing but cannot be read.", e);
        }
    }

    private static async Task<byte[]?> ReadAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            return (await blob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    private Task<BlobContainerClient> Container(CancellationToken cancellationToken) => storage.ContainerAsync(storage.Names.InvoicesContainer, cancellationToken);
}

/// <summary>
/// An invoice as CSV (CsvHelper, RFC 4180): one row per line, then the total and the flags; UTF-8 with a byte order mark so
/// spreadsheets read the Chinese and m³ text; cells that a spreadsheet would take as a formula (<c>= + - @</c>, tab, CR) are
/// escaped (<see cref="CsvInjection.Escape"/>), so a description can never run as a formula.
/// </summary>
public static class InvoiceCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    public static byte[] Render(InvoiceView invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true)))
        using (var csv = CsvWriter.Create(writer, new CsvWriterOptions { Injection = CsvInjection.Escape, NewLine = "\r\n" }, true))
        {
            csv.WriteRecord(["invoiceId", "sellerId", "hub", "period", "issuedOn", "settlementOn", "kind", "description", "quantity", "unit", "rate", "amount", "rateEffectiveFrom"]);
            foreach (var l in invoice.Lines)
            {
                Row(csv, invoice, l.Kind, l.Description, Number(l.Quantity), l.Unit, Number(l.Rate), Number(l.Amount), l.RateEffectiveFrom ?? "");
            }

            Row(csv, invoice, "total", $"Total ({invoice.Currency})", "", "", "", Number(invoice.Total), "");
            foreach (var f in invoice.Flags)
            {
                Row(csv, invoice, "flag:" + f.Code, f.Message + (f.Dates.Count > 0 ? " " + string.Join(" ", f.Dates) : ""), "", "", "", "", "");
            }

            csv.Flush();
        }

        return buffer.ToArray();
    }

    private static void Row(CsvWriter csv, InvoiceView i, params string[] rest)
        => csv.WriteRecord([i.InvoiceId, i.SellerId, i.Hub, i.Period, i.IssuedOn, i.SettlementOn, .. rest]);

    private static string Number(decimal d) => d.ToString(CultureInfo.InvariantCulture);
}
