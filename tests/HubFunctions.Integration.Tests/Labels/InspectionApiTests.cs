using System.Net;
using System.Net.Http.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Labels;

/// <summary>LBL-4 through POST /api/hubs/{hub}/inspections, with the events it publishes.</summary>
[Collection(QueueCollection.Name)]
public sealed class InspectionApiTests
{
    private static object Inspection(string sellerId, int sampled, int failed, string receiptId = "RCPT-1") => new
    {
        receiptId,
        sellerId,
        sampled,
        failures = Enumerable.Range(0, failed).Select(i => new { label = $"(01)09506000134352(21)S{i}", reason = "missing (17) expiry date" }).ToArray(),
    };

    private static async Task<System.Text.Json.JsonElement> Post(HttpClient http, object body)
        => await HttpAssert.Json(await http.PostAsJsonAsync("/api/hubs/hangzhou/inspections", body), HttpStatusCode.Created);

    [Fact]
    public async Task LBL_4_boundaries_5_in_100_none_6_in_100_opens_and_1_in_19_is_above_5_percent()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateSignedClient(TestClients.Operator);

        var five = await Post(http, Inspection(await factory.SeedSellerAsync(TestStorage.Unique("s")), 100, 5));
        Assert.Equal(0.05m, five.GetProperty("failureRate").GetDecimal());
        Assert.False(five.GetProperty("rectificationRequired").GetBoolean());
        Assert.Equal("none", five.GetProperty("rectification").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, five.GetProperty("rectificationId").ValueKind);

        var six = await Post(http, Inspection(await factory.SeedSellerAsync(TestStorage.Unique("s")), 100, 6));
        Assert.Equal(0.06m, six.GetProperty("failureRate").GetDecimal());
        Assert.True(six.GetProperty("rectificationRequired").GetBoolean());
        Assert.Equal("opened", six.GetProperty("rectification").GetString());
        Assert.StartsWith("RECT-", six.GetProperty("rectificationId").GetString());

