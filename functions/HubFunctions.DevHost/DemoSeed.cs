using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Documents;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Documents;

namespace HubFunctions.DevHost;

/// <summary>
/// Local-only demo data that the public API cannot create (issue 8: <c>demo-seller</c>, active since
/// 2024-01-01). It lives in the DevHost, never in the Functions app, so it is never deployed; it
/// answers under <c>/admin</c>, which the DevHost serves to local callers only. It uses the real stores:
/// the hub seller id comes from the real allocator (keyed by <see cref="AllocationKey"/>, so it is
/// allocated once however often the seed runs) and the seller goes in through the seller store
/// (insert-only). Its current documents go in through the real document services: the upload
/// (<see cref="DocumentIntake"/>, the bytes read by the multipart reader as an HTTP upload is), the
/// automatic validation and a reviewer's approval (<see cref="DocumentReview"/>, which also writes
/// the CMP-1 renewal index). Idempotent: a second run finds and returns the same seller, its
/// identical uploads answer with the stored versions (DOC-2) and an approved version is not reviewed
/// again. The customs declaration is of the current month (Asia/Shanghai, DOC-3): a run in a later
/// month uploads that month's declaration as a new version.
/// </summary>
public static class DemoSeed
{
    public const string SellerId = "demo-seller";
    public const string Hub = "hangzhou";

    /// <summary>Stands in for the application id the allocator keys a hub seller id by (the demo seller never applied).</summary>
    public const string AllocationKey = "SEED-demo-seller";

    /// <summary>The demo seller: an active brand trader at Hangzhou since 2024-01-01, tax rating A.</summary>
    public static Seller Seller(string hubSellerId) => new(SellerId, Hub, hubSellerId, SellerStatus.Active, "brand-trader",
        "杭州示例贸易有限公司", "91330100MA2CFLXX12", TaxRating.A, new DateOnly(2024, 1, 1), []); // a made-up code with a valid check character (ADM-11)

    /// <summary>Who approves the seeded documents (recorded as their reviewer).</summary>
    public const string Reviewer = "demo-seed";

