using System.Net;
using HubFunctions.DevHost;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Hosting;

[Collection(QueueCollection.Name)]
public sealed class TimerTriggerTests
{
    [Fact]
    public async Task A_timer_fires_on_its_schedule_under_a_fake_clock()
    {
        var start = new DateTimeOffset(2026, 11, 26, 10, 2, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        using var factory = new DevHostFactory(listeners: true, clock: clock, functions: ["TestTimer"]);
        var timers = factory.Services.GetServices<IHostedService>().OfType<TimerTriggerService>().Single();

        async Task ArmedFor(DateTimeOffset due)
        {
            var until = DateTime.UtcNow.AddSeconds(10);
            while (!(timers.WaitingFor.TryGetValue("TestTimer", out var next) && next == due.UtcDateTime) && DateTime.UtcNow < until)
            {
                await Task.Delay(5);
            }

            Assert.Equal(due.UtcDateTime, timers.WaitingFor["TestTimer"]);
        }

        await ArmedFor(start.AddMinutes(3));

        // "0 */5 * * * *": due at 10:05:00 and 10:10:00. Step the clock 10 s at a time; after each
        // step that crosses a due time, wait (real time) for the run to be recorded.
        var due = new Queue<DateTimeOffset>([start.AddMinutes(3), start.AddMinutes(8)]);
        var runs = new List<(DateTimeOffset At, Microsoft.Azure.Functions.Worker.TimerInfo Info)>();
        for (var step = 0; step < 9 * 6; step++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            if (due.Count > 0 && clock.GetUtcNow() >= due.Peek())
            {
                var expected = due.Dequeue();
                var until = DateTime.UtcNow.AddSeconds(10);
                while (factory.TestState.TimerRuns.IsEmpty && DateTime.UtcNow < until)
                {
                    await Task.Delay(10);
                }

                Assert.True(factory.TestState.TimerRuns.TryDequeue(out var run), $"no run at {expected:HH:mm:ss}");
                runs.Add(run);
                Assert.Equal(expected.UtcDateTime.AddMinutes(5), run.Info.ScheduleStatus!.Next);
                await ArmedFor(expected.AddMinutes(5));
            }
            else
            {
                await Task.Delay(5);
                Assert.True(factory.TestState.TimerRuns.IsEmpty, $"a run at {clock.GetUtcNow():HH:mm:ss}, off schedule");
            }
        }

        Assert.Equal([start.AddMinutes(3), start.AddMinutes(8)], runs.Select(r => r.At));
        Assert.All(runs, r => Assert.False(r.Info.IsPastDue));
    }

    [Fact]
    public async Task A_timer_runs_now_via_the_admin_endpoint()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateDefaultClient();
        var before = factory.TestState.TimerRuns.Count;
        var response = await http.PostAsync("/admin/functions/TestTimer", null);
        var body = await HttpAssert.Json(response, HttpStatusCode.Accepted);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal(before + 1, factory.TestState.TimerRuns.Count);
    }

    [Fact]
    public async Task The_admin_endpoint_lists_functions_and_refuses_unknown_or_http_ones()
    {
        using var factory = new DevHostFactory();
        using var http = factory.CreateDefaultClient();
        var list = await HttpAssert.Json(await http.GetAsync("/admin/functions"));
        var purge = list.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "PurgeIdempotency");
        Assert.Equal("timerTrigger", purge.GetProperty("trigger").GetString());
        Assert.Equal("%Hub:Idempotency:PurgeSchedule%", purge.GetProperty("schedule").GetString());
        var health = list.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "Health");
        Assert.Equal("api/health", health.GetProperty("route").GetString());

        await HttpAssert.Problem(await http.PostAsync("/admin/functions/NoSuchFunction", null), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await http.PostAsync("/admin/functions/Health", null), HttpStatusCode.BadRequest, "bad-request");
    }
}
