using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>
/// The DevHost on a real Kestrel socket, for what the in-memory test server cannot show: requests
/// Kestrel refuses itself before the app runs, and transfer codings.
/// </summary>
public sealed class KestrelTests : IClassFixture<KestrelTests.Host>
{
    public sealed class Host : IDisposable
    {
        public Host()
        {
            Factory = new DevHostFactory();
            // Not UseKestrel(0): its port setting races the app's own Kestrel start (dotnet/aspnetcore#67714,
            // "Addresses cannot be modified after the server has started"); a Listen endpoint has no such step.
            Factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            Factory.StartServer();
            var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            Port = new Uri(address).Port;
        }

        public DevHostFactory Factory { get; }

        public int Port { get; }

        public void Dispose() => Factory.Dispose();
    }

    private readonly Host _host;

    public KestrelTests(Host host) => _host = host;

    private sealed record RawResponse(int Status, string Head, string Body);

    /// <summary>Sends bytes exactly as given and reads the answer until the server closes.</summary>
    private async Task<RawResponse> SendRawAsync(byte[] request)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _host.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request);
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var buffer = new byte[8192];
        int read;
        try
        {
            while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer (the server closed with unread input): keep what arrived.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"no HTTP answer: '{text}'");
        var head = text[..split];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = text[(split + 4)..];
        return new RawResponse(status, head, head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase) ? Dechunk(body) : body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (true)
        {
            var end = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..end], 16);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, end + 2, size);
            at = end + 2 + size + 2;
        }
    }

    private Task<RawResponse> SendRawAsync(string request) => SendRawAsync(Encoding.Latin1.GetBytes(request));

    private static string SignedHeaders(string id, string body)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = HubFunctions.Infrastructure.Security.WebhookSignature.Sign(
            HubFunctions.Infrastructure.Security.WebhookSignature.DecodeSecret(TestClients.Seller.Secret), id, now, Encoding.UTF8.GetBytes(body));
        return $"x-hub-client: {TestClients.Seller.Id}\r\nwebhook-id: {id}\r\nwebhook-timestamp: {now}\r\nwebhook-signature: {signature}\r\n";
    }

    private static void AssertProblem(RawResponse response, int status, string code)
    {
        Assert.True(response.Status == status, $"expected {status}: {response.Head}\n{response.Body}");
        Assert.Contains("application/problem+json", response.Head, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(code, JsonDocument.Parse(response.Body).RootElement.GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("gzip, chunked")]
    [InlineData("deflate, chunked")]
    [InlineData("chunked, chunked")]
    public async Task A_transfer_coding_other_than_chunked_is_501_problem(string transferEncoding)
    {
        const string body = """{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""";
        var id = TestStorage.Unique("msg_");
        var response = await SendRawAsync(
            $"POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n{SignedHeaders(id, body)}" +
            $"Transfer-Encoding: {transferEncoding}\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        AssertProblem(response, 501, "unsupported-transfer-coding");
    }

    [Fact]
    public async Task A_plain_chunked_body_is_read()
    {
        const string body = """{"name":"n","count":1,"at":"2026-12-01T10:00:00+08:00"}""";
        var id = TestStorage.Unique("msg_");
        var response = await SendRawAsync(
            $"POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n{SignedHeaders(id, body)}" +
            $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n");
        Assert.True(response.Status == 200, response.Head + "\n" + response.Body);
        Assert.Equal("n", JsonDocument.Parse(response.Body).RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_body_kestrel_cannot_read_after_the_app_started_gets_a_problem_body()
    {
        // Bad chunk framing is found while the pipeline reads the body: the app is running and answers.
        var id = TestStorage.Unique("msg_");
        var response = await SendRawAsync(
            $"POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n{SignedHeaders(id, "{}")}" +
            "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
        AssertProblem(response, 400, "bad-request");
    }

    /// <summary>
    /// Requests Kestrel refuses while parsing the request line and headers, before any middleware
    /// runs: Kestrel writes the status line itself with an empty body, and the app cannot add one.
    /// The README lists these ("Verified here, and not").
    /// </summary>
    [Theory]
    [InlineData("content-length", 400)]
    [InlineData("two-content-lengths", 400)]
    [InlineData("nul-in-header", 400)]
    [InlineData("nul-in-path", 400)]
    [InlineData("uri-too-long", 414)]
    [InlineData("headers-too-large", 431)]
    [InlineData("final-coding-not-chunked", 400)]
    public async Task Requests_kestrel_refuses_before_the_app_runs_get_its_status_with_an_empty_body(string kind, int status)
    {
        var request = kind switch
        {
            "content-length" => Encoding.Latin1.GetBytes("POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n{}"),
            "two-content-lengths" => Encoding.Latin1.GetBytes("POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
            "nul-in-header" => Encoding.Latin1.GetBytes("GET /api/health HTTP/1.1\r\nHost: localhost\r\nx-probe: a\0b\r\n\r\n"),
            "nul-in-path" => Encoding.Latin1.GetBytes("GET /api/health%00 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
            "uri-too-long" => Encoding.Latin1.GetBytes($"GET /api/{new string('a', 10_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n"),
            "headers-too-large" => Encoding.Latin1.GetBytes($"GET /api/health HTTP/1.1\r\nHost: localhost\r\n{string.Concat(Enumerable.Range(0, 8).Select(i => $"x-big-{i}: {new string('a', 5000)}\r\n"))}\r\n"),
            "final-coding-not-chunked" => Encoding.Latin1.GetBytes("POST /api/test/echo HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n{}"),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var response = await SendRawAsync(request);
        Assert.True(response.Status == status, $"{kind}: {response.Head}\n{response.Body}");
        Assert.Equal("", response.Body);
        Assert.Contains("Content-Length: 0", response.Head, StringComparison.OrdinalIgnoreCase);
    }
}
