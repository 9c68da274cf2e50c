using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Labels;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Labels;

/// <summary>LBL-1..LBL-3 through the HTTP contract: POST /api/labels/validate and POST /api/hubs/{hub}/receipts.</summary>
public sealed class LabelApiTests : IClassFixture<LabelApiTests.Host>
{
    /// <summary>One host for the class; the receipts' seller (SEC-2) exists in its seller store.</summary>
    public sealed class Host : IAsyncLifetime, IDisposable
    {
        public DevHostFactory Factory { get; } = new();

        public Task InitializeAsync() => Factory.SeedSellerAsync(Seller);

        public Task DisposeAsync() => Task.CompletedTask;

        public void Dispose() => Factory.Dispose();
    }

    private const string Gtin = "09506000134352";
    private readonly DevHostFactory _factory;

    public LabelApiTests(Host host) => _factory = host.Factory;

    private static IReadOnlyList<Gs1Element> Label(string serial, string gtin = Gtin)
        => Gs1Formatter.HubLabel(gtin, "LOT-7", new DateOnly(2026, 3, 1), new DateOnly(2028, 2, 29), serial);

    private static async Task<JsonElement[]> Results(HttpResponseMessage response)
    {
        var json = await HttpAssert.Json(response);
        return [.. json.GetProperty("results").EnumerateArray()];
    }