        var oneIn19 = await Post(http, Inspection(await factory.SeedSellerAsync(TestStorage.Unique("s")), 19, 1));
        Assert.Equal(0.0526m, oneIn19.GetProperty("failureRate").GetDecimal());
        Assert.True(oneIn19.GetProperty("rectificationRequired").GetBoolean());
    }

    [Fact]
    public async Task LBL_4_an_order_opens_above_5_percent_stays_open_and_closes_on_a_reinspection_at_or_below_5_percent_with_events()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["RecordInspection", "RelayOutbox"]);
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var seller = await factory.SeedSellerAsync(TestStorage.Unique("seller"));

        var opened = await Post(http, Inspection(seller, 50, 4));
        var id = opened.GetProperty("rectificationId").GetString();
        Assert.Equal("opened", opened.GetProperty("rectification").GetString());

        var stillBad = await Post(http, Inspection(seller, 50, 3, "RCPT-2"));
        Assert.Equal("still-open", stillBad.GetProperty("rectification").GetString());
        Assert.Equal(id, stillBad.GetProperty("rectificationId").GetString());

        var fixedUp = await Post(http, Inspection(seller, 100, 5, "RCPT-3"));
        Assert.Equal("closed", fixedUp.GetProperty("rectification").GetString());
        Assert.Equal(id, fixedUp.GetProperty("rectificationId").GetString());

        var next = await Post(http, Inspection(seller, 100, 0, "RCPT-4"));
        Assert.Equal("none", next.GetProperty("rectification").GetString());

        var events = await factory.TakeEventsAsync($"rectifications/{id}", 2, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1));
        Assert.Equal([EventTypes.RectificationOpened, EventTypes.RectificationClosed], events.OrderBy(e => e.Time).Select(e => e.Type));
        Assert.All(events, e => Assert.Equal(seller, e.SellerId));
        Assert.All(events, e => Assert.Equal("hangzhou", e.Hub));
        Assert.Equal(0.08m, events.Single(e => e.Type == EventTypes.RectificationOpened).Data.GetProperty("failureRate").GetDecimal());
    }

    [Fact]
    public async Task The_devhost_shows_the_local_event_sink_without_consuming_it()
    {
        // The peek shows the 32 oldest events: this host's event queue is its own, so it starts empty.
        using var factory = new DevHostFactory(listeners: true, functions: ["RecordInspection", "RelayOutbox"]);
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var opened = await Post(http, Inspection(await factory.SeedSellerAsync(TestStorage.Unique("peek")), 10, 5));
        var subject = $"rectifications/{opened.GetProperty("rectificationId").GetString()}";
        var admin = factory.CreateDefaultClient();
        var until = DateTime.UtcNow.AddSeconds(20);
        System.Text.Json.JsonElement events;
        do
        {
            events = await HttpAssert.Json(await admin.GetAsync("/admin/events"));
        }
        while (!events.EnumerateArray().Any(e => e.GetProperty("subject").GetString() == subject) && DateTime.UtcNow < until && await Task.Delay(100).ContinueWith(_ => true));

        var shown = events.EnumerateArray().Single(e => e.GetProperty("subject").GetString() == subject);
        Assert.Equal(EventTypes.RectificationOpened, shown.GetProperty("type").GetString());
        Assert.Single(await factory.TakeEventsAsync(subject, 1, TimeSpan.FromSeconds(10), TimeSpan.Zero));
    }

    [Fact]
    public async Task LBL_4_concurrent_bad_inspections_of_one_seller_open_one_order()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var seller = await factory.SeedSellerAsync(TestStorage.Unique("race"));
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Post(http, Inspection(seller, 10, 5, $"R{i}"))));
        Assert.Single(responses, r => r.GetProperty("rectification").GetString() == "opened");
        Assert.Single(responses.Select(r => r.GetProperty("rectificationId").GetString()).Distinct());
    }

    [Theory]
    [InlineData(0, 0, "invalid-sample-size")]
    [InlineData(10, 11, "invalid-failure-count")]
    public async Task Impossible_counts_are_422(int sampled, int failed, string code)
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var response = await http.PostAsJsonAsync("/api/hubs/hangzhou/inspections", Inspection("demo-seller", sampled, failed));
        await HttpAssert.Problem(response, HttpStatusCode.UnprocessableEntity, code);
    }

    [Fact]
    public async Task Only_the_hubs_operator_records_inspections()
    {
        using var factory = new DevHostFactory();
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.PostAsJsonAsync("/api/hubs/hangzhou/inspections", Inspection("demo-seller", 10, 0)), HttpStatusCode.Forbidden, "forbidden-role");
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await op.PostAsJsonAsync("/api/hubs/xian/inspections", Inspection("demo-seller", 10, 0)), HttpStatusCode.Forbidden, "forbidden");
    }

    private static Task<List<string>> ComplianceRows(DevHostFactory factory) => TableSnapshot.RowsAsync(factory.Names.LabelComplianceTable);

    [Fact]
    public async Task SEC_2_an_inspection_of_an_unknown_seller_is_404_and_of_a_seller_of_another_hub_403_storing_nothing()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var known = await Post(http, Inspection(await factory.SeedSellerAsync(TestStorage.Unique("s")), 10, 5));
        Assert.Equal("opened", known.GetProperty("rectification").GetString());
        var elsewhere = await factory.SeedSellerAsync(TestStorage.Unique("dgg"), "dongguan");
        var before = await ComplianceRows(factory);

        await HttpAssert.Problem(await http.PostAsJsonAsync("/api/hubs/hangzhou/inspections", Inspection(TestStorage.Unique("nobody"), 10, 5)), HttpStatusCode.NotFound, "not-found");
        var other = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/hubs/hangzhou/inspections", Inspection(elsewhere, 10, 5)), HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("SEC-2", other.GetProperty("detail").GetString());

        Assert.Equal(before.Order(), (await ComplianceRows(factory)).Order());
    }
}
