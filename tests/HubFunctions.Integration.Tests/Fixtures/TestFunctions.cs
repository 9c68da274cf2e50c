using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using HubFunctions.Core.Access;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The names the test functions use (settings <c>Test:*</c>), unique to each DevHost a test starts,
/// so no two tests share a table or a queue.
/// </summary>
public sealed record TestFunctionNames(string CounterTable, string FailingQueue, string RecordingQueue)
{
    public static TestFunctionNames Unique()
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        return new("testcounters" + tag, "test-always-fails-" + tag, "test-records-" + tag);
    }

    public IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        yield return new("Test:CounterTable", CounterTable);
        yield return new("Test:FailingQueue", FailingQueue);
        yield return new("Test:RecordingQueue", RecordingQueue);
    }
}

/// <summary>What the test functions of one DevHost observed; a singleton of that host, never shared between tests.</summary>
public sealed class TestFunctionState
{
    /// <summary>Attempts per message text on the failing queue.</summary>
    public ConcurrentDictionary<string, int> FailingAttempts { get; } = new();

    /// <summary>Messages seen on the recording queue.</summary>
    public ConcurrentQueue<string> Recorded { get; } = new();

    /// <summary>When the test timer fired, by the host's clock.</summary>
    public ConcurrentQueue<(DateTimeOffset At, TimerInfo Info)> TimerRuns { get; } = new();
}

/// <summary>
/// Test-only functions the DevHost loads from this assembly (DevHost:Assemblies). They exercise the
/// host mechanics (pipeline, queues, timers) with effects a test can observe in its own
/// <see cref="TestFunctionState"/> and its own tables and queues (<see cref="TestFunctionNames"/>).
/// </summary>
public sealed class TestFunctions(HubStorage storage, TimeProvider clock, TestFunctionState state, IConfiguration configuration)
{

    /// <summary>Increments a counter in Table Storage (a mutating request with a visible effect).</summary>
    [Function("TestCounterIncrement")]
    public async Task<IActionResult> Increment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/counters/{name}")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(configuration["Test:CounterTable"]!, cancellationToken);
        while (true)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>("c", name, cancellationToken: cancellationToken);
            var value = (existing.HasValue ? existing.Value!.GetInt32("Value") ?? 0 : 0) + 1;
            var entity = new TableEntity("c", name) { ["Value"] = value };
            try
            {
                if (existing.HasValue)
                {
                    await table.UpdateEntityAsync(entity, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.AddEntityAsync(entity, cancellationToken);
                }

                return HubResults.Created(new { name, value, caller = request.GetCaller().ClientId }, $"/api/test/counters/{name}");
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Lost the race: read again.
            }
        }
    }

    /// <summary>Increments, then loses the caller (as a sender that timed out and hung up would).</summary>
    [Function("TestIncrementThenHangUp")]
    public async Task<IActionResult> IncrementThenHangUp(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/counters/{name}/hang-up")] HttpRequest request,
        string name,
        CancellationToken cancellationToken)
    {
        var result = await Increment(request, name, cancellationToken);
        request.HttpContext.Abort();
        return result;
    }

    public sealed record EchoRequest(string Name, int Count, DateTimeOffset At, DateOnly? On);

    /// <summary>Reads a JSON body through the shared reader and echoes it.</summary>
    [Function("TestEcho")]
    public async Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/echo")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<EchoRequest>(cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        return HubResults.Ok(body.Value!);
    }

    /// <summary>
    /// Answers about 5 MB of JSON derived from the request body (a SHA-256 chain in hex, so it does
    /// not compress below the idempotency table's limit): a response too large for a table entry.
    /// </summary>
    [Function("TestLargeResponse")]
    public async Task<IActionResult> LargeResponse(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/large")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        var hash = System.Security.Cryptography.SHA256.HashData(buffer.ToArray());
        var chunks = new string[80_000];
        for (var i = 0; i < chunks.Length; i++)
        {
            hash = System.Security.Cryptography.SHA256.HashData(hash);
            chunks[i] = Convert.ToHexString(hash);
        }

        return HubResults.Created(new { chunks }, "/api/test/large/1");
    }

    [Function("TestReviewerOnly")]
    [AllowRoles(HubRole.Reviewer)]
    public IActionResult ReviewerOnly([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/reviewer-only")] HttpRequest request)
        => HubResults.Ok(new { ok = true });

    [Function("TestThrows")]
    public IActionResult Throws([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "test/throws")] HttpRequest request)
        => throw new InvalidOperationException("secret internals: table=xyz key=abc");

    [Function("TestAlwaysFails")]
    public void AlwaysFails([QueueTrigger("%Test:FailingQueue%")] string message)
    {
        state.FailingAttempts.AddOrUpdate(message, 1, (_, n) => n + 1);
        throw new InvalidOperationException($"always fails: {message}");
    }

    [Function("TestRecords")]
    public void Records([QueueTrigger("%Test:RecordingQueue%")] string message) => state.Recorded.Enqueue(message);

    [Function("TestTimer")]
    public void Timer([TimerTrigger("0 */5 * * * *")] TimerInfo timer) => state.TimerRuns.Enqueue((clock.GetUtcNow(), timer));
}
