using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Documents;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Documents;

/// <summary>After upload: validation on the queue (DOC-3, ADM-9), review (DOC-5), list with renewal dates (CMP-1), download links (DOC-4).</summary>
[Collection(QueueCollection.Name)]
public sealed class DocumentFlowTests
{
    private static readonly string[] Functions = ["UploadDocument", "ListDocuments", "GetDocument", "ReviewDocument", "ValidateDocument", "RelayOutbox"];

    private static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    private static async Task<string> Upload(HttpClient http, string sellerId, byte[] file, Dictionary<string, string?> fields, string name = "f.pdf", string type = "application/pdf")
        => (await HttpAssert.Json(await http.PostAsync($"/api/sellers/{sellerId}/documents", DocumentForms.Form(file, fields, name, type)), HttpStatusCode.Created))
            .GetProperty("documentId").GetString()!;

    /// <summary>Polls GET until the automatic validation has decided.</summary>
    internal static async Task<JsonElement> AwaitValidation(HttpClient http, string sellerId, string documentId)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var json = await HttpAssert.Json(await http.GetAsync($"/api/sellers/{sellerId}/documents/{documentId}"));
            if (json.GetProperty("status").GetString() != "received" || DateTime.UtcNow > until)
            {
                return json;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task DOC_5_a_pdf_licence_and_a_jpeg_declaration_are_validated_by_the_queue_approved_listed_with_renewal_dates_and_downloaded_exactly_until_the_link_expires()
    {
        var clock = new ShiftedClock();
        using var factory = new DevHostFactory(listeners: true, clock: clock, functions: Functions);
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var pdf = DocumentForms.Pdf("licence");
        var jpeg = DocumentForms.Jpeg("declaration");
        var licence = await Upload(seller, "demo-seller", pdf, DocumentForms.Licence());
        var declaration = await Upload(seller, "demo-seller", jpeg, DocumentForms.Customs(Today.AddMonths(-2)), "d.jpeg", "image/jpeg");

        Assert.Equal("validated", (await AwaitValidation(reviewer, "demo-seller", licence)).GetProperty("status").GetString());
        Assert.Equal("validated", (await AwaitValidation(reviewer, "demo-seller", declaration)).GetProperty("status").GetString());
        foreach (var id in new[] { licence, declaration })
        {
            var approved = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/sellers/demo-seller/documents/{id}/review", new { decision = "approve" }));
            Assert.Equal("approved", approved.GetProperty("status").GetString());
            Assert.Equal(TestClients.Reviewer.Id, approved.GetProperty("reviewedBy").GetString());
        }

        var list = (await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/documents"))).GetProperty("documents").EnumerateArray().ToList();
        Assert.Equal([AdmissionDocuments.BusinessLicence, AdmissionDocuments.CustomsDeclaration], list.Select(d => d.GetProperty("type").GetString()));
        Assert.All(list, d => Assert.Equal("approved", d.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, list[0].GetProperty("renewalDueOn").ValueKind);
        Assert.Equal(Today.AddMonths(12).ToString("yyyy-MM-dd"), list[1].GetProperty("renewalDueOn").GetString());

        using var plain = new HttpClient();
        foreach (var (id, bytes, contentType) in new[] { (licence, pdf, "application/pdf"), (declaration, jpeg, "image/jpeg") })
        {
            var meta = await HttpAssert.Json(await seller.GetAsync($"/api/sellers/demo-seller/documents/{id}"));
            var expires = meta.GetProperty("downloadUrlExpiresAt").GetDateTimeOffset();
            Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
            var download = await plain.GetAsync(meta.GetProperty("downloadUrl").GetString());
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal(contentType, download.Content.Headers.ContentType?.MediaType);
            var write = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => new Azure.Storage.Blobs.BlobClient(new Uri(meta.GetProperty("downloadUrl").GetString()!)).UploadAsync(BinaryData.FromBytes([1]), overwrite: true));
            Assert.Equal(403, write.Status);
        }

        // A link made 16 minutes ago has expired (15 minutes at most).
        clock.Offset = TimeSpan.FromMinutes(-16);
        using var seller16 = factory.CreateSignedClient(TestClients.Seller);
        var old = await HttpAssert.Json(await seller16.GetAsync($"/api/sellers/demo-seller/documents/{licence}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.GetAsync(old.GetProperty("downloadUrl").GetString())).StatusCode);

        var events = await factory.TakeEventsAsync("sellers/demo-seller/documents/", 6, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        foreach (var type in new[] { DocumentEventTypes.Received, DocumentEventTypes.Validated, DocumentEventTypes.Approved })
        {
            Assert.Equal(2, events.Count(e => e.Type == type));
        }
    }

    [Fact]
    public async Task ADM_9_a_licence_whose_entity_name_or_code_differs_from_the_seller_store_is_rejected_by_the_queue_with_the_reason()
    {
        using var factory = new DevHostFactory(listeners: true, functions: Functions);
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var name = await Upload(seller, "demo-seller", DocumentForms.Pdf("1"), DocumentForms.Licence(entityName: "华为终端有限公司"));
        var code = await Upload(seller, "demo-seller", DocumentForms.Pdf("2"), DocumentForms.Licence(uscc: "91330100MA2CFLXX12"));

        foreach (var (id, expected) in new[] { (name, "entity name"), (code, "Unified Social Credit Code") })
        {
            var json = await AwaitValidation(seller, "demo-seller", id);
            Assert.Equal("rejected", json.GetProperty("status").GetString());
            var reason = Assert.Single(json.GetProperty("reasons").EnumerateArray());
            Assert.Equal("ADM-9", reason.GetProperty("code").GetString());
            Assert.Contains(expected, reason.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // Automatically rejected: not for a reviewer to approve (DOC-5).
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var refused = await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/sellers/demo-seller/documents/{name}/review", new { decision = "approve" }), HttpStatusCode.Conflict, "illegal-transition");
        Assert.Equal("rejected", refused.GetProperty("currentStatus").GetString());
    }

    [Fact]
    public async Task DOC_5_a_reviewer_rejects_with_a_reason_every_version_is_kept_and_the_list_shows_the_newest()
    {
        using var factory = new DevHostFactory(listeners: true, functions: Functions);
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var fields = new Dictionary<string, string?> { ["type"] = AdmissionDocuments.BrandAuthorization, ["issuedOn"] = "2026-01-05", ["brand"] = "Example" };
        var first = await Upload(seller, "demo-seller", DocumentForms.Png("1"), fields, "a.png", "image/png");
        await AwaitValidation(reviewer, "demo-seller", first);

        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/sellers/demo-seller/documents/{first}/review", new { decision = "reject" }), HttpStatusCode.UnprocessableEntity, "required");
        await HttpAssert.Problem(await seller.PostAsJsonAsync($"/api/sellers/demo-seller/documents/{first}/review", new { decision = "approve" }), HttpStatusCode.Forbidden, "forbidden-role");
        var rejected = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/sellers/demo-seller/documents/{first}/review", new { decision = "reject", reason = "The letter is not signed." }));
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("reviewer-decision", Assert.Single(rejected.GetProperty("reasons").EnumerateArray()).GetProperty("code").GetString());

        var second = await Upload(seller, "demo-seller", DocumentForms.Png("2"), fields, "a.png", "image/png");
        var list = Assert.Single((await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/documents"))).GetProperty("documents").EnumerateArray());
        Assert.Equal(second, list.GetProperty("documentId").GetString());
        Assert.Equal(2, list.GetProperty("version").GetInt32());
        Assert.Equal(JsonValueKind.Null, list.GetProperty("renewalDueOn").ValueKind);
        Assert.Equal("rejected", (await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/demo-seller/documents/{first}"))).GetProperty("status").GetString());
    }

    [Fact]
    public async Task DOC_4_only_the_owning_seller_and_reviewers_read_documents_and_links()
    {
        using var factory = new DevHostFactory(functions: Functions);
        await DocumentForms.SeedSeller(factory, "demo-seller");
        await DocumentForms.SeedSeller(factory, "rotating-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var id = await Upload(seller, "demo-seller", DocumentForms.Pdf(), DocumentForms.Plain(AdmissionDocuments.VatInvoice));

        using var other = factory.CreateSignedClient(TestClients.Rotating);
        await HttpAssert.Problem(await other.GetAsync($"/api/sellers/demo-seller/documents/{id}"), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await other.GetAsync("/api/sellers/demo-seller/documents"), HttpStatusCode.Forbidden, "forbidden");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await HttpAssert.Problem(await platform.GetAsync($"/api/sellers/demo-seller/documents/{id}"), HttpStatusCode.Forbidden, "forbidden-role");
        using var wms = factory.CreateSignedClient(TestClients.Wms);
        await HttpAssert.Problem(await wms.GetAsync($"/api/sellers/demo-seller/documents/{id}"), HttpStatusCode.Forbidden, "forbidden-role");
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        Assert.StartsWith("http", (await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/demo-seller/documents/{id}"))).GetProperty("downloadUrl").GetString());
        await HttpAssert.Problem(await reviewer.GetAsync("/api/sellers/demo-seller/documents/DOC-none"), HttpStatusCode.NotFound, "not-found");
    }
}
