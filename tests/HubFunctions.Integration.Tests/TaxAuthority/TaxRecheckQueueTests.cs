using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.DevHost;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.TaxAuthority;

/// <summary>
/// CMP-5 through the DevHost on Azurite: the monthly timer fans out over the tax-recheck queue, and
/// each check asks the simulated authority over HTTP through the real adapter.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class TaxRecheckQueueTests
{
    private const string Uscc = "914403001922038216";

    private static DevHostFactory Host(TaxAuthorityServer authority, IDictionary<string, string?>? extra = null)
    {
        var settings = authority.Settings(new Dictionary<string, string?>
        {
            ["AttemptTimeout"] = "00:00:05",
            ["MaxRetryAttempts"] = "1",
            ["RetryDelay"] = "00:00:00.050",
            ["BreakMinimumThroughput"] = "100",
            ["Recheck:PageSize"] = "3",
            ["Recheck:RetryDelay"] = "00:00:01",
        });
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return new DevHostFactory(listeners: true, functions: ["StartTaxRecheck", "RecheckTaxRating", "RelayOutbox", "GetSeller", "GetComplianceLog"], settings: settings);
    }

    private static Task<string> AddSellerAsync(DevHostFactory factory, TaxRating rating, SellerStatus status = SellerStatus.Active, string uscc = Uscc)
        => factory.SeedSellerAsync(TestStorage.Unique("s"), status: status, rating: rating, uscc: uscc);

    private static Task<SellerTaxRecord?> Read(DevHostFactory factory, string id)
        => factory.Services.GetRequiredService<ISellerTaxRatings>().GetAsync(id, CancellationToken.None);

    private static async Task Until(Func<Task<bool>> condition, string what)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    private static async Task<int> QueuedAsync(DevHostFactory factory)
        => (await TestStorage.Queue(factory.Names.TaxRecheckQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    private static Task<HttpResponseMessage> RunCheck(HttpClient admin, string sellerId)
        => admin.PostAsJsonAsync("/admin/functions/RecheckTaxRating",
            new { input = JsonSerializer.Serialize(new TaxRecheckMessage(TaxRecheck.MonthOf(DateTimeOffset.UtcNow), sellerId), StorageTaxRecheckQueue.Json) });

    [Fact]
    public async Task CMP_5_the_monthly_fan_out_reaches_every_active_seller_once()
    {
        await using var authority = await TaxAuthorityServer.StartAsync();
        using var factory = Host(authority);
        var active = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            active.Add(await AddSellerAsync(factory, TaxRating.A));
        }

        var frozen = new[] { await AddSellerAsync(factory, TaxRating.A, SellerStatus.Frozen), await AddSellerAsync(factory, TaxRating.B, SellerStatus.Frozen) };
        var month = TaxRecheck.MonthOf(DateTimeOffset.UtcNow);
        using var admin = factory.CreateDefaultClient();

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/admin/functions/StartTaxRecheck", null)).StatusCode);
        await Until(async () => (await Task.WhenAll(active.Select(id => Read(factory, id)))).All(r => r!.CheckedMonth == month), "every active seller checked");
        await Until(async () => await QueuedAsync(factory) == 0, "the queue to drain");
        Assert.Equal(7, authority.Authority.Requests);
        Assert.All(await Task.WhenAll(frozen.Select(id => Read(factory, id))), r => Assert.Null(r!.CheckedMonth));

        // A second run in the same month (timers fire at least once) asks nobody again.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/admin/functions/StartTaxRecheck", null)).StatusCode);
        await Until(async () => await QueuedAsync(factory) == 0, "the queue to drain");
        Assert.Equal(7, authority.Authority.Requests);
    }

    [Fact]
    public async Task CMP_5_a_drop_to_M_freezes_the_seller_with_reason_tax_rating()
    {
        await using var authority = await TaxAuthorityServer.StartAsync();
        using var factory = Host(authority);
        const string other = "91350100M000100Y43";
        var id = await AddSellerAsync(factory, TaxRating.B, uscc: other);
        authority.Authority.SetRating(other, "M");
        using var admin = factory.CreateDefaultClient();

        Assert.Equal(HttpStatusCode.Accepted, (await RunCheck(admin, id)).StatusCode);

        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var seller = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{id}"));
        Assert.Equal("frozen", seller.GetProperty("status").GetString());
        Assert.Contains("tax-rating", seller.GetProperty("freezeReasons").GetRawText(), StringComparison.Ordinal);
        Assert.Equal("M", seller.GetProperty("taxRating").GetString());
        var log = (await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{id}/compliance-log"))).GetRawText();
        Assert.Contains("tax-recheck", log, StringComparison.Ordinal); // CMP-6: the actor is the re-check
        var events = await factory.TakeEventsAsync($"sellers/{id}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Contains(events, e => e.Type == "hub.seller.frozen");
        var changed = Assert.Single(events, e => e.Type == TaxRecheck.RatingChangedEvent);
        Assert.Equal(("B", "M"), (changed.Data.GetProperty("previous").GetString(), changed.Data.GetProperty("rating").GetString()));
    }

    [Fact]
    public async Task CMP_5_an_unavailable_answer_changes_nothing_and_is_retried()
    {
        await using var authority = await TaxAuthorityServer.StartAsync();
        using var factory = Host(authority);
        var id = await AddSellerAsync(factory, TaxRating.B);
        authority.Authority.Behave(SimulatedAuthorityMode.Down);
        using var admin = factory.CreateDefaultClient();

        Assert.Equal(HttpStatusCode.Accepted, (await RunCheck(admin, id)).StatusCode);
        var after = (await Read(factory, id))!;
        Assert.Equal((TaxRating.B, SellerStatus.Active, (string?)null), (after.Seller.TaxRating, after.Seller.Status, after.CheckedMonth));

        // The retry comes back from the queue by itself (1 s here), and again while the authority is down.
        await Until(() => Task.FromResult(authority.Authority.Requests >= 6), "two retries");
        Assert.Null((await Read(factory, id))!.CheckedMonth);
        authority.Authority.SetRating(Uscc, "A");
        authority.Authority.Behave(SimulatedAuthorityMode.Normal);
        await Until(async () => (await Read(factory, id))!.CheckedMonth is not null, "the retried check to be recorded");
        var done = (await Read(factory, id))!;
        Assert.Equal((TaxRating.A, SellerStatus.Active), (done.Seller.TaxRating, done.Seller.Status));
    }
}
