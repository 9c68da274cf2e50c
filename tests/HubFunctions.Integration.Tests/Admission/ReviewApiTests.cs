using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>ADM-5 stages 2 and 3 and the decision, with ETag-guarded transitions.</summary>
[Collection(QueueCollection.Name)]
public sealed class ReviewApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 9, 30, 10, 0, 0, TimeSpan.FromHours(8));

    private static object Body(string sellerId) => new
    {
        sellerId,
        storeName = "Shenzhen Example Store",
        entityName = "华为技术有限公司",
        category = "brand-trader",
        unifiedSocialCreditCode = "914403001922038216",
        hub = "hangzhou",
        ownBrand = true,
        brandAuthorizationCertified = true,
    };

    private static async Task<string> Submit(HttpClient platform, string sellerId)
        => (await HttpAssert.Json(await platform.PostAsJsonAsync("/api/applications", Body(sellerId)), HttpStatusCode.Accepted)).GetProperty("applicationId").GetString()!;

    /// <summary>
    /// Test shortcut: pre-review needs documents (another issue), so the application is moved to
    /// <paramref name="status"/> directly in the store.
    /// </summary>
    private static async Task MoveTo(DevHostFactory factory, string applicationId, ApplicationStatus status)
    {
        var repository = factory.Services.GetRequiredService<IApplicationRepository>();
        var stored = (await repository.GetAsync(applicationId, CancellationToken.None))!;
        await repository.UpdateAsync(stored.Application with { Status = status }, stored.ETag, [], CancellationToken.None);
    }

    private static Task<List<string>> Rows(StorageNames names) => TableSnapshot.RowsAsync(names.ApplicationsTable);

    private static object Audit(string result, string? notes = null) => new { result, auditedOn = "2026-09-30", auditor = "Li Wei", notes };

    private static object Test(string result) => new { result, testedAt = "2026-09-30T09:00:00+08:00", details = "signed GET /api/clients/me" };

    [Fact]
    public async Task ADM_5_site_audit_then_integration_test_then_decision_in_order_a_failed_test_may_be_repeated()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var id = await Submit(platform, TestStorage.Unique("s"));
        await MoveTo(factory, id, ApplicationStatus.SiteAudit);

        var audited = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", Audit("pass")));
        Assert.Equal("integration-test", audited.GetProperty("status").GetString());
        Assert.Equal("pass", audited.GetProperty("siteAudit").GetProperty("result").GetString());

        var failed = await HttpAssert.Json(await platform.PostAsJsonAsync($"/api/applications/{id}/integration-test", Test("fail")));
        Assert.Equal("integration-test", failed.GetProperty("status").GetString());
        var passed = await HttpAssert.Json(await platform.PostAsJsonAsync($"/api/applications/{id}/integration-test", Test("pass")));
        Assert.Equal("decision", passed.GetProperty("status").GetString());
        Assert.Equal(2, passed.GetProperty("integrationTest").GetProperty("attempts").GetInt32());

        var approved = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" }));
        Assert.StartsWith("HGH-", approved.GetProperty("hubSellerId").GetString());
        var after = await HttpAssert.Json(await reviewer.GetAsync($"/api/applications/{id}"));
        Assert.Equal("approved", after.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ADM_8_approval_returns_a_secret_once_that_signs_as_the_new_seller_at_once_and_the_seller_is_active()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["SubmitApplication", "DecideApplication", "GetApplication", "GetSeller", "ClientsMe", "RelayOutbox"]);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var seller = TestStorage.Unique("s");
        var id = await Submit(platform, seller);
        await MoveTo(factory, id, ApplicationStatus.Decision);

        var approved = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" }));
        Assert.Equal(seller, approved.GetProperty("sellerId").GetString());
        Assert.Equal("HGH-000001", approved.GetProperty("hubSellerId").GetString());
        var clientId = approved.GetProperty("clientId").GetString()!;
        var secret = approved.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);

        using var newSeller = factory.CreateSignedClient(new TestClients.Client(clientId, "seller", secret, SellerId: seller));
        var me = await HttpAssert.Json(await newSeller.GetAsync("/api/clients/me"));
        Assert.Equal(clientId, me.GetProperty("clientId").GetString());
        Assert.Equal("seller", me.GetProperty("role").GetString());
        Assert.Equal(seller, me.GetProperty("sellerId").GetString());

        var shown = await HttpAssert.Json(await newSeller.GetAsync($"/api/sellers/{seller}"));
        Assert.Equal("active", shown.GetProperty("status").GetString());
        Assert.Equal("HGH-000001", shown.GetProperty("hubSellerId").GetString());

        // Never shown again: a second approval is an illegal transition.
        var again = await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" }), HttpStatusCode.Conflict, TransitionRefusal.ProblemCode);
        Assert.DoesNotContain(secret, again.ToString(), StringComparison.Ordinal);
        using var forged = factory.CreateSignedClient(new TestClients.Client(clientId, "seller", TestClients.Secret("forged"), SellerId: seller));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/clients/me")).StatusCode);

        var events = await factory.TakeEventsAsync($"applications/{id}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Contains(events, e => e.Type == AdmissionEventTypes.ApplicationApproved);
        var activated = Assert.Single(await factory.TakeEventsAsync($"sellers/{seller}", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
        Assert.Equal(AdmissionEventTypes.SellerActivated, activated.Type);
    }

    [Fact]
    public async Task ADM_8_50_concurrent_approvals_at_one_hub_get_50_distinct_gapless_hub_seller_ids()
    {
        using var factory = new DevHostFactory();
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var ids = new List<string>();
        foreach (var i in Enumerable.Range(0, 50))
        {
            var id = await Submit(platform, TestStorage.Unique($"c{i}-"));
            await MoveTo(factory, id, ApplicationStatus.Decision);
            ids.Add(id);
        }

        var responses = await Task.WhenAll(ids.Select(id => reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" })));
        var hubSellerIds = new List<string>();
        foreach (var r in responses)
        {
            hubSellerIds.Add((await HttpAssert.Json(r)).GetProperty("hubSellerId").GetString()!);
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(n => $"HGH-{n:000000}"), hubSellerIds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ADM_8_two_requests_completing_an_interrupted_approval_at_once_show_one_secret_and_it_is_the_stored_one()
    {
        using var factory = new DevHostFactory(functions: ["SubmitApplication", "DecideApplication", "ClientsMe"]);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var seller = TestStorage.Unique("s");
        var id = await Submit(platform, seller);
        // Approved, seller missing: an approval that stopped midway, completed by the next decision.
        await MoveTo(factory, id, ApplicationStatus.Approved);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" })));
        var shown = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var other in responses.Where(r => r != shown))
        {
            var text = await other.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
            Assert.DoesNotContain("whsec_", text, StringComparison.Ordinal);
            Assert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("code").GetString(), new[] { "credentials-already-issued", TransitionRefusal.ProblemCode });
        }

        var approved = await HttpAssert.Json(shown);
        var clientId = approved.GetProperty("clientId").GetString()!;
        using var newSeller = factory.CreateSignedClient(new TestClients.Client(clientId, "seller", approved.GetProperty("secret").GetString()!, SellerId: seller));
        Assert.Equal(clientId, (await HttpAssert.Json(await newSeller.GetAsync("/api/clients/me"))).GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task ADM_8_the_client_store_is_insert_only_another_operation_gets_no_secret_a_retry_of_the_same_one_gets_the_stored_one()
    {
        using var factory = new DevHostFactory(functions: ["ClientsMe"]);
        var store = factory.Services.GetRequiredService<ISellerClientStore>();
        var clientId = TestStorage.Unique("c").ToLowerInvariant();
        var first = store.NewSecret();
        using (HubOperation.Begin("test/msg_first"))
        {
            Assert.Equal(first, await store.TryAddAsync(clientId, "s1", first, CancellationToken.None));
        }

        using (HubOperation.Begin("test/msg_other"))
        {
            Assert.Null(await store.TryAddAsync(clientId, "s1", store.NewSecret(), CancellationToken.None));
        }

        using (HubOperation.Begin("test/msg_first"))
        {
            Assert.Equal(first, await store.TryAddAsync(clientId, "s1", store.NewSecret(), CancellationToken.None));
        }

        using var signed = factory.CreateSignedClient(new TestClients.Client(clientId, "seller", first, SellerId: "s1"));
        Assert.Equal(HttpStatusCode.OK, (await signed.GetAsync("/api/clients/me")).StatusCode);
    }

    [Fact]
    public async Task ADM_8_a_replayed_approval_has_the_same_ids_and_no_secret_and_the_idempotency_store_holds_none()
    {
        using var factory = new DevHostFactory(functions: ["SubmitApplication", "DecideApplication"]);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var id = await Submit(platform, TestStorage.Unique("s"));
        await MoveTo(factory, id, ApplicationStatus.Decision);
        var webhookId = TestStorage.Unique("msg_");
        HttpRequestMessage Approve()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/decision") { Content = JsonContent.Create(new { decision = "approve" }) };
            request.Headers.Add("webhook-id", webhookId);
            return request;
        }

        var first = await HttpAssert.Json(await reviewer.SendAsync(Approve()));
        var secret = first.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret);

        var replay = await reviewer.SendAsync(Approve());
        Assert.True(replay.Headers.TryGetValues("x-hub-idempotent-replay", out var flag) && flag.Single() == "true");
        var replayed = await HttpAssert.Json(replay);
        foreach (var name in new[] { "sellerId", "hubSellerId", "clientId" })
        {
            Assert.Equal(first.GetProperty(name).GetString(), replayed.GetProperty(name).GetString());
        }

        Assert.Equal(JsonValueKind.Null, replayed.GetProperty("secret").ValueKind);
        Assert.True(replayed.GetProperty("secretShown").GetBoolean());

        var kept = new StringBuilder();
        foreach (var entry in await TestStorage.Tables().GetTableClient(factory.Names.IdempotencyTable).QueryAsync<TableEntity>().ToListAsync())
        {
            var chunks = entry.Keys.Where(k => k.StartsWith("Body", StringComparison.Ordinal) && entry[k] is byte[]).Order(StringComparer.Ordinal).SelectMany(k => (byte[])entry[k]).ToArray();
            kept.Append(string.Join("|", entry.Select(p => p.Value))).Append(Gunzip(chunks));
        }

        var bodies = new BlobContainerClient(TestStorage.ConnectionString, factory.Names.IdempotencyBodiesContainer);
        if (await bodies.ExistsAsync())
        {
            await foreach (var blob in bodies.GetBlobsAsync())
            {
                kept.Append(Gunzip((await bodies.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToArray()));
            }
        }

        Assert.Contains(first.GetProperty("clientId").GetString()!, kept.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", kept.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret["whsec_".Length..], kept.ToString(), StringComparison.Ordinal);
    }

    private static string Gunzip(byte[] compressed)
    {
        if (compressed.Length == 0)
        {
            return "";
        }

        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task ADM_5_an_illegal_transition_is_409_naming_the_current_status_and_stores_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var id = await Submit(platform, TestStorage.Unique("s"));
        var before = await Rows(factory.Names);

        foreach (var response in new[]
        {
            await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", Audit("pass")),
            await platform.PostAsJsonAsync($"/api/applications/{id}/integration-test", Test("pass")),
            await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "approve" }),
        })
        {
            var problem = await HttpAssert.Problem(response, HttpStatusCode.Conflict, TransitionRefusal.ProblemCode);
            Assert.Equal("pre-review", problem.GetProperty("currentStatus").GetString());
            Assert.Contains("pre-review", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before.Order(), (await Rows(factory.Names)).Order());
    }

    [Fact]
    public async Task ADM_5_two_reviewers_deciding_at_once_exactly_one_wins_the_others_get_409_with_the_current_state()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["SubmitApplication", "DecideApplication", "RelayOutbox"]);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var seller = TestStorage.Unique("s");
        var id = await Submit(platform, seller);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "reject", reason = $"reviewer {i}" })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
        {
            Assert.Equal(HttpStatusCode.Conflict, loser.StatusCode);
            var problem = JsonDocument.Parse(await loser.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("rejected", problem.GetProperty("currentStatus").GetString());
        }

        var events = await factory.TakeEventsAsync($"applications/{id}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));
        Assert.Equal([AdmissionEventTypes.ApplicationSubmitted, AdmissionEventTypes.ApplicationRejected], events.OrderBy(e => e.Time).Select(e => e.Type));

        // The rejection released the seller's open application: it may apply again.
        await Submit(platform, seller);
    }

    [Fact]
    public async Task ADM_5_a_failed_site_audit_rejects_with_the_notes()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var id = await Submit(platform, TestStorage.Unique("s"));
        await MoveTo(factory, id, ApplicationStatus.SiteAudit);

        var json = await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", Audit("fail", "no production line on site")));
        Assert.Equal("rejected", json.GetProperty("status").GetString());
        var reason = Assert.Single(json.GetProperty("rejectionReasons").EnumerateArray());
        Assert.Contains("no production line on site", reason.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_review_bodies_and_unknown_ids_are_4xx_problems_and_store_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var id = await Submit(platform, TestStorage.Unique("s"));
        await MoveTo(factory, id, ApplicationStatus.SiteAudit);
        var before = await Rows(factory.Names);

        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", new { result = "maybe" }), HttpStatusCode.UnprocessableEntity, "validation-failed");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", Audit("fail")), HttpStatusCode.UnprocessableEntity, "required");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/site-audit", new { result = "pass", auditedOn = "2026-10-30", auditor = "Li" }), HttpStatusCode.UnprocessableEntity, "out-of-range");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "reject" }), HttpStatusCode.UnprocessableEntity, "required");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "maybe", reason = "x" }), HttpStatusCode.UnprocessableEntity, "invalid-decision");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync("/api/applications/APP-unknown/decision", new { decision = "reject", reason = "x" }), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync("/api/applications/APP-unknown/site-audit", Audit("pass")), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await platform.PostAsJsonAsync($"/api/applications/{id}/decision", new { decision = "reject", reason = "x" }), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await reviewer.PostAsJsonAsync($"/api/applications/{id}/integration-test", Test("pass")), HttpStatusCode.Forbidden, "forbidden-role");

        Assert.Equal(before.Order(), (await Rows(factory.Names)).Order());
    }
}
