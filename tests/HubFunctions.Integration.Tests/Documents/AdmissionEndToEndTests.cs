using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Documents;

/// <summary>Issue 8's end-to-end admission through the DevHost on Azurite, documents uploaded through the API and validated by the queue.</summary>
[Collection(QueueCollection.Name)]
public sealed class AdmissionEndToEndTests
{
    private static readonly string[] Functions =
    [
        "SubmitApplication", "GetApplication", "EvaluatePreReview", "UploadDocument", "GetDocument", "ValidateDocument",
        "RecordSiteAudit", "RecordIntegrationTest", "DecideApplication", "ClientsMe", "GetSeller", "RelayOutbox",
    ];

    private static async Task<JsonElement> AwaitStatus(HttpClient http, string applicationId, string status)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var json = await HttpAssert.Json(await http.GetAsync($"/api/applications/{applicationId}"));
            if (json.GetProperty("status").GetString() == status || DateTime.UtcNow > until)
            {
                return json;
            }

            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task ADM_5_submit_documents_tax_A_site_audit_integration_test_approve_then_the_secret_signs_as_the_active_seller()
    {
        using var factory = new DevHostFactory(listeners: true, functions: Functions);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var sellerId = TestStorage.Unique("s");
        var today = ChinaTime.Today(TimeProvider.System);

        // Submitted: pre-review runs from its queue, passes the tax check (A) and waits for documents.
        var applicationId = (await HttpAssert.Json(await platform.PostAsJsonAsync("/api/applications", DocumentUploadTests.Application(sellerId)), HttpStatusCode.Accepted))
            .GetProperty("applicationId").GetString()!;
        var waiting = await AwaitStatus(platform, applicationId, "pre-review");
        Assert.Equal("pre-review", waiting.GetProperty("status").GetString());

        // The documents ADM-9 asks of a brand-trader owning its brand, uploaded by the platform for the applicant.
        var uploads = new (byte[] File, Dictionary<string, string?> Fields)[]
        {
            (DocumentForms.Pdf("licence"), DocumentForms.Licence()),
            (DocumentForms.Jpeg("customs"), DocumentForms.Customs(today.AddDays(-20))),
            (DocumentForms.Pdf("plan"), DocumentForms.Plain(AdmissionDocuments.WmsIntegrationPlan)),
            (DocumentForms.Png("commitment"), DocumentForms.Plain(AdmissionDocuments.ApiSecurityCommitment)),
        };
        var ids = new List<string>();
        foreach (var (file, fields) in uploads)
        {
            var response = await platform.PostAsync($"/api/sellers/{sellerId}/documents", DocumentForms.Form(file, fields, "file.bin", null));
            ids.Add((await HttpAssert.Json(response, HttpStatusCode.Created)).GetProperty("documentId").GetString()!);
        }

        foreach (var id in ids)
        {
            Assert.Equal("validated", (await DocumentFlowTests.AwaitValidation(reviewer, sellerId, id)).GetProperty("status").GetString());
        }

        // The last validation queues pre-review again, which now passes: on to the site audit.
        var passed = await AwaitStatus(platform, applicationId, "site-audit");
        Assert.Equal("site-audit", passed.GetProperty("status").GetString());
        Assert.Equal("A", passed.GetProperty("preReview").GetProperty("taxRating").GetString());
        Assert.Equal("passed", passed.GetProperty("preReview").GetProperty("outcome").GetString());
        Assert.Empty(passed.GetProperty("preReview").GetProperty("missingDocuments").EnumerateArray());

        var date = today.ToString("yyyy-MM-dd");
        await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{applicationId}/site-audit", new { result = "pass", auditedOn = date, auditor = "Li Wei", notes = "ok" }));
        await HttpAssert.Json(await platform.PostAsJsonAsync($"/api/applications/{applicationId}/integration-test",
            new { result = "pass", testedAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:sszzz"), details = "signed test call" }));
        var approved = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{applicationId}/decision", new { decision = "approve" }));
        var hubSellerId = approved.GetProperty("hubSellerId").GetString()!;
        Assert.StartsWith("HGH-", hubSellerId);

        using var newSeller = factory.CreateSignedClient(new TestClients.Client(approved.GetProperty("clientId").GetString()!, "seller", approved.GetProperty("secret").GetString()!, SellerId: sellerId));
        var me = await HttpAssert.Json(await newSeller.GetAsync("/api/clients/me"));
        Assert.Equal("seller", me.GetProperty("role").GetString());
        Assert.Equal(sellerId, me.GetProperty("sellerId").GetString());
        var seller = await HttpAssert.Json(await newSeller.GetAsync($"/api/sellers/{sellerId}"));
        Assert.Equal("active", seller.GetProperty("status").GetString());
        Assert.Equal(hubSellerId, seller.GetProperty("hubSellerId").GetString());

        // The new seller reads its own documents (owner, DOC-4).
        Assert.Equal("validated", (await HttpAssert.Json(await newSeller.GetAsync($"/api/sellers/{sellerId}/documents/{ids[0]}"))).GetProperty("status").GetString());
    }
}