    /// <summary>
    /// The demo seller's documents as uploads: a business licence matching the seller (ADM-9), a
    /// sealed export declaration of the current month with a valid 18-digit number (DOC-3), and a
    /// brand authorisation. PDFs and a JPEG, each a small, well-formed file.
    /// </summary>
    public static IReadOnlyList<(DocumentSubmission Fields, string FileName, string ContentType, byte[] Bytes)> Documents(Seller seller, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(seller);
        var month = ChinaTime.DateOf(now) is var today ? new DateOnly(today.Year, today.Month, 1) : default;
        var declaration = string.Create(CultureInfo.InvariantCulture, $"3101{month.Year:D4}0{month.Month:D2}0000001"); // port 3101, year, 0 = export, serial
        return
        [
            (new DocumentSubmission(AdmissionDocuments.BusinessLicence, "2023-12-15", seller.UnifiedSocialCreditCode, null, null, seller.EntityName),
                "business-licence.pdf", "application/pdf", Pdf($"Business licence {seller.UnifiedSocialCreditCode} (demo)")),
            (new DocumentSubmission(AdmissionDocuments.CustomsDeclaration, month.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), declaration, "true", null, null),
                "customs-declaration.pdf", "application/pdf", Pdf($"Export declaration {declaration} (demo)")),
            (new DocumentSubmission(AdmissionDocuments.BrandAuthorization, "2024-01-01", null, null, "Demo Brand", null),
                "brand-authorization.jpg", "image/jpeg", Convert.FromBase64String(TinyJpeg)),
        ];
    }

    /// <summary>A 1x1 baseline JPEG (JFIF, one grey pixel).</summary>
    private const string TinyJpeg = "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=";

    /// <summary>A one-page PDF 1.4 showing <paramref name="text"/> (ASCII), with a correct cross-reference table.</summary>
    public static byte[] Pdf(string text)
    {
        var content = $"BT /F1 12 Tf 72 720 Td ({text}) Tj ET";
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            $"<< /Length {content.Length} >>\nstream\n{content}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ];
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append(CultureInfo.InvariantCulture, $"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append(CultureInfo.InvariantCulture, $"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append(CultureInfo.InvariantCulture, $"{offset:D10} 00000 n \n");
        }

        pdf.Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    /// <summary>
    /// Uploads, validates and approves each demo document unless an identical upload is stored
    /// already; an identical version that is still <c>received</c> or <c>validated</c> (a run that
    /// stopped half-way) is taken on from where it is. Returns each type's version and whether it was new.
    /// </summary>
    public static async Task<IReadOnlyList<object>> SeedDocumentsAsync(IServiceProvider services, Seller seller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        var intake = services.GetRequiredService<DocumentIntake>();
        var review = services.GetRequiredService<DocumentReview>();
        var reader = services.GetRequiredService<MultipartDocumentReader>();
        var files = services.GetRequiredService<IDocumentFiles>();
        var seeded = new List<object>();
        foreach (var (fields, fileName, contentType, bytes) in Documents(seller, services.GetRequiredService<TimeProvider>().GetUtcNow()))
        {
            using var form = new MultipartFormDataContent();
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            form.Add(file, "file", fileName);
            foreach (var (name, value) in new[] { ("type", fields.Type), ("issuedOn", fields.IssuedOn), ("documentNumber", fields.DocumentNumber), ("sealed", fields.Sealed), ("brand", fields.Brand), ("entityName", fields.EntityName) })
            {
                if (value is not null)
                {
                    form.Add(new StringContent(value), name);
                }
            }

            var blobName = intake.NewBlobName();
            DocumentUpload upload;
            try
            {
                upload = await reader.ReadAsync(await form.ReadAsStreamAsync(cancellationToken), MultipartDocumentReader.Boundary(form.Headers.ContentType!.ToString())!, blobName, cancellationToken);
            }
            catch
            {
                await files.DiscardAsync(blobName, CancellationToken.None);
                throw;
            }

            var outcome = await intake.ReceiveAsync(seller.SellerId, upload, cancellationToken);
            var version = outcome.Created ?? outcome.Existing
                ?? throw new InvalidOperationException($"The demo {fields.Type} was refused: {string.Join("; ", outcome.Errors.Select(e => $"{e.Field} {e.Code} {e.Message}"))}");

            // The validation queue's listener may get there first: both are idempotent under the version's ETag.
            var status = await review.ValidateAsync(seller.SellerId, version.DocumentId, cancellationToken);
            if (status == DocumentStatus.Validated)
            {
                var reviewed = await review.ReviewAsync(seller.SellerId, version.DocumentId, new DocumentDecision("approve", null), Reviewer, cancellationToken);
                status = reviewed.Reviewed?.Status ?? reviewed.RefusedIn;
            }

            if (status != DocumentStatus.Approved)
            {
                throw new InvalidOperationException($"The demo {fields.Type} {version.DocumentId} ended {status?.ToWire() ?? "missing"}, not approved.");
            }

            seeded.Add(new { type = version.Type, documentId = version.DocumentId, version = version.Version, status = status.Value.ToWire(), created = outcome.Created is not null });
        }

        return seeded;
    }

    /// <summary><c>POST /admin/seed/demo-seller</c>: 200 with the seller and its documents, <c>created</c> false when it was there already.</summary>
    public static void MapDemoSeed(this WebApplication app)
        => app.MapPost("/admin/seed/demo-seller", async (IHubSellerIdAllocator allocator, ISellerDirectory sellers, IServiceProvider services, CancellationToken cancellationToken) =>
        {
            var created = false;
            if (await sellers.FindAsync(SellerId, cancellationToken) is null)
            {
                var hubSellerId = await allocator.AllocateAsync(Hub, AllocationKey, SellerId, cancellationToken);

                // A back-dated record, not a live activation: no hub.seller.activated event.
                created = await sellers.TryAddAsync(Seller(hubSellerId), [], cancellationToken);
            }

            var s = (await sellers.FindAsync(SellerId, cancellationToken))!;
            var documents = await SeedDocumentsAsync(services, s, cancellationToken);
            return Results.Json(new
            {
                sellerId = s.SellerId,
                hubSellerId = s.HubSellerId,
                hub = s.Hub,
                status = TableSellerDirectory.Wire(s.Status),
                category = s.Category,
                activeSince = s.ActiveSince,
                taxRating = s.TaxRating?.ToString(),
                created,
                documents,
            }, HubJson.Options);
        });
}
