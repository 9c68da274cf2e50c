using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Orders;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>Stage events (<c>POST /api/orders/{id}/events</c>) and the diagnosis (DIA-1, DIA-2) through the DevHost on Azurite, under a fake clock.</summary>
public sealed class OrderDiagnosisApiTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static string At(DateTimeOffset instant) => instant.ToOffset(China).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static Dictionary<string, object?> WithHsCodes(Dictionary<string, object?> body, string sku1Code)
    {
        body["items"] = new object[] { new { sku = "SKU-1", quantity = 2, hsCode = sku1Code }, new { sku = "SKU-2", quantity = 1 } };
        return body;
    }

    private static Task<HttpResponseMessage> PostEventAsync(HttpClient client, string orderId, object body) => client.PostAsJsonAsync($"/api/orders/{orderId}/events", body);

    private static async Task<JsonElement> DiagnosisAsync(HttpClient client, string orderId) => await HttpAssert.Json(await client.GetAsync($"/api/orders/{orderId}/diagnosis"));

    private static List<string> Codes(JsonElement diagnosis) => diagnosis.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()!).ToList();

    [Fact]
    public async Task DIA_1_each_cause_is_found_in_an_order_built_to_show_it_and_none_in_a_healthy_order()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        await factory.SeedSellerAsync("expired-seller", freezeReasons: [FreezeReason.DocumentExpiredOn(FreezeRules.WatchedDocuments.First(), new DateOnly(2026, 11, 30))]);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await SubmittedAsync(platform, WithHsCodes(Body("ORD-dia-hs", Created), "84713000"));
        await SubmittedAsync(platform, Body("ORD-dia-transit", Created));
        await SubmittedAsync(platform, Body("ORD-dia-frozen", Created, sellerId: "expired-seller"));
        await SubmittedAsync(platform, WithHsCodes(Body("ORD-dia-healthy", Created), "847130"));

        clock.SetUtcNow(Created.AddHours(3));
        await HttpAssert.Json(await PostEventAsync(op, "ORD-dia-hs", new { stage = "received", at = At(Created.AddMinutes(30)), items = new[] { new { sku = "SKU-1", hsCode = "84714100" } } }), HttpStatusCode.Created);
        await HttpAssert.Json(await PostEventAsync(op, "ORD-dia-transit", new { stage = "delivered-to-hub", at = At(Created.AddMinutes(20)) }), HttpStatusCode.Created);
        await HttpAssert.Json(await PostEventAsync(op, "ORD-dia-healthy", new { stage = "delivered-to-hub", at = At(Created.AddMinutes(20)) }), HttpStatusCode.Created);
        await HttpAssert.Json(await PostEventAsync(op, "ORD-dia-healthy", new { stage = "received", at = At(Created.AddMinutes(40)), items = new[] { new { sku = "SKU-1", hsCode = "8471300000" } } }), HttpStatusCode.Created);

        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var hs = await DiagnosisAsync(reviewer, "ORD-dia-hs");
        Assert.Equal([OrderDiagnosis.HsCodeMismatch], Codes(hs));
        Assert.Contains("84714100", hs.GetProperty("findings")[0].GetProperty("evidence").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(hs.GetProperty("findings")[0].GetProperty("fix").GetString()));

        var transit = await DiagnosisAsync(platform, "ORD-dia-transit");
        Assert.Equal([OrderDiagnosis.NotReceived], Codes(transit));

        var frozen = await DiagnosisAsync(platform, "ORD-dia-frozen");
        Assert.Equal([OrderDiagnosis.QualificationsExpired], Codes(frozen));
        Assert.Contains("expired-seller", frozen.GetProperty("findings")[0].GetProperty("evidence").GetString(), StringComparison.Ordinal);

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Empty(Codes(await DiagnosisAsync(seller, "ORD-dia-healthy")));
    }

    [Fact]
    public async Task DIA_2_the_stage_timeline_marks_the_stages_over_their_configured_norm()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:StageNorms:received"] = "01:00:00" });
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await SubmittedAsync(platform, Body("ORD-timeline", Created));
        clock.SetUtcNow(Created.AddMinutes(30));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-timeline", "INS-T"), HttpStatusCode.Created);

        clock.SetUtcNow(Created.AddHours(7));
        foreach (var (stage, at) in new[] { ("received", Created.AddHours(3)), ("picked", Created.AddHours(5)), ("packed", Created.AddHours(5.5)), ("handed-over", Created.AddHours(6)) })
        {
            await HttpAssert.Json(await PostEventAsync(op, "ORD-timeline", new { stage, at = At(at) }), HttpStatusCode.Created);
        }

        var stages = (await DiagnosisAsync(seller, "ORD-timeline")).GetProperty("stages").EnumerateArray()
            .Select(s => (s.GetProperty("stage").GetString(), s.GetProperty("minutes").GetInt64(), s.GetProperty("overNorm").GetBoolean())).ToList();
        Assert.Equal(
            [("created", 30L, false), ("instructed", 150L, false), ("received", 120L, true), ("picked", 30L, false), ("packed", 30L, false)],
            stages);
    }

    [Fact]
    public async Task DIA_2_a_stage_event_sent_twice_is_one_record_and_bad_input_stores_nothing()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        await factory.SeedSellerAsync("dongguan-seller", hub: "dongguan");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await SubmittedAsync(platform, Body("ORD-events", Created));
        await SubmittedAsync(platform, Body("ORD-dongguan", Created, sellerId: "dongguan-seller", hub: "dongguan"));
        clock.SetUtcNow(Created.AddHours(1));

        var received = new { stage = "received", at = At(Created.AddMinutes(50)) };
        await HttpAssert.Json(await PostEventAsync(op, "ORD-events", received), HttpStatusCode.Created);
        var again = await HttpAssert.Json(await PostEventAsync(op, "ORD-events", received), HttpStatusCode.OK);
        Assert.Equal("received", again.GetProperty("stage").GetString());

        var all = await HttpAssert.Problem(await PostEventAsync(op, "ORD-events", new { stage = "shipped", at = "2026-12-01T10:50:00" }), HttpStatusCode.UnprocessableEntity, StageEventRules.UnknownStage);
        Assert.Equal(["stage", "at"], all.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList());
        Assert.Equal(OrderCodes.OffsetRequired, all.GetProperty("errors")[1].GetProperty("code").GetString());
        await HttpAssert.Problem(await PostEventAsync(op, "ORD-events", new { stage = "picked", at = At(Created.AddHours(1).AddMinutes(10)) }), HttpStatusCode.UnprocessableEntity, StageEventRules.InFuture);
        await HttpAssert.Problem(await PostEventAsync(op, "ORD-events", new { stage = "received", at = At(Created), items = new[] { new { sku = "SKU-1", hsCode = "" } } }), HttpStatusCode.UnprocessableEntity, OrderCodes.Required);
        await HttpAssert.Problem(await PostEventAsync(op, "ORD-unknown", received), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await PostEventAsync(op, "ORD-dongguan", received), HttpStatusCode.Forbidden, "forbidden");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await PostEventAsync(seller, "ORD-events", received), HttpStatusCode.Forbidden, "forbidden-role");

        var rows = new List<string>();
        await foreach (var e in TestStorage.Tables().GetTableClient(factory.Names.OrderStagesTable).QueryAsync<TableEntity>())
        {
            rows.Add($"{e.PartitionKey}/{e.GetString("Stage")}");
        }

        Assert.Equal(["ORD-events/received"], rows);
        Assert.Single((await DiagnosisAsync(seller, "ORD-events")).GetProperty("events").EnumerateArray());
    }

    [Fact]
    public async Task SEC_2_another_sellers_diagnosis_is_404_and_a_hub_operator_has_no_role_on_it()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-private", Created));
        using var other = factory.CreateSignedClient(TestClients.Rotating);
        await HttpAssert.Problem(await other.GetAsync("/api/orders/ORD-private/diagnosis"), HttpStatusCode.NotFound, "not-found");
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await op.GetAsync("/api/orders/ORD-private/diagnosis"), HttpStatusCode.Forbidden, "forbidden-role");
        await HttpAssert.Problem(await platform.GetAsync("/api/orders/ORD-none/diagnosis"), HttpStatusCode.NotFound, "not-found");
    }
}
