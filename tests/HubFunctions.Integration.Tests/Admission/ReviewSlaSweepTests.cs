using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Calendar;
using HubFunctions.Core.Events;
using HubFunctions.DevHost;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Admission;

/// <summary>
/// ADM-6 due dates and the hourly ADM-7 sweep (<c>CheckReviewSla</c>) through the DevHost on Azurite,
/// under a fake clock driven through the weeks of a review.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class ReviewSlaSweepTests
{
    private const string Sweep = "CheckReviewSla";

    private static object Body(string sellerId, bool iso14001) => new
    {
        sellerId,
        storeName = "Shenzhen Example Store",
        entityName = "华为技术有限公司",
        category = "brand-trader",
        unifiedSocialCreditCode = "914403001922038216",
        hub = "hangzhou",
        ownBrand = true,
        brandAuthorizationCertified = true,
        iso14001,
    };

    private static async Task<(string Id, string Seller, string DueOn)> Submit(HttpClient platform, bool iso14001)
    {
        var seller = TestStorage.Unique("sla");
        var json = await HttpAssert.Json(await platform.PostAsJsonAsync("/api/applications", Body(seller, iso14001)), HttpStatusCode.Accepted);
        return (json.GetProperty("applicationId").GetString()!, seller, json.GetProperty("reviewDueOn").GetString()!);
    }

    /// <summary>The SLA events committed for a seller's application: the outbox rows in its partition (nothing relays them in these hosts).</summary>
    private static async Task<List<HubEvent>> SlaEvents(DevHostFactory factory, string sellerId)
    {
        var table = TestStorage.Tables().GetTableClient(factory.Names.ApplicationsTable);
        var partition = TableApplicationRepository.SellerPartition(sellerId);
        var rows = await table.QueryAsync<TableEntity>(e => e.PartitionKey == partition).ToListAsync();
        return [.. rows.Where(r => r.RowKey.StartsWith(TableOutbox.RowPrefix, StringComparison.Ordinal))
            .Select(r => CloudEventCodec.Decode(Encoding.UTF8.GetBytes(r.GetString("Event"))))
            .Where(e => e.Type is EventTypes.ApplicationSlaAtRisk or EventTypes.ApplicationSlaBreached)];
    }

    /// <summary>The Asia/Shanghai dates on which the seller's SLA events were raised, e.g. <c>at-risk 2026-03-10; breached 2026-03-14</c>.</summary>
    private static async Task<string> RaisedOn(DevHostFactory factory, string sellerId)
    {
        var events = await SlaEvents(factory, sellerId);
        string Dates(string type) => string.Join(",", events.Where(e => e.Type == type).Select(e => ChinaTime.DateOf(e.Time).ToString("yyyy-MM-dd")).Order());
        return $"at-risk {Dates(EventTypes.ApplicationSlaAtRisk)}; breached {Dates(EventTypes.ApplicationSlaBreached)}";
    }

    // Spring Festival 2026 is off Sun 2026-02-15 .. Mon 2026-02-23; Saturdays 2026-02-14 and 2026-02-28 are
    // adjusted working days (国务院办公厅 2026 notice, cn-working-calendar.json). The last working day before
    // it is Saturday 2026-02-14. Counting working days after it (the submission day does not count, ADM-6):
    //   Tue 02-24 = 1, Wed 02-25 = 2, Thu 02-26 = 3, Fri 02-27 = 4, Sat 02-28 (adjusted) = 5, Mon 03-02 = 6,
    //   Tue 03-03 = 7, Wed 03-04 = 8, Thu 03-05 = 9, Fri 03-06 = 10, Mon 03-09 = 11, Tue 03-10 = 12,
    //   Wed 03-11 = 13, Thu 03-12 = 14, Fri 03-13 = 15.
    // 15 days: due 2026-03-13, at risk on the 12th (2026-03-10), breached from 2026-03-14.
    // 7 days (green channel): due 2026-03-03, at risk on the 6th (2026-03-02), breached from 2026-03-04.
    [Fact]
    public async Task ADM_7_the_hourly_timer_raises_at_risk_and_breached_once_each_on_their_days_before_Spring_Festival_2026_and_nothing_for_a_decided_application()
    {
        var start = new DateTimeOffset(2026, 2, 14, 10, 0, 0, ChinaTime.Offset);
        var clock = new FakeTimeProvider(start);
        using var factory = new DevHostFactory(listeners: true, clock: clock, functions: ["SubmitApplication", "DecideApplication", Sweep]);
        var timers = factory.Services.GetServices<IHostedService>().OfType<TimerTriggerService>().Single();
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);

        var standard = await Submit(platform, iso14001: false);
        var green = await Submit(platform, iso14001: true);
        var decided = await Submit(platform, iso14001: false);
        Assert.Equal("2026-03-13", standard.DueOn);
        Assert.Equal("2026-03-03", green.DueOn);

        async Task RunFinished()
        {
            // The timer re-arms for the next hour only after its run returned.
            var next = clock.GetUtcNow().UtcDateTime.AddHours(1);
            var until = DateTime.UtcNow.AddSeconds(30);
            while (!(timers.WaitingFor.TryGetValue(Sweep, out var armed) && armed == next) && DateTime.UtcNow < until)
            {
                await Task.Delay(5);
            }

            Assert.True(timers.WaitingFor[Sweep] == next, $"the sweep did not finish its run at {clock.GetUtcNow():O}");
        }

        await RunFinished(); // armed for 11:00 before the clock moves

        // Every 8 hours (10:00, 18:00, 02:00 in Shanghai) for 30 days: each day's first run is at 02:00.
        var end = new DateTimeOffset(2026, 3, 16, 10, 0, 0, ChinaTime.Offset);
        while (clock.GetUtcNow() < end)
        {
            clock.Advance(TimeSpan.FromHours(8));
            await RunFinished();
            if (ChinaTime.Today(clock) == new DateOnly(2026, 2, 25) && ChinaTime.ToChina(clock.GetUtcNow()).Hour == 10)
            {
                // Decided before its at-risk day (2026-03-10): it never raises anything.
                await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/applications/{decided.Id}/decision", new { decision = "reject", reason = "withdrawn" }));
            }
        }

        Assert.Equal("at-risk 2026-03-10; breached 2026-03-14", await RaisedOn(factory, standard.Seller));
        Assert.Equal("at-risk 2026-03-02; breached 2026-03-04", await RaisedOn(factory, green.Seller));
        Assert.Empty(await SlaEvents(factory, decided.Seller));

        var e = (await SlaEvents(factory, standard.Seller)).Single(x => x.Type == EventTypes.ApplicationSlaAtRisk);
        Assert.Equal($"applications/{standard.Id}", e.Subject);
        Assert.Equal(standard.Id, e.Data.GetProperty("applicationId").GetString());
        Assert.Equal("2026-03-13", e.Data.GetProperty("reviewDueOn").GetString());
        Assert.Equal((standard.Seller, "hangzhou"), (e.SellerId, e.Hub));

        var stored = (await factory.Services.GetRequiredService<IApplicationRepository>().GetAsync(standard.Id, CancellationToken.None))!.Application;
        Assert.True(stored.SlaAtRiskRaised && stored.SlaBreachedRaised);
    }

    // National Day 2026 is off Thu 2026-10-01 .. Wed 2026-10-07; Saturday 2026-10-10 is an adjusted working
    // day. The last working day before it is Wednesday 2026-09-30. Counting working days after it:
    //   Thu 10-08 = 1, Fri 10-09 = 2, Sat 10-10 (adjusted) = 3, Mon 10-12 = 4, Tue 10-13 = 5, Wed 10-14 = 6,
    //   Thu 10-15 = 7, Fri 10-16 = 8, Mon 10-19 = 9, Tue 10-20 = 10, Wed 10-21 = 11, Thu 10-22 = 12,
    //   Fri 10-23 = 13, Mon 10-26 = 14, Tue 10-27 = 15.
    // 15 days: due 2026-10-27, at risk on the 12th (2026-10-22), breached from 2026-10-28.
    // 7 days (green channel): due 2026-10-15, at risk on the 6th (2026-10-14), breached from 2026-10-16.
    [Fact]
    public async Task ADM_7_runs_through_the_admin_endpoint_raise_each_event_once_and_days_missed_are_caught_up_before_National_Day_2026()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 9, 30, 10, 0, 0, ChinaTime.Offset));
        using var factory = new DevHostFactory(clock: clock);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var admin = factory.CreateDefaultClient();
        var standard = await Submit(platform, iso14001: false);
        var green = await Submit(platform, iso14001: true);
        Assert.Equal("2026-10-27", standard.DueOn);
        Assert.Equal("2026-10-15", green.DueOn);

        async Task RunSweep()
        {
            var run = await HttpAssert.Json(await admin.PostAsync($"/admin/functions/{Sweep}", null), HttpStatusCode.Accepted);
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
        }

        // Three runs a day (hours apart) up to 2026-10-20, then nothing ran until 2026-10-29.
        for (var day = new DateOnly(2026, 10, 1); day <= new DateOnly(2026, 10, 20); day = day.AddDays(1))
        {
            foreach (var hour in new[] { 0, 9, 23 })
            {
                clock.SetUtcNow(new DateTimeOffset(day.ToDateTime(new TimeOnly(hour, 0)), ChinaTime.Offset));
                await RunSweep();
            }
        }

        Assert.Equal("at-risk 2026-10-14; breached 2026-10-16", await RaisedOn(factory, green.Seller));
        Assert.Equal("at-risk ; breached ", await RaisedOn(factory, standard.Seller));

        clock.SetUtcNow(new DateTimeOffset(2026, 10, 29, 9, 0, 0, ChinaTime.Offset));
        await RunSweep();
        await RunSweep();
        Assert.Equal("at-risk 2026-10-29; breached 2026-10-29", await RaisedOn(factory, standard.Seller));
        Assert.Equal("at-risk 2026-10-14; breached 2026-10-16", await RaisedOn(factory, green.Seller));
        Assert.Equal(new DateOnly(2026, 10, 28), await factory.Services.GetRequiredService<IReviewSlaIndex>().CheckpointAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ADM_7_overlapping_sweeps_publish_each_event_once()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["RelayOutbox", Sweep]);
        var services = factory.Services;
        var today = ChinaTime.Today(TimeProvider.System);
        var submission = new ApplicationSubmission(TestStorage.Unique("overlap"), "Store", "华为技术有限公司", "brand-trader", "914403001922038216", "hangzhou", OwnBrand: true, BrandAuthorizationCertified: true);
        var application = SellerApplication.Open(TestStorage.Unique("APP-"), submission, new DateOnly(2026, 11, 2), ChinaWorkingCalendar.Default)
            with
        { SubmittedOn = today.AddDays(-30), AtRiskOn = today.AddDays(-5), ReviewDueOn = today.AddDays(-2) };
        Assert.Null(await services.GetRequiredService<IApplicationRepository>().TryAddAsync(application, [], CancellationToken.None));
        await services.GetRequiredService<IReviewSlaIndex>().AddAsync(application, CancellationToken.None);

        using var admin = factory.CreateDefaultClient();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => admin.PostAsync($"/admin/functions/{Sweep}", null)));
        Assert.All(runs, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));

        var events = await factory.TakeEventsAsync($"applications/{application.ApplicationId}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
        Assert.Equal([EventTypes.ApplicationSlaAtRisk, EventTypes.ApplicationSlaBreached], events.Select(e => e.Type).Order());
        Assert.Equal(2, events.Select(e => e.Id).Distinct().Count());
    }
}
