using System.Net;
using System.Net.Http.Json;
using Azure.Storage.Blobs;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Infrastructure.Documents;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Documents;

/// <summary>Upload (DOC-2): streamed to Blob Storage under a random name, SHA-256, one row per version, identical bytes answered with the stored version.</summary>
public sealed class DocumentUploadTests
{
    private static DateOnly Today => ChinaTime.Today(TimeProvider.System);

    [Fact]
    public async Task DOC_2_a_pdf_is_stored_under_a_random_name_with_its_sha256_and_answered_201_received()
    {
        using var factory = new DevHostFactory();
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var pdf = DocumentForms.Pdf();

        var response = await seller.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(pdf, DocumentForms.Licence(), fileName: "licence.pdf"));
        var json = await HttpAssert.Json(response, HttpStatusCode.Created);

        var id = json.GetProperty("documentId").GetString()!;
        Assert.StartsWith("DOC-", id);
        Assert.Equal("received", json.GetProperty("status").GetString());
        Assert.Equal(DocumentForms.Sha256(pdf), json.GetProperty("sha256").GetString());
        Assert.Equal($"/api/sellers/demo-seller/documents/{id}", response.Headers.Location?.ToString());
        var blob = Assert.Single(await DocumentForms.Blobs(factory.Names));
        Assert.DoesNotContain("licence", blob, StringComparison.Ordinal);
        Assert.EndsWith($"/{pdf.Length}", blob);
        var stored = await new BlobContainerClient(TestStorage.ConnectionString, factory.Names.DocumentsContainer).GetBlobClient(blob.Split('/')[0]).DownloadContentAsync();
        Assert.Equal(pdf, stored.Value.Content.ToArray());
        Assert.Equal("application/pdf", stored.Value.Details.ContentType);
        Assert.Contains(await TableSnapshot.RowsAsync(factory.Names.DocumentsTable), r => r.StartsWith($"{factory.Names.DocumentsTable}/demo-seller/version|{id}/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DOC_2_when_the_commit_outcome_cannot_be_known_the_file_is_kept_and_the_retry_of_the_same_webhook_id_finds_the_version()
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseResponses(names.DocumentsTable) { AlsoReads = true };
        using var factory = new DevHostFactory(names: names, services: s => s.AddSingleton<StorageClientPolicy>(fault));
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var pdf = DocumentForms.Pdf("doubt");
        var webhookId = TestStorage.Unique("msg_");
        HttpRequestMessage Upload()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/sellers/demo-seller/documents") { Content = DocumentForms.Form(pdf, DocumentForms.Licence()) };
            request.Headers.Add("webhook-id", webhookId);
            return request;
        }

        // Storage takes the commit, then every answer on the table is lost, the check included:
        // nobody can tell whether the version is stored, so its file must stay.
        fault.Arm(batches: 100);
        var first = await seller.SendAsync(Upload());
        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        fault.Disarm();
        Assert.Contains(await TableSnapshot.RowsAsync(names.DocumentsTable), r => r.StartsWith($"{names.DocumentsTable}/demo-seller/version|", StringComparison.Ordinal));
        var blob = Assert.Single(await DocumentForms.Blobs(names));
        Assert.EndsWith($"/{pdf.Length}", blob);

        var retry = await HttpAssert.Json(await seller.SendAsync(Upload()), HttpStatusCode.Created);
        var id = retry.GetProperty("documentId").GetString()!;
        Assert.Single(await TableSnapshot.RowsAsync(names.DocumentsTable), r => r.StartsWith($"{names.DocumentsTable}/demo-seller/version|", StringComparison.Ordinal));
        Assert.Contains(await TableSnapshot.RowsAsync(names.DocumentsTable), r => r.StartsWith($"{names.DocumentsTable}/demo-seller/version|{id}/", StringComparison.Ordinal));
        var stored = await new BlobContainerClient(TestStorage.ConnectionString, names.DocumentsContainer).GetBlobClient(Assert.Single(await DocumentForms.Blobs(names)).Split('/')[0]).DownloadContentAsync();
        Assert.Equal(pdf, stored.Value.Content.ToArray());
    }

