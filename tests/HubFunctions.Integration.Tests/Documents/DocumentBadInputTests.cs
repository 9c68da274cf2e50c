using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Documents;

/// <summary>Issue 9's bad uploads: each is a 4xx problem+json and leaves nothing in Blob or Table storage (listed before and after).</summary>
public sealed class DocumentBadInputTests
{
    private const string Boundary = "hub-test-boundary";

    private static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    private static Dictionary<string, string?> Vat => DocumentForms.Plain(AdmissionDocuments.VatInvoice);

    /// <summary>A multipart body written byte by byte: each part's header lines and bytes.</summary>
    private static HttpContent Raw(params (string Headers, byte[] Body)[] parts)
    {
        var body = new MemoryStream();
        foreach (var (headers, bytes) in parts)
        {
            body.Write(Encoding.UTF8.GetBytes($"--{Boundary}\r\n{headers}\r\n\r\n"));
            body.Write(bytes);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return content;
    }

    private static (string, byte[]) Field(string name, string value) => ($"Content-Disposition: form-data; name=\"{name}\"", Encoding.UTF8.GetBytes(value));

    private static (string, byte[]) File(string disposition, byte[] bytes) => ($"Content-Disposition: form-data; name=\"file\"; {disposition}\r\nContent-Type: application/octet-stream", bytes);

    private static async Task Refused(DevHostFactory factory, HttpClient http, string sellerId, HttpContent content, HttpStatusCode status, string code, string because)
    {
        var blobs = await DocumentForms.Blobs(factory.Names);
        var rows = await TableSnapshot.RowsAsync(factory.Names.DocumentsTable);
        var response = await http.PostAsync($"/api/sellers/{sellerId}/documents", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{because}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.True(text.Contains($"\"code\":\"{code}\"", StringComparison.Ordinal) || text.Contains($"\"code\": \"{code}\"", StringComparison.Ordinal), $"{because}: no code {code} in {text}");
        await HttpAssert.Problem(new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/problem+json") }, status,
            System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("code").GetString()!);
        Assert.True((await DocumentForms.Blobs(factory.Names)).SequenceEqual(blobs), $"{because}: a blob was left behind");
        Assert.True((await TableSnapshot.RowsAsync(factory.Names.DocumentsTable)).SequenceEqual(rows), $"{because}: a row was left behind");
    }

    private static async Task<(DevHostFactory Factory, HttpClient Seller)> Host()
    {
        var factory = new DevHostFactory();
        await DocumentForms.SeedSeller(factory, "demo-seller");
        await DocumentForms.SeedSeller(factory, "rotating-seller");
        var seller = factory.CreateSignedClient(TestClients.Seller);

        // One stored document, so "nothing changed" is checked against a store that is not empty.
        await HttpAssert.Json(await seller.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(DocumentForms.Pdf("kept"), Vat)), HttpStatusCode.Created);
        return (factory, seller);
    }

    [Fact]
    public async Task DOC_2_files_that_are_not_a_pdf_jpeg_or_png_by_their_bytes_or_that_disagree_with_their_declared_type_are_refused()
    {
        var (factory, seller) = await Host();
        using var _ = factory;
        using var __ = seller;
        var cases = new (string Name, byte[] Bytes, string FileName, string ContentType)[]
        {
            ("an executable named .pdf", [0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00], "invoice.pdf", "application/pdf"),
            ("a ZIP", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00], "invoice.pdf", "application/pdf"),
            ("HTML", Encoding.ASCII.GetBytes("<!DOCTYPE html><html><script>alert(1)</script></html>"), "invoice.pdf", "application/pdf"),
            ("a PNG declared as PDF by its content type", DocumentForms.Png(), "invoice", "application/pdf"),
            ("a PNG declared as PDF by its name", DocumentForms.Png(), "invoice.pdf", "application/octet-stream"),
            ("0 bytes", [], "invoice.pdf", "application/pdf"),
            ("20 MiB + 1 byte", DocumentForms.PdfOfLength((20L * 1024 * 1024) + 1), "invoice.pdf", "application/pdf"),
        };
        foreach (var c in cases)
        {
            await Refused(factory, seller, "demo-seller", DocumentForms.Form(c.Bytes, Vat, c.FileName, c.ContentType), HttpStatusCode.UnprocessableEntity, "DOC-2", c.Name);
        }
    }

