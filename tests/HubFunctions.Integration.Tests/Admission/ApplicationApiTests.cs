using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Compliance;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>Application intake: POST /api/applications and GET /api/applications/{id}.</summary>
[Collection(QueueCollection.Name)]
public sealed class ApplicationApiTests
{
    /// <summary>10:00 in Shanghai on Wednesday 2026-09-30, the last working day before National Day 2026.</summary>
    private static readonly DateTimeOffset Now = new(2026, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));

    private static Dictionary<string, object?> Body(string sellerId, bool iso14001 = false) => new()
    {
        ["sellerId"] = sellerId,
        ["storeName"] = "Shenzhen Example Store",
        ["entityName"] = "华为技术有限公司",
        ["category"] = "brand-trader",
        ["unifiedSocialCreditCode"] = "914403001922038216",
        ["hub"] = "hangzhou",
        ["ownBrand"] = true,
        ["brandAuthorizationCertified"] = true,
        ["iso14001"] = iso14001,
    };

    /// <summary>Every row of the applications table and of the ADM-7 date index, with its ETag.</summary>
    private static Task<List<string>> Rows(StorageNames names) => TableSnapshot.RowsAsync(names.ApplicationsTable, names.ApplicationSlaTable);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ADM_6_a_submission_is_202_with_the_review_due_date_from_the_working_day_calendar(bool green)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var json = await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", Body(TestStorage.Unique("s"), green)), HttpStatusCode.Accepted);

        var expected = ReviewSla.DueOn(new DateOnly(2026, 9, 30), green, ChinaWorkingCalendar.Default);
        Assert.StartsWith("APP-", json.GetProperty("applicationId").GetString());
        Assert.Equal("pre-review", json.GetProperty("status").GetString());
        Assert.Equal("pre-review", json.GetProperty("stage").GetString());
        Assert.Equal(expected.ToString("yyyy-MM-dd"), json.GetProperty("reviewDueOn").GetString());
        Assert.Equal(green, json.GetProperty("greenChannel").GetBoolean());
        Assert.True(expected > new DateOnly(2026, 10, 8), "the National Day holiday does not count");
    }

    [Fact]
    public async Task ADM_5_a_submission_raises_hub_application_submitted_through_the_outbox()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["SubmitApplication", "RelayOutbox"]);
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var seller = TestStorage.Unique("s");
        var json = await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", Body(seller)), HttpStatusCode.Accepted);
        var id = json.GetProperty("applicationId").GetString();

        var e = Assert.Single(await factory.TakeEventsAsync($"applications/{id}", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
        Assert.Equal(AdmissionEventTypes.ApplicationSubmitted, e.Type);
        Assert.Equal(seller, e.SellerId);
        Assert.Equal("hangzhou", e.Hub);
        Assert.Equal(json.GetProperty("reviewDueOn").GetString(), e.Data.GetProperty("reviewDueOn").GetString());
    }

    [Fact]
    public async Task ADM_one_open_application_per_seller_a_second_is_409_and_stores_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var seller = TestStorage.Unique("s");
        var first = await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", Body(seller)), HttpStatusCode.Accepted);
        var before = await Rows(factory.Names);

        var second = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/applications", Body(seller, iso14001: true)), HttpStatusCode.Conflict, "open-application-exists");
        Assert.Equal(first.GetProperty("applicationId").GetString(), second.GetProperty("openApplicationId").GetString());
        Assert.Equal(before.Order(), (await Rows(factory.Names)).Order());
    }

    [Fact]
    public async Task ADM_concurrent_submissions_for_one_seller_store_exactly_one()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var seller = TestStorage.Unique("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.PostAsJsonAsync("/api/applications", Body(seller))));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var stored = (await Rows(factory.Names)).Where(r => r.StartsWith(factory.Names.ApplicationsTable + "/seller|", StringComparison.Ordinal) && r.Contains("/application|", StringComparison.Ordinal));
        Assert.Single(stored);
    }

    [Fact]
    public async Task ADM_11_bad_input_is_422_listing_every_field_error_at_once_and_stores_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var body = Body("bad/id");
        body.Remove("storeName");
        body["category"] = "reseller";
        body["hub"] = "mars";
        body["unifiedSocialCreditCode"] = "914403001922038217";
        body["annualExportCny"] = -1m;

        var problem = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/applications", body), HttpStatusCode.UnprocessableEntity, "validation-failed");
        var fields = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "sellerId", "storeName", "category", "hub", "unifiedSocialCreditCode", "annualExportCny" }, fields);
        Assert.Empty(await Rows(factory.Names));
    }

    [Fact]
    public async Task Wrong_types_are_4xx_problems_and_store_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var body = Body(TestStorage.Unique("s"));
        body["ownBrand"] = "yes";
        var response = await http.PostAsJsonAsync("/api/applications", body);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await Rows(factory.Names));
    }

    [Fact]
    public async Task The_platform_and_reviewers_read_an_application_sellers_may_not_unknown_is_404()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var seller = TestStorage.Unique("s");
        var id = (await HttpAssert.Json(await platform.PostAsJsonAsync("/api/applications", Body(seller)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString();

        foreach (var client in new[] { TestClients.Platform, TestClients.Reviewer })
        {
            using var http = factory.CreateSignedClient(client);
            var json = await HttpAssert.Json(await http.GetAsync($"/api/applications/{id}"));
            Assert.Equal(id, json.GetProperty("applicationId").GetString());
            Assert.Equal(seller, json.GetProperty("sellerId").GetString());
            Assert.Equal("pre-review", json.GetProperty("status").GetString());
            Assert.Equal("2026-09-30", json.GetProperty("submittedOn").GetString());
            Assert.Equal("914403001922038216", json.GetProperty("unifiedSocialCreditCode").GetString());
            Assert.Equal(JsonValueKind.Array, json.GetProperty("categoryFailures").ValueKind);
            Assert.Equal(JsonValueKind.Null, json.GetProperty("decision").ValueKind);
        }

        await HttpAssert.Problem(await platform.GetAsync("/api/applications/APP-nope"), HttpStatusCode.NotFound, "not-found");
        using var sellerClient = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await sellerClient.GetAsync($"/api/applications/{id}"), HttpStatusCode.Forbidden, "forbidden-role");
    }

    [Theory]
    [InlineData(SellerStatus.Active, "seller-already-active")]
    [InlineData(SellerStatus.Frozen, "seller-frozen")]
    public async Task ADM_8_a_seller_admitted_already_applying_again_is_409_and_stores_nothing(SellerStatus status, string code)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        var seller = await factory.SeedSellerAsync(TestStorage.Unique("s"), status: status, freezeReasons: status == SellerStatus.Frozen ? [FreezeReason.TaxRatingDropped(TaxRating.M)] : []);
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var before = await Rows(factory.Names);

        var problem = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/applications", Body(seller)), HttpStatusCode.Conflict, code);
        Assert.Equal(TestSellers.Make(seller).HubSellerId, problem.GetProperty("hubSellerId").GetString());
        Assert.Equal(before.Order(), (await Rows(factory.Names)).Order());
    }

    public static TheoryData<string, string, object?> BadInputs() => new()
    {
        // Each required field missing (null removes it).
        { "sellerId", "required", null },
        { "storeName", "required", null },
        { "entityName", "required", null },
        { "category", "required", null },
        { "unifiedSocialCreditCode", "uscc-required", null },
        { "hub", "required", null },
        // Unknown values.
        { "category", "unknown-category", "reseller" },
        { "hub", "unknown-hub", "mars" },
        // Wrong types (the JSON reader names the field).
        { "annualExportCny", "", "five million" },
        { "iso14001", "", "yes" },
        { "monthlyFulfilmentRates", "", new { month = "2026-08", rate = 0.99 } },
        // Negative export value; rates outside 0..1.
        { "annualExportCny", "negative-amount", -0.01m },
        { "monthlyFulfilmentRates[0].rate", "rate-out-of-range", new[] { new { month = "2026-08", rate = -0.01m } } },
        { "monthlyFulfilmentRates[0].rate", "rate-out-of-range", new[] { new { month = "2026-08", rate = 1.01m } } },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task ADM_bad_input_is_a_4xx_problem_naming_the_field_and_stores_nothing(string field, string code, object? value)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        var body = Body(TestStorage.Unique("s"));
        if (value is null)
        {
            body.Remove(field);
        }
        else
        {
            body[field.Split('[')[0]] = value;
        }

        var response = await http.PostAsJsonAsync("/api/applications", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (Field: e.GetProperty("field").GetString(), Code: e.GetProperty("code").GetString())).ToList();
        Assert.Contains(errors, e => e.Field == field && (code.Length == 0 || e.Code == code));
        Assert.Empty(await Rows(factory.Names));
    }
}
