using System.Net;
using System.Text;
using System.Text.Json;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The DevHost's admin API (<c>POST /admin/functions/{name}</c>) on bad input and failing runs.</summary>
public sealed class AdminEndpointTests : IClassFixture<AdminEndpointTests.Host>
{
    public sealed class Host : IDisposable
    {
        public DevHostFactory Factory { get; } = new();

        public void Dispose() => Factory.Dispose();
    }

    private readonly DevHostFactory _factory;

    public AdminEndpointTests(Host host) => _factory = host.Factory;

    private async Task<HttpResponseMessage> Run(string function, string body)
    {
        using var http = _factory.CreateDefaultClient();
        return await http.PostAsync($"/admin/functions/{function}", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("{\"input\":5}")]
    [InlineData("{\"input\":{\"a\":1}}")]
    [InlineData("{\"input\":null}")]
    public async Task A_body_that_is_not_an_object_with_a_string_input_is_400(string body)
        => await HttpAssert.Problem(await Run("TestRecords", body), HttpStatusCode.BadRequest, "bad-request");

    [Theory]
    [InlineData("{\"input\":")]
    [InlineData("not json")]
    public async Task A_body_that_is_not_json_is_400(string body)
        => await HttpAssert.Problem(await Run("TestRecords", body), HttpStatusCode.BadRequest, "malformed-json");

    [Fact]
    public async Task A_failing_run_answers_a_problem_without_exception_names_and_logs_the_details()
    {
        var message = TestStorage.Unique("admin-fails-");
        var response = await Run("TestAlwaysFails", JsonSerializer.Serialize(new { input = message }));
        var problem = await HttpAssert.Problem(response, HttpStatusCode.InternalServerError, "internal-error");
        var text = problem.GetRawText();
        Assert.DoesNotContain("InvalidOperationException", text);
        Assert.DoesNotContain("always fails", text);
        var correlationId = problem.GetProperty("correlationId").GetString();
        Assert.False(string.IsNullOrEmpty(correlationId));
        Assert.Contains(_factory.Logs, l => l.Level == LogLevel.Error && l.Message.Contains("TestAlwaysFails") && l.Message.Contains(correlationId!));
    }

    [Fact]
    public async Task A_relay_pointer_naming_a_table_that_does_not_exist_creates_no_table()
    {
        var table = TestStorage.Unique("probe");
        var pointer = JsonSerializer.Serialize(new { table, partitionKey = "p", eventId = "e1", intentPartition = "202611280000" });
        var response = await Run("RelayOutbox", JsonSerializer.Serialize(new { input = pointer }));
        // Treated as a missing outbox row: the run succeeds, nothing is published or created.
        var body = await HttpAssert.Json(response, HttpStatusCode.Accepted);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var tables = TestStorage.Tables();
        var found = new List<string>();
        await foreach (var t in tables.QueryAsync(x => x.Name == table))
        {
            found.Add(t.Name);
        }

        Assert.Empty(found);
    }

    [Theory]
    [InlineData("bad-table!")]
    [InlineData("x")]
    [InlineData("tables")]
    [InlineData("../idempotency")]
    public async Task A_relay_pointer_with_an_invalid_table_name_is_refused_without_internals(string table)
    {
        var pointer = JsonSerializer.Serialize(new { table, partitionKey = "p", eventId = "e1", intentPartition = "202611280000" });
        var response = await Run("RelayOutbox", JsonSerializer.Serialize(new { input = pointer }));
        var problem = await HttpAssert.Problem(response, HttpStatusCode.InternalServerError, "internal-error");
        Assert.DoesNotContain("Exception", problem.GetRawText());
        Assert.DoesNotContain(table, problem.GetRawText());
    }
}
