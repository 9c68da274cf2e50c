using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>ADM-5 stage 1 from its queue, with the simulated tax authority (ADM-10).</summary>
[Collection(QueueCollection.Name)]
public sealed class PreReviewQueueTests
{
    private const string Uscc = "914403001922038216";

    private static DevHostFactory Host(string? rating = null) => new(
        listeners: true,
        functions: ["SubmitApplication", "GetApplication", "EvaluatePreReview", "RelayOutbox"],
        settings: rating is null ? null : new Dictionary<string, string?> { [$"Hub:TaxAuthority:Simulated:Ratings:{Uscc}"] = rating });

    private static object Body(string sellerId, string category = "brand-trader", decimal? annualExportCny = null) => new
    {
        sellerId,
        storeName = "Shenzhen Example Store",
        entityName = "华为技术有限公司",
        category,
        unifiedSocialCreditCode = Uscc,
        hub = "hangzhou",
        ownBrand = true,
        brandAuthorizationCertified = true,
        annualExportCny,
    };

    /// <summary>Submits, then polls GET until the pre-review has been recorded.</summary>
    private static async Task<JsonElement> SubmitAndAwaitPreReview(HttpClient http, object body)
    {
        var id = (await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", body), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString();
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var json = await HttpAssert.Json(await http.GetAsync($"/api/applications/{id}"));
            if (json.GetProperty("preReview").ValueKind != JsonValueKind.Null || DateTime.UtcNow > until)
            {
                return json;
            }

            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("M")]
    [InlineData("C")]
    [InlineData("D")]
    public async Task ADM_10_a_tax_rating_of_M_C_or_D_rejects_with_the_level_as_reason(string rating)
    {
        using var factory = Host(rating);
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var seller = TestStorage.Unique("s");
        var json = await SubmitAndAwaitPreReview(http, Body(seller));

        Assert.Equal("rejected", json.GetProperty("status").GetString());
        var reason = Assert.Single(json.GetProperty("rejectionReasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "ADM-10");
        Assert.Contains(rating, reason.GetProperty("message").GetString(), StringComparison.Ordinal);
        var id = json.GetProperty("applicationId").GetString();
        var events = await factory.TakeEventsAsync($"applications/{id}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Contains(events, e => e.Type == AdmissionEventTypes.ApplicationRejected);
    }

    [Theory]
    [InlineData(null, "A")]
    [InlineData("B", "B")]
    public async Task ADM_10_a_tax_rating_of_A_or_B_passes_and_the_application_waits_for_its_documents(string? configured, string expected)
    {
        using var factory = Host(configured);
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var json = await SubmitAndAwaitPreReview(http, Body(TestStorage.Unique("s")));

        Assert.Equal("pre-review", json.GetProperty("status").GetString());
        var preReview = json.GetProperty("preReview");
        Assert.Equal(expected, preReview.GetProperty("taxRating").GetString());
        Assert.Empty(preReview.GetProperty("failures").EnumerateArray());
        Assert.Contains(preReview.GetProperty("missingDocuments").EnumerateArray(), d => d.GetString() == AdmissionDocuments.BusinessLicence);
    }

    [Fact]
    public async Task ADM_10_no_answer_from_the_tax_authority_waits_in_tax_check_pending()
    {
        using var factory = Host("unavailable");
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var json = await SubmitAndAwaitPreReview(http, Body(TestStorage.Unique("s")));
        Assert.Equal("tax-check-pending", json.GetProperty("status").GetString());
        Assert.Equal("pre-review", json.GetProperty("stage").GetString());
    }

    [Fact]
    public async Task ADM_2_a_manufacturer_below_5_million_CNY_is_rejected_at_pre_review()
    {
        using var factory = Host();
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var json = await SubmitAndAwaitPreReview(http, Body(TestStorage.Unique("s"), "manufacturer", 4_999_999.99m));
        Assert.Equal("rejected", json.GetProperty("status").GetString());
        Assert.Contains(json.GetProperty("rejectionReasons").EnumerateArray(), r => r.GetProperty("code").GetString() == "ADM-2");
    }
}
