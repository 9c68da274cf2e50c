using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using CsvHelper;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Storage;

namespace HubFunctions.Infrastructure.Billing;

/// <summary>Invoices as documents in <see cref="StorageNames.InvoicesContainer"/>: <c>{sellerId}/{invoiceId}.json</c> and <c>.csv</c>, written at issue time (again on a redelivery: same bytes).</summary>
public sealed class BlobInvoiceDocuments(HubStorage storage) : IInvoiceDocuments
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public async Task StoreAsync(StoredInvoice invoice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var container = await storage.ContainerAsync(storage.Names.InvoicesContainer, cancellationToken).ConfigureAwait(false);
        var view = InvoiceWire.View(invoice);
        await Upload(container.GetBlobClient($"{view.SellerId}/{view.InvoiceId}.json"), JsonSerializer.SerializeToUtf8Bytes(view, Json), "application/json", cancellationToken).ConfigureAwait(false);
        await Upload(container.GetBlobClient($"{view.SellerId}/{view.InvoiceId}.csv"), InvoiceCsv.Render(view), InvoiceCsv.ContentType, cancellationToken).ConfigureAwait(false);
    }

    private static Task Upload(Azure.Storage.Blobs.BlobClient blob, byte[] bytes, string contentType, CancellationToken cancellationToken)
        => blob.UploadAsync(new BinaryData(bytes), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType } }, cancellationToken);
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
