using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>DSP-3/DSP-4: instructions racing the cutoff sweep for the same orders end in exactly one outcome each (ETag).</summary>
[Collection(QueueCollection.Name)]
public sealed class CutoffRaceTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    [Fact]
    public async Task DSP_4_1000_orders_racing_instruction_and_sweep_each_end_in_one_state_with_one_matching_event()
    {
        const int count = 1000;
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var ids = Enumerable.Range(0, count).Select(i => $"ORD-race-{i:D4}").ToList();
        var intake = Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) => await SubmittedAsync(platform, Body(id, Created)));
        while (!intake.IsCompleted)
        {
            // Intakes of one seller race for its DSP-5 counter rows (their retry pauses are wall-clock time since session s15).
            clock.Advance(TimeSpan.FromMilliseconds(2));
            await Task.WhenAny(intake, Task.Delay(10));
        }

        await intake;

        // The hub's clock for instructions is before the deadline (on time); the sweep's is just past it (due).
        // Both write under the order's ETag: whichever commits first decides, the other re-reads.
        var deadline = Created.AddHours(2);
        clock.SetUtcNow(deadline.AddSeconds(-30));
        var sweepClock = new FakeTimeProvider(deadline.AddSeconds(1));
        var sweepOrders = ActivatorUtilities.CreateInstance<OrderHandler>(factory.Services, sweepClock);
        var sweep = ActivatorUtilities.CreateInstance<CutoffSweep>(factory.Services, sweepOrders, (TimeProvider)sweepClock);

        var answers = new ConcurrentDictionary<string, (HttpStatusCode Status, string? Code)>();
        var instructing = Parallel.ForEachAsync(ids.OrderBy(id => Random.Shared.Next()), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) =>
        {
            var response = await InstructAsync(seller, id, "INS-" + id);
            var text = await response.Content.ReadAsStringAsync();
            answers[id] = (response.StatusCode, response.StatusCode == HttpStatusCode.Created ? null : JsonDocument.Parse(text).RootElement.GetProperty("code").GetString());
        });
        var sweeping = Task.WhenAll(Enumerable.Range(0, DeadlineIndex.DefaultShardCount)
            .Select(s => sweep.SweepBucketAsync(new CutoffMessage(DeadlineIndex.Key(deadline, s), "race"), CancellationToken.None)));
        var all = Task.WhenAll(instructing, sweeping);
        while (!all.IsCompleted)
        {
            // Domain time passes while the race runs, slower than real time (retry pauses are wall-clock time since session s15).
            clock.Advance(TimeSpan.FromMilliseconds(2));
            await Task.WhenAny(all, Task.Delay(10));
        }

        await all;
        var reports = await sweeping;

        var events = new Dictionary<string, List<string>>();
        foreach (var table in new[] { factory.Names.OrdersTable, factory.Names.OrderOutcomesTable })
        {
            // Pending events as the relay counts them: a losing commit's intent (its outcome insert conflicted) is not one.
            foreach (var e in await PendingEvents.InAsync(factory.Names, table))
            {
                // By the event's order (an outcomes partition holds the outcomes of all the orders filed under one index key).
                var orderId = e.Subject!["orders/".Length..];
                (events.TryGetValue(orderId, out var list) ? list : events[orderId] = []).Add(e.Type);
            }
        }

        var store = factory.Services.GetRequiredService<IOrderStore>();
        int instructed = 0, converted = 0;
        foreach (var id in ids)
        {
            var order = (await store.FindAsync(id, CancellationToken.None))!.Order;
            var types = events[id].Order(StringComparer.Ordinal).ToList();
            if (order.Status == OrderStatus.Instructed)
            {
                instructed++;
                Assert.Equal((HttpStatusCode.Created, (string?)null), answers[id]);
                Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], types);
            }
            else
            {
                converted++;
                Assert.Equal(OrderStatus.Converted, order.Status);
                Assert.Equal(HttpStatusCode.Conflict, answers[id].Status);
                Assert.Contains(answers[id].Code, new[] { OrderCodes.Converted, OrderCodes.InstructionLate });
                Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], types);
            }
        }

        Assert.Equal(converted, reports.Sum(r => r.Converted));
        Assert.Equal(count, instructed + converted);
        output.WriteLine($"instruction won {instructed}, sweep won {converted}");
    }
}
