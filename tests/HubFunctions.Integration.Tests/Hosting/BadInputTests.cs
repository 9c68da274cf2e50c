using System.Net;
using System.Text;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>Bad input gets a 4xx problem+json, never a 500 or a stack trace (API.md, "Errors").</summary>
public sealed class BadInputTests : IClassFixture<BadInputTests.Host>
{
    public sealed class Host : IDisposable
    {
        public DevHostFactory Factory { get; } = new();

        public void Dispose() => Factory.Dispose();
    }

    private readonly DevHostFactory _factory;

    public BadInputTests(Host host) => _factory = host.Factory;

    private async Task<HttpResponseMessage> PostEcho(string? body, string contentType = "application/json")
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/test/echo");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_good_body_is_read()
    {
        var echoed = await HttpAssert.Json(await PostEcho("""{"name":"n","count":2,"at":"2026-12-01T10:00:00+08:00","on":"2026-12-01"}"""));
        Assert.Equal("2026-12-01T10:00:00+08:00", echoed.GetProperty("at").GetString());
        Assert.Equal("2026-12-01", echoed.GetProperty("on").GetString());
    }

    [Theory]
    [InlineData("{\"name\":")]
    [InlineData("not json")]
    [InlineData("{\"name\":\"a\",}")]
    public async Task Malformed_json_is_400(string body)
        => await HttpAssert.Problem(await PostEcho(body), HttpStatusCode.BadRequest, "malformed-json");

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_wrong_content_type_is_415(string contentType)
        => await HttpAssert.Problem(await PostEcho("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""", contentType), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Fact]
    public async Task A_missing_body_is_400()
        => await HttpAssert.Problem(await PostEcho(""), HttpStatusCode.BadRequest, "missing-body");

    [Fact]
    public async Task An_oversized_body_is_413_and_never_reaches_the_function()
    {
        var huge = "{\"name\":\"" + new string('x', 1024 * 1024 + 10) + "\",\"count\":1,\"at\":\"2026-12-01T10:00:00+08:00\"}";
        await HttpAssert.Problem(await PostEcho(huge), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Theory]
    [InlineData("2026-12-01T10:00:00")]
    [InlineData("2026-12-01 10:00:00")]
    public async Task A_timestamp_without_offset_is_422_naming_the_field(string at)
    {
        var problem = await HttpAssert.Problem(await PostEcho($$"""{"name":"n","count":1,"at":"{{at}}"}"""), HttpStatusCode.UnprocessableEntity, "timestamp-offset-required");
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("at", error.GetProperty("field").GetString());
        Assert.Equal("timestamp-offset-required", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("""{"name":"n","count":"three","at":"2026-12-01T10:00:00+08:00"}""", "count")]
    [InlineData("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00","on":"01/12/2026"}""", "on")]
    [InlineData("""{"name":null,"count":1,"at":"2026-12-01T10:00:00+08:00"}""", "name")]
    public async Task A_value_of_the_wrong_type_is_422_naming_the_field(string body, string field)
    {
        var problem = await HttpAssert.Problem(await PostEcho(body), HttpStatusCode.UnprocessableEntity,
            field == "on" ? "invalid-date" : "invalid-value");
        Assert.Equal(field, problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_property_name_in_another_case_does_not_bind_to_the_contract_name()
    {
        // Only the contract's camelCase names bind; "NAME" is an unknown member and is ignored.
        var echoed = await HttpAssert.Json(await PostEcho("""{"name":"n","NAME":"ghost","count":2,"at":"2026-12-01T10:00:00+08:00"}"""));
        Assert.Equal("n", echoed.GetProperty("name").GetString());
        echoed = await HttpAssert.Json(await PostEcho("""{"NAME":"ghost","name":"n","Count":7,"count":2,"at":"2026-12-01T10:00:00+08:00"}"""));
        Assert.Equal("n", echoed.GetProperty("name").GetString());
        Assert.Equal(2, echoed.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("""{"name":"n","name":"ghost","count":1,"at":"2026-12-01T10:00:00+08:00"}""", "name")]
    [InlineData("""{"name":"n","count":1,"count":2,"at":"2026-12-01T10:00:00+08:00"}""", "count")]
    [InlineData("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00","extra":{"a":1,"a":2}}""", "extra.a")]
    [InlineData("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00","list":[{"b":1},{"b":1,"b":2}]}""", "list[1].b")]
    public async Task A_duplicate_property_is_422_naming_it(string body, string field)
    {
        var problem = await HttpAssert.Problem(await PostEcho(body), HttpStatusCode.UnprocessableEntity, "duplicate-property");
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Equal("duplicate-property", error.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("application/json")]
    public async Task A_json_body_in_utf8_or_without_charset_is_read(string contentType)
        => await HttpAssert.Json(await PostEcho("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""", contentType));

    [Theory]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=gbk")]
    [InlineData("application/problem+json; charset=latin1")]
    public async Task A_json_body_declared_in_another_charset_is_415(string contentType)
        => await HttpAssert.Problem(await PostEcho("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""", contentType),
            HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("gzip, identity")]
    public async Task A_content_encoding_other_than_identity_is_415(string encoding)
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/test/echo")
        {
            Content = new StringContent("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""", Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.UnsupportedMediaType, "unsupported-content-encoding");
    }

    [Fact]
    public async Task Content_encoding_identity_is_read()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/test/echo")
        {
            Content = new StringContent("""{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""", Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "identity");
        await HttpAssert.Json(await http.SendAsync(request));
    }

    [Fact]
    public async Task A_json_array_or_scalar_instead_of_an_object_is_422()
        => Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostEcho("[1,2]")).StatusCode);

    [Fact]
    public async Task An_unknown_route_is_404_problem()
    {
        using var http = _factory.CreateDefaultClient();
        await HttpAssert.Problem(await http.GetAsync("/api/no/such/route"), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_wrong_method_is_405_problem()
    {
        using var http = _factory.CreateDefaultClient();
        await HttpAssert.Problem(await http.DeleteAsync("/api/health"), HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Theory]
    [InlineData("msg/with/slash")]
    [InlineData("msg#hash")]
    public async Task An_unusable_webhook_id_is_400(string id)
    {
        using var http = _factory.CreateDefaultClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/clients/me");
        SigningHandler.Sign(request, TestClients.Seller.Id, TestClients.Seller.Secret, id, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), []);
        await HttpAssert.Problem(await http.SendAsync(request), HttpStatusCode.BadRequest, "invalid-webhook-id");
    }
}