    [Fact]
    public async Task DOC_2_file_names_with_a_path_NUL_1000_characters_or_an_RTL_override_are_refused()
    {
        var (factory, seller) = await Host();
        using var _ = factory;
        using var __ = seller;
        var cases = new (string Name, string Disposition)[]
        {
            ("../", "filename=\"../../etc/invoice.pdf\""),
            ("NUL (RFC 5987)", "filename*=UTF-8''invoice%00.pdf"),
            ("1,000 characters", $"filename=\"{new string('a', 996)}.pdf\""),
            ("RTL override", "filename*=UTF-8''invoice%E2%80%AEfdp.exe"),
        };
        foreach (var c in cases)
        {
            await Refused(factory, seller, "demo-seller", Raw(Field("type", AdmissionDocuments.VatInvoice), Field("issuedOn", "2026-01-05"), File(c.Disposition, DocumentForms.Pdf())),
                HttpStatusCode.UnprocessableEntity, "invalid-file-name", c.Name);
        }

        // A raw NUL inside the header line: refused as well, never stored.
        await Refused(factory, seller, "demo-seller", Raw(Field("type", AdmissionDocuments.VatInvoice), Field("issuedOn", "2026-01-05"), File("filename=\"a\0.pdf\"", DocumentForms.Pdf())),
            HttpStatusCode.UnprocessableEntity, "invalid-file-name", "raw NUL");
    }

    [Fact]
    public async Task DOC_3_customs_numbers_of_17_digits_with_letters_or_the_import_flag_and_a_declaration_4_months_old_are_refused()
    {
        var (factory, seller) = await Host();
        using var _ = factory;
        using var __ = seller;
        var declared = Today.AddDays(-10);
        var y = declared.Year;
        var cases = new (string Name, Dictionary<string, string?> Fields)[]
        {
            ("17 digits", DocumentForms.Customs(declared, $"5301{y}012345678")),
            ("letters", DocumentForms.Customs(declared, $"5301{y}0A2345678B")),
            ("import flag", DocumentForms.Customs(declared, $"5301{y}1123456789")),
            ("4 months old", DocumentForms.Customs(new DateOnly(Today.Year, Today.Month, 1).AddMonths(-4))),
            ("not sealed", DocumentForms.Customs(declared, sealedMark: "false")),
        };
        foreach (var c in cases)
        {
            await Refused(factory, seller, "demo-seller", DocumentForms.Form(DocumentForms.Jpeg(), c.Fields, "d.jpg", "image/jpeg"), HttpStatusCode.UnprocessableEntity, "DOC-3", c.Name);
        }
    }

    [Fact]
    public async Task DOC_2_a_missing_part_two_file_parts_an_unknown_part_a_body_that_is_not_multipart_and_another_sellers_id_are_refused()
    {
        var (factory, seller) = await Host();
        using var _ = factory;
        using var __ = seller;
        await Refused(factory, seller, "demo-seller", DocumentForms.Form(null, Vat), HttpStatusCode.UnprocessableEntity, "required", "no file part");
        await Refused(factory, seller, "demo-seller", DocumentForms.Form(DocumentForms.Pdf("x"), new Dictionary<string, string?> { ["issuedOn"] = "2026-01-05" }), HttpStatusCode.UnprocessableEntity, "required", "no type part");
        await Refused(factory, seller, "demo-seller", Raw(Field("type", AdmissionDocuments.VatInvoice), Field("issuedOn", "2026-01-05"), File("filename=\"a.pdf\"", DocumentForms.Pdf("1")), File("filename=\"b.pdf\"", DocumentForms.Pdf("2"))),
            HttpStatusCode.UnprocessableEntity, "duplicate-part", "two file parts");
        await Refused(factory, seller, "demo-seller", Raw(Field("type", AdmissionDocuments.VatInvoice), Field("issuedOn", "2026-01-05"), Field("owner", "me"), File("filename=\"a.pdf\"", DocumentForms.Pdf("3"))),
            HttpStatusCode.UnprocessableEntity, "unknown-part", "an unknown part");
        await Refused(factory, seller, "demo-seller", new StringContent("{\"type\":\"vat-invoice\"}", Encoding.UTF8, "application/json"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type", "JSON");
        await Refused(factory, seller, "rotating-seller", DocumentForms.Form(DocumentForms.Pdf("4"), Vat), HttpStatusCode.Forbidden, "forbidden", "another seller's id");
        await Refused(factory, seller, "demo-seller", Raw(Field("type", AdmissionDocuments.VatInvoice), Field("issuedOn", "2026-01-05"), File("filename=\"a.pdf\"", DocumentForms.PdfOfLength(3L * 1024 * 1024))) is var whole
            ? new ByteArrayContent((await whole.ReadAsByteArrayAsync())[..^30]) { Headers = { ContentType = whole.Headers.ContentType } }
            : null!, HttpStatusCode.UnprocessableEntity, "malformed-multipart", "a body cut short");
    }
}
