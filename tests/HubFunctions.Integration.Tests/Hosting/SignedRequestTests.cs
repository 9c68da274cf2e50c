using System.Net;
using System.Net.Http.Json;
using System.Text;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>API.md "Authentication": Standard Webhooks signatures on every non-public endpoint, through the DevHost.</summary>
public sealed class SignedRequestTests : IClassFixture<SignedRequestTests.Host>
{
    public sealed class Host : IDisposable
    {
        public Host() => Factory = new DevHostFactory(clock: Clock);

        /// <summary>
        /// The host's clock, held still at a whole second: the 5-minute boundaries (300 s accepted,
        /// 301 s refused) are checked exactly, not against a wall clock that may tick between signing
        /// and verifying.
        /// </summary>
        public Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        public DevHostFactory Factory { get; }

        public void Dispose() => Factory.Dispose();
    }

    private readonly DevHostFactory _factory;
    private readonly TimeProvider _clock;

    public SignedRequestTests(Host host) => (_factory, _clock) = (host.Factory, host.Clock);

    private long Now => _clock.GetUtcNow().ToUnixTimeSeconds();

    private static HttpRequestMessage Echo(string json = """{"name":"a","count":1,"at":"2026-12-01T10:00:00+08:00"}""")
        => new(HttpMethod.Post, "/api/test/echo") { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task A_valid_signature_passes_and_clients_me_names_the_caller()
    {
        foreach (var client in TestClients.All)
        {
            using var http = _factory.CreateSignedClient(client);
            var me = await HttpAssert.Json(await http.GetAsync("/api/clients/me"));
            Assert.Equal(client.Id, me.GetProperty("clientId").GetString());
            Assert.Equal(client.Role, me.GetProperty("role").GetString());
            Assert.Equal(client.SellerId, me.GetProperty("sellerId").GetString());
            Assert.Equal(client.Hub, me.GetProperty("hub").GetString());
        }
    }

    [Fact]
    public async Task A_tampered_body_is_refused()
    {
        using var http = _factory.CreateDefaultClient();
        var request = Echo("""{"name":"a","count":2,"at":"2026-12-01T10:00:00+08:00"}""");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, "msg_tamper", Now,
            Bytes("""{"name":"a","count":1,"at":"2026-12-01T10:00:00+08:00"}"""));
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Fact]
    public async Task A_wrong_secret_is_refused()
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Secret("someone-else"), "msg_wrong", Now, []);
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(-3600)]
    [InlineData(301)]
    [InlineData(86400)]
    public async Task A_timestamp_more_than_five_minutes_away_is_refused(int offsetSeconds)
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, "msg_time", Now + offsetSeconds, []);
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "webhook-timestamp-out-of-tolerance");
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(-240)]
    [InlineData(240)]
    [InlineData(300)]
    public async Task A_timestamp_within_five_minutes_passes(int offsetSeconds)
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, "msg_near", Now + offsetSeconds, []);
        await HttpAssert.Json(await http.SendAsync(request));
    }

    [Theory]
    [InlineData("x-hub-client")]
    [InlineData("webhook-id")]
    [InlineData("webhook-timestamp")]
    [InlineData("webhook-signature")]
    public async Task A_missing_header_is_refused(string header)
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, "msg_missing", Now, []);
        request.Headers.Remove(header);
        var problem = await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "missing-signature-headers");
        Assert.Contains(header, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unknown_client_is_refused()
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, "nobody", TestClients.Seller.Secret, "msg_unknown", Now, []);
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "unknown-client");
    }

    [Fact]
    public async Task A_non_numeric_timestamp_is_refused()
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, "msg_ts", Now, []);
        request.Headers.Remove("webhook-timestamp");
        request.Headers.Add("webhook-timestamp", "2026-11-26T10:00:00Z");
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.Unauthorized, "invalid-webhook-timestamp");
    }

    /// <summary>A Standard Webhooks signature over the header texts exactly as given, made independently of the code under test.</summary>
    private static string SignText(string secret, string id, string timestampText, byte[] body)
    {
        using var hmac = new System.Security.Cryptography.HMACSHA256(WebhookSignature.DecodeSecret(secret));
        return "v1," + Convert.ToBase64String(hmac.ComputeHash([.. Bytes($"{id}.{timestampText}."), .. body]));
    }

    private static HttpRequestMessage SignedAsText(string id, string timestampText, string signedTimestampText)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        request.Headers.Add("x-hub-client", TestClients.Seller.Id);
        request.Headers.Add("webhook-id", id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", timestampText);
        request.Headers.Add("webhook-signature", SignText(TestClients.Seller.Secret, id, signedTimestampText, []));
        return request;
    }

    [Fact]
    public async Task A_timestamp_with_leading_zeros_is_verified_over_the_header_text_as_sent()
    {
        using var http = _factory.CreateDefaultClient();
        var padded = "000" + Now.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var overTheHeader = await http.SendAsync(SignedAsText("msg_zeros_1", padded, padded));
        var me = await HttpAssert.Json(overTheHeader);
        Assert.Equal(TestClients.Seller.Id, me.GetProperty("clientId").GetString());

        var overTheNumber = await http.SendAsync(SignedAsText("msg_zeros_2", padded, padded.TrimStart('0')));
        await HttpAssert.Problem(overTheNumber, HttpStatusCode.Unauthorized, "invalid-signature");
    }

    [Theory]
    [InlineData("+{0}")]
    [InlineData("-{0}")]
    [InlineData("{0}.0")]
    [InlineData("1 {0}")]
    [InlineData("{0}x")]
    [InlineData("0x{0}")]
    [InlineData("{0}e0")]
    public async Task A_timestamp_with_a_sign_spaces_or_non_digits_is_malformed(string format)
    {
        using var http = _factory.CreateDefaultClient();
        var text = string.Format(System.Globalization.CultureInfo.InvariantCulture, format, Now);
        await HttpAssert.Problem(await http.SendAsync(SignedAsText("msg_malformed", text, text)), HttpStatusCode.Unauthorized, "invalid-webhook-timestamp");
    }

    [Fact]
    public async Task Key_rotation_two_signatures_one_valid_passes()
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        var ts = Now;
        var stale = WebhookSignature.Sign(WebhookSignature.DecodeSecret(TestClients.Secret("retired-long-ago")), "msg_rot", ts, []);
        var good = WebhookSignature.Sign(WebhookSignature.DecodeSecret(TestClients.Seller.Secret), "msg_rot", ts, []);
        request.Headers.Add("x-hub-client", TestClients.Seller.Id);
        request.Headers.Add("webhook-id", "msg_rot");
        request.Headers.Add("webhook-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", $"{stale} {good}");
        var me = await HttpAssert.Json(await http.SendAsync(request));
        Assert.Equal(TestClients.Seller.Id, me.GetProperty("clientId").GetString());
    }

    [Fact]
    public async Task Key_rotation_the_receiver_accepts_the_previous_secret_while_configured()
    {
        using var http = _factory.CreateDefaultClient();
        foreach (var secret in new[] { TestClients.Rotating.Secret, TestClients.RotatingPrevious })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
            SigningHandler.Sign(request, TestClients.Rotating.Id, secret, "msg_prev", Now, []);
            await HttpAssert.Json(await http.SendAsync(request));
        }
    }

    [Fact]
    public async Task Signatures_made_by_the_reference_Standard_Webhooks_library_verify()
    {
        using var http = _factory.CreateDefaultClient();
        var body = """{"name":"库存","count":3,"at":"2026-12-01T10:00:00+08:00"}""";
        var reference = new StandardWebhooks.StandardWebhook(TestClients.Seller.Secret);
        var at = _clock.GetUtcNow();
        var signature = reference.Sign("msg_reference", at, body);
        var request = Echo(body);
        request.Headers.Add("x-hub-client", TestClients.Seller.Id);
        request.Headers.Add("webhook-id", "msg_reference");
        request.Headers.Add("webhook-timestamp", at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", signature);
        var echoed = await HttpAssert.Json(await http.SendAsync(request));
        Assert.Equal("库存", echoed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_role_not_allowed_gets_403_and_an_allowed_one_passes()
    {
        using var seller = _factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.GetAsync("/api/test/reviewer-only"), HttpStatusCode.Forbidden, "forbidden-role");
        using var reviewer = _factory.CreateSignedClient(TestClients.Reviewer);
        await HttpAssert.Json(await reviewer.GetAsync("/api/test/reviewer-only"));
    }

    [Fact]
    public async Task Public_endpoints_need_no_signature()
    {
        using var http = _factory.CreateDefaultClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/calendar/cn/2026-10-01")).StatusCode);
    }

    [Fact]
    public async Task A_failing_function_answers_500_problem_without_internals()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var response = await http.PostAsJsonAsync("/api/test/throws", new { });
        var problem = await HttpAssert.Problem(response, HttpStatusCode.InternalServerError, "internal-error");
        var text = problem.GetRawText();
        Assert.DoesNotContain("secret internals", text);
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("correlationId").GetString()));
    }
}