    private static IEnumerable<string> Codes(JsonElement result) => result.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()!);

    [Fact]
    public async Task LBL_1_a_label_in_each_of_the_three_forms_is_valid_and_read()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var elements = Label("SN-0001");
        var forms = new[]
        {
            Gs1Formatter.ToBracketed(elements),
            Gs1Formatter.ToElementString(elements, "]C1"),
            Gs1Formatter.ToDigitalLink(elements),
        };
        var results = await Results(await http.PostAsJsonAsync("/api/labels/validate", new { labels = forms }));
        Assert.Equal(3, results.Length);
        for (var i = 0; i < 3; i++)
        {
            var r = results[i];
            Assert.Equal(forms[i], r.GetProperty("input").GetString());
            Assert.Equal(new[] { "bracketed", "element-string", "digital-link" }[i], r.GetProperty("form").GetString());
            Assert.True(r.GetProperty("valid").GetBoolean(), r.GetRawText());
            Assert.Equal(Gtin, r.GetProperty("gtin").GetString());
            Assert.Equal("LOT-7", r.GetProperty("batch").GetString());
            Assert.Equal("2026-03-01", r.GetProperty("productionDate").GetString());
            Assert.Equal("2028-02-29", r.GetProperty("expiryDate").GetString());
            Assert.Equal("SN-0001", r.GetProperty("serial").GetString());
            Assert.Empty(r.GetProperty("errors").EnumerateArray());
        }
    }

    [Fact]
    public async Task LBL_1_bad_labels_get_per_label_errors_with_stable_codes_never_a_500()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var labels = new[]
        {
            "",
            new string('1', 10_000),
            "(01)09506000134353(10)LOT(11)260301(17)280229(21)S1",            // check digit altered
            "(01)０９５０６０００１３４３５２(10)LOT(11)260301(17)280229(21)S1", // full-width digits
            "(01)09506000134352\u0007(10)LOT",                                   // control character
            "(01)09506000134352(10)LOT(11)260301(17)280229",                     // no serial
            "(01)09506000134352(10)LOT(11)280301(17)260228(21)S1",               // production after expiry
        };
        var results = await Results(await http.PostAsJsonAsync("/api/labels/validate", new { labels }));
        Assert.Equal(labels.Length, results.Length);
        Assert.All(results, r => Assert.False(r.GetProperty("valid").GetBoolean()));
        Assert.Contains(LabelErrorCodes.Empty, Codes(results[0]));
        Assert.Contains(LabelErrorCodes.TooLong, Codes(results[1]));
        Assert.Contains(LabelErrorCodes.GtinCheckDigit, Codes(results[2]));
        Assert.Contains(LabelErrorCodes.InvalidCharacter, Codes(results[3]));
        Assert.Contains(LabelErrorCodes.InvalidCharacter, Codes(results[4]));
        Assert.Contains(LabelErrorCodes.MissingAi21, Codes(results[5]));
        Assert.Contains(LabelErrorCodes.ProductionAfterExpiry, Codes(results[6]));
        Assert.All(results, r => Assert.All(r.GetProperty("errors").EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString()))));
    }

    [Fact]
    public async Task LBL_1_a_thousand_labels_are_accepted_and_1001_refused_with_422()
    {
        using var http = _factory.CreateSignedClient(TestClients.Wms);
        var thousand = Enumerable.Range(0, 1000).Select(i => Gs1Formatter.ToBracketed(Label($"S{i}"))).ToArray();
        var results = await Results(await http.PostAsJsonAsync("/api/labels/validate", new { labels = thousand }));
        Assert.Equal(1000, results.Length);
        Assert.All(results, r => Assert.True(r.GetProperty("valid").GetBoolean()));

        var problem = await HttpAssert.Problem(await http.PostAsJsonAsync("/api/labels/validate", new { labels = thousand.Append("x") }),
            HttpStatusCode.UnprocessableEntity, "too-many-labels");
        Assert.Equal("labels", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("{}", "labels-required")]
    [InlineData("""{"labels":[]}""", "labels-required")]
    [InlineData("""{"labels":"(01)09506000134352"}""", "invalid-value")]
    [InlineData("""{"labels":[1,2]}""", "invalid-value")]
    public async Task A_body_without_a_label_list_is_422(string body, string code)
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var response = await http.PostAsync("/api/labels/validate", new StringContent(body, Encoding.UTF8, "application/json"));
        await HttpAssert.Problem(response, HttpStatusCode.UnprocessableEntity, code);
    }

    [Fact]
    public async Task Validation_needs_a_signature()
    {
        using var http = _factory.CreateDefaultClient();
        var response = await http.PostAsJsonAsync("/api/labels/validate", new { labels = new[] { "x" } });
        await HttpAssert.Problem(response, HttpStatusCode.Unauthorized, "missing-signature-headers");
    }

    [Fact]
    public async Task LBL_3_a_serial_already_in_the_sellers_stock_or_repeated_in_a_receipt_is_refused()
    {
        var seller = TestClients.Wms.SellerId!;
        var run = TestStorage.Unique("r");
        var first = new[] { Gs1Formatter.ToBracketed(Label($"{run}-1")), Gs1Formatter.ToBracketed(Label($"{run}-2")), "(01)123" };
        using var operatorHttp = _factory.CreateSignedClient(TestClients.Operator);
        var receipt1 = await HttpAssert.Json(await operatorHttp.PostAsJsonAsync("/api/hubs/hangzhou/receipts", new { receiptId = run + "-A", sellerId = seller, labels = first }));
        Assert.Equal(2, receipt1.GetProperty("accepted").GetInt32());
        Assert.Equal(1, receipt1.GetProperty("rejected").GetInt32());

        // Second receipt: serial 2 again (in stock), serial 3 twice (repeated within the receipt), serial 4 new,
        // and serial 2 of another GTIN (a different item: allowed).
        var second = new[]
        {
            Gs1Formatter.ToDigitalLink(Label($"{run}-2")),
            Gs1Formatter.ToElementString(Label($"{run}-3")),
            Gs1Formatter.ToBracketed(Label($"{run}-3")),
            Gs1Formatter.ToBracketed(Label($"{run}-4")),
            Gs1Formatter.ToBracketed(Label($"{run}-2", "00012345600012")),
        };
        using var wmsHttp = _factory.CreateSignedClient(TestClients.Wms);
        var receipt2 = await HttpAssert.Json(await wmsHttp.PostAsJsonAsync("/api/hubs/hangzhou/receipts", new { receiptId = run + "-B", sellerId = seller, labels = second }));
        var results = receipt2.GetProperty("results").EnumerateArray().ToArray();
        Assert.Contains(LabelErrorCodes.DuplicateSerial, Codes(results[0]));
        Assert.True(results[1].GetProperty("valid").GetBoolean());
        Assert.Contains(LabelErrorCodes.DuplicateSerial, Codes(results[2]));
        Assert.True(results[3].GetProperty("valid").GetBoolean());
        Assert.True(results[4].GetProperty("valid").GetBoolean(), results[4].GetRawText());
        Assert.Equal(3, receipt2.GetProperty("accepted").GetInt32());

        // A retry of the same receipt (new webhook-id) does not call its own serials duplicates.
        var again = await HttpAssert.Json(await wmsHttp.PostAsJsonAsync("/api/hubs/hangzhou/receipts", new { receiptId = run + "-B", sellerId = seller, labels = second }));
        Assert.Equal(3, again.GetProperty("accepted").GetInt32());
    }

    private const string Seller = "demo-seller";

    private static object Receipt(string receiptId, params string[] serials)
        => new { receiptId, sellerId = Seller, labels = serials.Select(s => Gs1Formatter.ToBracketed(Label(s))).ToArray() };

    private static async Task<HttpResponseMessage> PostReceipt(HttpClient http, string hub, object receipt)
        => await http.PostAsJsonAsync($"/api/hubs/{hub}/receipts", receipt);

    /// <summary>True when a fresh receipt with this serial is refused as a duplicate: the serial is in the stock.</summary>
    private async Task<bool> InStock(string serial)
    {
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        var probe = await HttpAssert.Json(await PostReceipt(wms, "hangzhou", Receipt(TestStorage.Unique("probe-"), serial)));
        return Codes(probe.GetProperty("results")[0]).Contains(LabelErrorCodes.DuplicateSerial);
    }

    private Task<List<string>> StockRows() => TableSnapshot.RowsAsync(_factory.Names.StockLabelsTable);

    [Fact]
    public async Task SEC_2_a_receipt_for_an_unknown_seller_is_404_and_at_another_hub_than_the_sellers_403_storing_nothing()
    {
        var run = TestStorage.Unique("r");
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        var first = await HttpAssert.Json(await PostReceipt(wms, "hangzhou", Receipt(run, $"{run}-1")));
        Assert.Equal(1, first.GetProperty("accepted").GetInt32());
        var before = await StockRows();

        // demo-seller is registered at hangzhou: its WMS may not send a receipt at dongguan (same id or a new one).
        var other = await HttpAssert.Problem(await PostReceipt(wms, "dongguan", Receipt(run, $"{run}-1")), HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("SEC-2", other.GetProperty("detail").GetString());
        await HttpAssert.Problem(await PostReceipt(wms, "dongguan", Receipt(run + "-x", $"{run}-2")), HttpStatusCode.Forbidden, "forbidden");

        // The hub's operator naming a seller the seller store does not know.
        using var operatorHttp = _factory.CreateSignedClient(TestClients.Operator);
        var unknown = new { receiptId = run + "-u", sellerId = TestStorage.Unique("nobody"), labels = new[] { Gs1Formatter.ToBracketed(Label($"{run}-3")) } };
        await HttpAssert.Problem(await PostReceipt(operatorHttp, "hangzhou", unknown), HttpStatusCode.NotFound, "not-found");

        Assert.Equal(before.Order(), (await StockRows()).Order());
    }

    [Fact]
    public async Task LBL_3_a_receipt_id_sent_again_by_another_client_with_other_labels_is_409_and_stores_none_of_them()
    {
        var run = TestStorage.Unique("r");
        using var operatorHttp = _factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Json(await PostReceipt(operatorHttp, "hangzhou", Receipt(run, $"{run}-1")));

        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        await HttpAssert.Problem(await PostReceipt(wms, "hangzhou", Receipt(run, $"{run}-1", $"{run}-2")), HttpStatusCode.Conflict, LabelReceipts.ReceiptIdReused);
        Assert.False(await InStock($"{run}-2"));
        Assert.True(await InStock($"{run}-1"));
    }

    [Fact]
    public async Task LBL_3_an_identical_receipt_sent_again_by_another_client_gets_the_same_answer()
    {
        var run = TestStorage.Unique("r");
        var receipt = Receipt(run, $"{run}-1", $"{run}-2", $"{run}-1");
        using var operatorHttp = _factory.CreateSignedClient(TestClients.Operator);
        var first = await HttpAssert.Json(await PostReceipt(operatorHttp, "hangzhou", receipt));
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        var again = await HttpAssert.Json(await PostReceipt(wms, "hangzhou", receipt));

        Assert.Equal((2, 1), (first.GetProperty("accepted").GetInt32(), first.GetProperty("rejected").GetInt32()));
        Assert.Equal(first.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task LBL_3_two_identical_receipts_sent_at_once_both_get_the_same_answer()
    {
        var run = TestStorage.Unique("r");
        var receipt = Receipt(run, [.. Enumerable.Range(0, 150).Select(i => $"{run}-{i}")]);
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await HttpAssert.Json(await PostReceipt(wms, "hangzhou", receipt))));

        Assert.All(answers, a => Assert.Equal(150, a.GetProperty("accepted").GetInt32()));
        Assert.Single(answers.Select(a => a.GetRawText()).Distinct());
    }

    [Fact]
    public async Task LBL_3_of_different_receipts_sent_at_once_with_one_id_exactly_one_is_stored()
    {
        var run = TestStorage.Unique("r");
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => PostReceipt(wms, "hangzhou", Receipt(run, $"{run}-{i}"))));

        var winner = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
        foreach (var loser in responses.Where(r => r != winner))
        {
            await HttpAssert.Problem(loser, HttpStatusCode.Conflict, LabelReceipts.ReceiptIdReused);
        }

        var stored = (await HttpAssert.Json(winner)).GetProperty("results")[0].GetProperty("serial").GetString();
        foreach (var i in Enumerable.Range(0, 4))
        {
            Assert.Equal($"{run}-{i}" == stored, await InStock($"{run}-{i}"));
        }
    }

    [Fact]
    public async Task LBL_1_results_echo_a_long_label_cut_to_128_characters()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var results = await Results(await http.PostAsJsonAsync("/api/labels/validate", new { labels = new[] { new string('9', 4000), "(01)123" } }));

        Assert.Equal(new string('9', 128) + "…", results[0].GetProperty("input").GetString());
        Assert.Contains(LabelErrorCodes.TooLong, Codes(results[0]));
        Assert.Equal("(01)123", results[1].GetProperty("input").GetString());
    }

    [Fact]
    public async Task SEC_1_SEC_2_only_the_hubs_operator_or_the_sellers_wms_may_send_receipts()
    {
        var body = new { receiptId = "R-1", sellerId = "demo-seller", labels = new[] { Gs1Formatter.ToBracketed(Label("S-sec")) } };
        using var seller = _factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.PostAsJsonAsync("/api/hubs/hangzhou/receipts", body), HttpStatusCode.Forbidden, "forbidden-role");
        using var platform = _factory.CreateSignedClient(TestClients.Platform);
        await HttpAssert.Problem(await platform.PostAsJsonAsync("/api/hubs/hangzhou/receipts", body), HttpStatusCode.Forbidden, "forbidden-role");
        using var operatorHttp = _factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await operatorHttp.PostAsJsonAsync("/api/hubs/dongguan/receipts", body), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await operatorHttp.PostAsJsonAsync("/api/hubs/nowhere/receipts", body), HttpStatusCode.NotFound, "not-found");
        using var wms = _factory.CreateSignedClient(TestClients.Wms);
        await HttpAssert.Problem(await wms.PostAsJsonAsync("/api/hubs/hangzhou/receipts", body with { sellerId = "someone-else" }), HttpStatusCode.Forbidden, "forbidden");
    }
}
