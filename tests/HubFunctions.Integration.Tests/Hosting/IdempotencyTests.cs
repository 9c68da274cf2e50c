using System.Net;
using System.Text;
using Azure.Data.Tables;
using HubFunctions.Integration.Tests.Fixtures;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>API.md: a mutating request whose webhook-id was already processed returns the first outcome and changes nothing.</summary>
public sealed class IdempotencyTests : IClassFixture<IdempotencyTests.Host>
{
    public sealed class Host : IDisposable
    {
        public DevHostFactory Factory { get; } = new();

        public void Dispose() => Factory.Dispose();
    }

    private readonly DevHostFactory _factory;

    public IdempotencyTests(Host host) => _factory = host.Factory;

    private async Task<int?> CounterValue(string name)
    {
        var table = TestStorage.Tables().GetTableClient(_factory.TestNames.CounterTable);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>("c", name);
        return entity.HasValue ? entity.Value!.GetInt32("Value") : null;
    }

    /// <summary>A JSON POST carrying the given webhook-id (the signing handler signs it afresh each time).</summary>
    private static HttpRequestMessage Post(string path, string id, string body = "{}")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        return request;
    }

    private static HttpRequestMessage Increment(string name, string id, string body = "{}") => Post($"/api/test/counters/{name}", id, body);

    [Fact]
    public async Task A_replayed_webhook_id_returns_the_first_response_and_causes_no_second_effect()
    {
        var name = TestStorage.Unique("replay");
        var id = TestStorage.Unique("msg_");
        using var http = _factory.CreateSignedClient(TestClients.Seller);

        var first = await http.SendAsync(Increment(name, id));
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(1, await CounterValue(name));

        // The retry is signed afresh (new timestamp), as a sender's retry would be.
        await Task.Delay(1100);
        var replay = await http.SendAsync(Increment(name, id));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal(firstBody, await replay.Content.ReadAsStringAsync());
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        Assert.True(replay.Headers.TryGetValues("x-hub-idempotent-replay", out var flag) && flag.Single() == "true");
        Assert.Equal(1, await CounterValue(name));

        // A new message id is a new request.
        var second = await http.SendAsync(Increment(name, TestStorage.Unique("msg_")));
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(2, await CounterValue(name));
    }

    [Fact]
    public async Task A_sender_that_hung_up_after_the_effect_gets_the_first_outcome_on_retry_and_no_second_effect()
    {
        var name = TestStorage.Unique("hangup");
        var id = TestStorage.Unique("msg_");
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var path = $"/api/test/counters/{name}/hang-up";
        await Assert.ThrowsAnyAsync<Exception>(() => http.SendAsync(Post(path, id)));
        Assert.Equal(1, await CounterValue(name));

        HttpResponseMessage? replay = null;
        for (var i = 0; i < 50 && (replay is null || replay.StatusCode == HttpStatusCode.Conflict); i++)
        {
            // The outcome is recorded right after the hang-up; a retry racing it may see 409 first.
            await Task.Delay(100);
            replay = await http.SendAsync(Post(path, id));
        }

        Assert.Equal(HttpStatusCode.Created, replay!.StatusCode);
        Assert.True(replay.Headers.Contains("x-hub-idempotent-replay"));
        Assert.Equal(1, await CounterValue(name));
    }

    [Fact]
    public async Task A_response_larger_than_the_table_can_hold_replays_byte_for_byte()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var id = TestStorage.Unique("msg_");
        var body = $$"""{"seed":"{{id}}"}""";

        var first = await http.SendAsync(Post("/api/test/large", id, body));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBytes = await first.Content.ReadAsByteArrayAsync();
        Assert.True(firstBytes.Length > 5_000_000, $"the test response is {firstBytes.Length} bytes");

        var replay = await http.SendAsync(Post("/api/test/large", id, body));
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.True(replay.Headers.TryGetValues("x-hub-idempotent-replay", out var flag) && flag.Single() == "true");
        Assert.Equal(first.Content.Headers.ContentType, replay.Content.Headers.ContentType);
        Assert.Equal(first.Headers.Location, replay.Headers.Location);
        var replayBytes = await replay.Content.ReadAsByteArrayAsync();
        Assert.Equal(firstBytes.Length, replayBytes.Length);
        Assert.True(firstBytes.AsSpan().SequenceEqual(replayBytes), "the replayed body differs from the first");
    }

    [Fact]
    public async Task The_same_webhook_id_from_another_client_is_a_different_message()
    {
        var name = TestStorage.Unique("clients");
        var id = TestStorage.Unique("msg_");
        using var seller = _factory.CreateSignedClient(TestClients.Seller);
        using var platform = _factory.CreateSignedClient(TestClients.Platform);
        Assert.Equal(HttpStatusCode.Created, (await seller.SendAsync(Increment(name, id))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await platform.SendAsync(Increment(name, id))).StatusCode);
        Assert.Equal(2, await CounterValue(name));
    }

    [Fact]
    public async Task Reusing_a_webhook_id_for_a_different_body_is_refused_and_changes_nothing()
    {
        var name = TestStorage.Unique("reuse");
        var id = TestStorage.Unique("msg_");
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal(HttpStatusCode.Created, (await http.SendAsync(Increment(name, id, """{"a":1}"""))).StatusCode);
        await HttpAssert.Problem(await http.SendAsync(Increment(name, id, """{"a":2}""")), HttpStatusCode.UnprocessableEntity, "webhook-id-reused");
        Assert.Equal(1, await CounterValue(name));
    }

    [Fact]
    public async Task Concurrent_deliveries_of_one_message_take_effect_once()
    {
        var name = TestStorage.Unique("concurrent");
        var id = TestStorage.Unique("msg_");
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => http.SendAsync(Increment(name, id))));
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, r.StatusCode.ToString()));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await HttpAssert.Problem(conflict, HttpStatusCode.Conflict, "request-in-progress");
            Assert.True(conflict.Headers.RetryAfter is not null);
        }

        Assert.Equal(1, await CounterValue(name));
    }

    [Fact]
    public async Task A_failed_request_is_not_remembered_so_its_retry_runs_again()
    {
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var id = TestStorage.Unique("msg_");
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var response = await http.SendAsync(Post("/api/test/throws", id));
            await HttpAssert.Problem(response, HttpStatusCode.InternalServerError, "internal-error");
            Assert.False(response.Headers.Contains("x-hub-idempotent-replay"));
        }
    }

    [Fact]
    public async Task Refused_requests_are_remembered_too()
    {
        // A 4xx outcome is an outcome: the same message gets the same answer.
        using var http = _factory.CreateSignedClient(TestClients.Seller);
        var id = TestStorage.Unique("msg_");
        HttpRequestMessage Bad() => Post("/api/test/echo", id, """{"name":"x","count":1,"at":"2026-12-01T10:00:00"}""");

        var first = await http.SendAsync(Bad());
        await HttpAssert.Problem(first, HttpStatusCode.UnprocessableEntity, "timestamp-offset-required");
        var again = await http.SendAsync(Bad());
        await HttpAssert.Problem(again, HttpStatusCode.UnprocessableEntity, "timestamp-offset-required");
        Assert.True(again.Headers.Contains("x-hub-idempotent-replay"));
    }
}
