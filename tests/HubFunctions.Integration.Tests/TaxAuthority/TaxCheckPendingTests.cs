using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.DevHost;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.TaxAuthority;

/// <summary>
/// ADM-10 end to end through the DevHost on Azurite, with the real HTTP adapter and its pipeline
/// talking to the simulated authority on a socket: while it is down, applications wait in
/// <c>tax-check-pending</c> (neither passed nor rejected) with their retry queued; when it is back,
/// the retried evaluation completes pre-review (they then wait in <c>pre-review</c> for documents).
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class TaxCheckPendingTests
{
    private const string Uscc = "914403001922038216";

    private static object Body(string sellerId) => new
    {
        sellerId,
        storeName = "Shenzhen Example Store",
        entityName = "华为技术有限公司",
        category = "brand-trader",
        unifiedSocialCreditCode = Uscc,
        hub = "hangzhou",
        ownBrand = true,
        brandAuthorizationCertified = true,
    };

    private static async Task<JsonElement> AwaitPreReview(HttpClient http, string id, Func<JsonElement, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var json = await HttpAssert.Json(await http.GetAsync($"/api/applications/{id}"));
            if (done(json) || DateTime.UtcNow > until)
            {
                return json;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ADM_10_while_the_authority_is_down_applications_wait_in_tax_check_pending_and_complete_when_it_returns()
    {
        await using var authority = await TaxAuthorityServer.StartAsync();
        authority.Authority.Behave(SimulatedAuthorityMode.Down);
        using var factory = new DevHostFactory(
            listeners: true,
            functions: ["SubmitApplication", "GetApplication", "EvaluatePreReview", "RelayOutbox"],
            settings: authority.Settings(new Dictionary<string, string?>
            {
                ["AttemptTimeout"] = "00:00:05",
                ["TotalTimeout"] = "00:00:20",
                ["MaxRetryAttempts"] = "1",
                ["RetryDelay"] = "00:00:00.050",
                ["BreakMinimumThroughput"] = "2",
                ["BreakSamplingDuration"] = "00:01:00",
                ["BreakDuration"] = "00:00:01",
            }));
        using var http = factory.CreateSignedClient(TestClients.Platform);

        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var accepted = await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", Body(TestStorage.Unique("s"))), HttpStatusCode.Accepted);
            ids.Add(accepted.GetProperty("applicationId").GetString()!);
        }

        foreach (var id in ids)
        {
            var json = await AwaitPreReview(http, id, j => j.GetProperty("preReview").ValueKind != JsonValueKind.Null);
            Assert.Equal("tax-check-pending", json.GetProperty("status").GetString());
            Assert.Equal("pre-review", json.GetProperty("stage").GetString());
            Assert.Empty(json.GetProperty("rejectionReasons").EnumerateArray());
        }

        Assert.True(authority.Authority.Requests > 0, "the adapter never reached the authority");

        // Each pending application has its next evaluation queued (delayed, so not yet visible).
        var queue = TestStorage.Queue(factory.Names.PreReviewQueue);
        Assert.True((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount >= ids.Count);

        // The authority returns. The queued retries are minutes away; deliver them now.
        authority.Authority.Behave(SimulatedAuthorityMode.Normal);
        using var admin = factory.CreateDefaultClient();
        foreach (var id in ids)
        {
            var json = default(JsonElement);
            for (var attempt = 0; attempt < 50; attempt++)
            {
                var run = await admin.PostAsJsonAsync("/admin/functions/EvaluatePreReview", new { input = id });
                Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
                json = await HttpAssert.Json(await http.GetAsync($"/api/applications/{id}"));
                if (json.GetProperty("status").GetString() != "tax-check-pending")
                {
                    break;
                }

                await Task.Delay(200); // the circuit may still be open for its 1 s break
            }

            Assert.Equal("pre-review", json.GetProperty("status").GetString());
            Assert.Equal("A", json.GetProperty("preReview").GetProperty("taxRating").GetString());
            Assert.Empty(json.GetProperty("rejectionReasons").EnumerateArray());
        }
    }

    [Fact]
    public async Task ADM_10_evaluations_queued_while_the_tax_check_is_pending_keep_one_retry_and_write_nothing_when_nothing_changes()
    {
        await using var authority = await TaxAuthorityServer.StartAsync();
        authority.Authority.Behave(SimulatedAuthorityMode.Down);
        using var factory = new DevHostFactory(
            functions: ["SubmitApplication", "GetApplication", "EvaluatePreReview"],
            settings: authority.Settings(new Dictionary<string, string?>
            {
                ["AttemptTimeout"] = "00:00:05",
                ["TotalTimeout"] = "00:00:20",
                ["MaxRetryAttempts"] = "1",
                ["RetryDelay"] = "00:00:00.050",
            }));
        using var http = factory.CreateSignedClient(TestClients.Platform);
        using var admin = factory.CreateDefaultClient();
        var accepted = await HttpAssert.Json(await http.PostAsJsonAsync("/api/applications", Body(TestStorage.Unique("s"))), HttpStatusCode.Accepted);
        var id = accepted.GetProperty("applicationId").GetString()!;
        var applications = factory.Services.GetRequiredService<IApplicationRepository>();
        var queue = TestStorage.Queue(factory.Names.PreReviewQueue);
        async Task Evaluate() => Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync("/admin/functions/EvaluatePreReview", new { input = id })).StatusCode);

        // The first evaluation meets the authority down and queues the one retry.
        await Evaluate();
        var pending = (await applications.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(ApplicationStatus.TaxCheckPending, pending.Application.Status);

        // Documents validated or approved meanwhile each queue an evaluation (delivered here now):
        // they change nothing while the authority stays down, so nothing is written and no other
        // retry chain starts.
        for (var i = 0; i < 3; i++)
        {
            await Evaluate();
        }

        var after = (await applications.GetAsync(id, CancellationToken.None))!;
        Assert.Equal(ApplicationStatus.TaxCheckPending, after.Application.Status);
        Assert.Equal(pending.ETag, after.ETag);

        // Listeners are off: the queue holds the intake message (never consumed) and exactly one
        // delayed retry (invisible to a peek for minutes, so counted).
        var visible = await queue.PeekMessagesAsync(maxMessages: 32);
        var intake = Assert.Single(visible.Value);
        Assert.Equal(id, intake.Body.ToString().Trim());
        Assert.Equal(2, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