    [Fact]
    public async Task DOC_2_the_same_bytes_again_for_the_same_seller_and_type_return_the_stored_document_200_and_keep_one_blob()
    {
        using var factory = new DevHostFactory();
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var jpeg = DocumentForms.Jpeg();
        var fields = DocumentForms.Customs(Today.AddDays(-3));

        var first = await HttpAssert.Json(await platform.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(jpeg, fields, "d.jpg", "image/jpeg")), HttpStatusCode.Created);
        var again = await HttpAssert.Json(await platform.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(jpeg, fields, "other.jpg", "image/jpeg")), HttpStatusCode.OK);
        Assert.Equal(first.ToString(), again.ToString());
        Assert.Single(await DocumentForms.Blobs(factory.Names));

        // Other bytes of the same type are a new version; the same bytes as another type are a document of that type.
        var second = await HttpAssert.Json(await platform.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(DocumentForms.Jpeg("b"), fields, "d.jpg", "image/jpeg")), HttpStatusCode.Created);
        Assert.Equal(2, second.GetProperty("version").GetInt32());
        await HttpAssert.Json(await platform.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(jpeg, DocumentForms.Plain(AdmissionDocuments.VatInvoice), "d.jpg", "image/jpeg")), HttpStatusCode.Created);
        Assert.Equal(3, (await DocumentForms.Blobs(factory.Names)).Count);
    }

    [Fact]
    public async Task DOC_2_a_file_of_several_blocks_up_to_exactly_20_MiB_is_stored_byte_for_byte()
    {
        using var factory = new DevHostFactory();
        await DocumentForms.SeedSeller(factory, "demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var pdf = DocumentForms.PdfOfLength(20L * 1024 * 1024);

        var json = await HttpAssert.Json(await seller.PostAsync("/api/sellers/demo-seller/documents", DocumentForms.Form(pdf, DocumentForms.Plain(AdmissionDocuments.WmsIntegrationPlan))), HttpStatusCode.Created);

        Assert.Equal(DocumentForms.Sha256(pdf), json.GetProperty("sha256").GetString());
        var blob = Assert.Single(await DocumentForms.Blobs(factory.Names));
        var stored = await new BlobContainerClient(TestStorage.ConnectionString, factory.Names.DocumentsContainer).GetBlobClient(blob.Split('/')[0]).DownloadContentAsync();
        Assert.Equal(DocumentForms.Sha256(pdf), DocumentForms.Sha256(stored.Value.Content.ToArray()));
        Assert.True(pdf.Length > 2 * BlobDocumentFiles.BlockSize);
    }

    [Fact]
    public async Task DOC_2_an_applicant_without_a_seller_may_be_uploaded_for_by_the_platform_only()
    {
        using var factory = new DevHostFactory();
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var sellerId = TestStorage.Unique("s");
        await HttpAssert.Problem(await platform.PostAsync($"/api/sellers/{sellerId}/documents", DocumentForms.Form(DocumentForms.Pdf(), DocumentForms.Licence())), HttpStatusCode.NotFound, "not-found");

        await HttpAssert.Json(await platform.PostAsJsonAsync("/api/applications", Application(sellerId)), HttpStatusCode.Accepted);
        await HttpAssert.Json(await platform.PostAsync($"/api/sellers/{sellerId}/documents", DocumentForms.Form(DocumentForms.Pdf(), DocumentForms.Licence())), HttpStatusCode.Created);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var list = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{sellerId}/documents"));
        Assert.Equal("received", Assert.Single(list.GetProperty("documents").EnumerateArray()).GetProperty("status").GetString());
    }

    internal static object Application(string sellerId, bool ownBrand = true) => new
    {
        sellerId,
        storeName = "Shenzhen Example Store",
        entityName = DocumentForms.EntityName,
        category = "brand-trader",
        unifiedSocialCreditCode = DocumentForms.Uscc,
        hub = "hangzhou",
        ownBrand,
        brandAuthorizationCertified = true,
    };
}
