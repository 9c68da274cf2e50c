using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The DevHost's queue trigger keeps the Functions host's semantics (ARCHITECTURE.md, "The DevHost").</summary>
[Collection(QueueCollection.Name)]
public sealed class QueueTriggerTests
{
    private static async Task<List<string>> WaitForPoisonAsync(string queue, int count, TimeSpan timeout)
    {
        var poison = TestStorage.RawQueue(queue + "-poison");
        await poison.CreateIfNotExistsAsync();
        var found = new List<string>();
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until && found.Count < count)
        {
            foreach (var m in (await poison.ReceiveMessagesAsync(32)).Value)
            {
                found.Add(m.Body.ToString());
                await poison.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }

            await Task.Delay(100);
        }

        return found;
    }

    [Fact]
    public async Task A_message_that_always_fails_lands_in_poison_after_exactly_five_attempts()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["TestAlwaysFails"]);
        _ = factory.Server;
        var text = TestStorage.Unique("fail-");
        var queue = TestStorage.Queue(factory.TestNames.FailingQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(text);

        var poisoned = await WaitForPoisonAsync(factory.TestNames.FailingQueue, 1, TimeSpan.FromSeconds(60));

        var raw = Assert.Single(poisoned);
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(raw)));
        await Task.Delay(1000); // nothing more may run after poisoning
        Assert.Equal(5, factory.TestState.FailingAttempts[text]);
        Assert.DoesNotContain((await queue.PeekMessagesAsync(32)).Value, m => m.Body.ToString() == text);
    }

    [Fact]
    public async Task A_plain_text_message_goes_to_poison_at_once_with_a_logged_reason()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["TestAlwaysFails"]);
        _ = factory.Server;
        var text = "plain text, not base64! " + Guid.NewGuid();
        var raw = TestStorage.RawQueue(factory.TestNames.FailingQueue);
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync(text);

        var poisoned = await WaitForPoisonAsync(factory.TestNames.FailingQueue, 1, TimeSpan.FromSeconds(30));

        Assert.Equal(text, Assert.Single(poisoned));
        Assert.False(factory.TestState.FailingAttempts.ContainsKey(text));
        Assert.Contains(factory.Logs, l => l.Level == LogLevel.Error && l.Message.Contains("not valid base64", StringComparison.Ordinal)
            && l.Message.Contains(factory.TestNames.FailingQueue + "-poison", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_good_message_runs_once_and_leaves_the_queue()
    {
        using var factory = new DevHostFactory(listeners: true, functions: ["TestRecords"]);
        _ = factory.Server;
        var text = TestStorage.Unique("hello-") + " 你好";
        var queue = TestStorage.Queue(factory.TestNames.RecordingQueue);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(text);

        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until && !factory.TestState.Recorded.Contains(text))
        {
            await Task.Delay(100);
        }

        Assert.Single(factory.TestState.Recorded, m => m == text);
        await Task.Delay(500);
        Assert.Single(factory.TestState.Recorded, m => m == text);
        Assert.DoesNotContain((await queue.PeekMessagesAsync(32)).Value, m => m.Body.ToString() == text);
    }

    [Fact]
    public async Task The_admin_endpoint_runs_a_queue_function_with_the_given_input()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateDefaultClient();
        var text = TestStorage.Unique("admin-");
        var response = await http.PostAsync("/admin/functions/TestRecords",
            new StringContent($$"""{"input":"{{text}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await HttpAssert.Json(response, System.Net.HttpStatusCode.Accepted);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Contains(text, factory.TestState.Recorded);
    }
}
