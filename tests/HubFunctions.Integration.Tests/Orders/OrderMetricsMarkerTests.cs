using System.Net;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// DSP-5 counting with insert-only markers per order and contribution: the blind commit (markers inserted or asserted
/// without reading them) and its fallback when a marker is not as the caller expected.
/// </summary>
public sealed class OrderMetricsMarkerTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static Order Open(string orderId, bool premium = false)
        => new(orderId, "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], premium, Created.AddMinutes(1), OrderStatus.Open, null, null, null);

    private static async Task<(long Orders, long OnTime, long Conversions, long Premium)> CountersAsync(ISellerMetricsStore metrics)
    {
        var m = await metrics.ReadAsync("demo-seller", CalendarMonth.Of(new DateOnly(2026, 12, 1)), CancellationToken.None);
        return (m.Orders, m.OnTimeInstructions, m.Conversions, m.PremiumPoolOrders);
    }

    private static async Task<List<string>> MarkersAsync(StorageNames names)
        => [.. (await TableSnapshot.EntitiesAsync(names.OrderMetricsTable, TableSellerMetricsStore.Partition("demo-seller", CalendarMonth.Of(new DateOnly(2026, 12, 1)))))
            .Select(e => e.RowKey).Where(r => r.StartsWith(TableSellerMetricsStore.MarkerPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    /// <summary>Conflicts pause on the fake clock before their retry (OptimisticRetry): move it while counting.</summary>
    private static async Task Counting(FakeTimeProvider clock, Task counting) => await clock.WhileTimePassesAsync(Done(counting));

    private static async Task<bool> Done(Task task)
    {
        await task;
        return true;
    }

    [Fact]
    public async Task DSP_5_a_marker_not_as_expected_makes_the_blind_commit_fail_and_the_fallback_counts_each_contribution_once()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:MetricShards"] = "1" });
        await SeedAsync(factory);
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        var (a, b, c, d) = (Open("ORD-mk-a", premium: true), Open("ORD-mk-b"), Open("ORD-mk-c"), Open("ORD-mk-d"));
        await Counting(clock, Task.WhenAll(new[] { a, b, c }.Select(o => metrics.CountNewAsync(o, CancellationToken.None))));
        await Counting(clock, metrics.CountAsync([a with { Status = OrderStatus.Instructed }], new HashSet<string> { a.OrderId }, CancellationToken.None));
        Assert.Equal((3L, 1L, 0L, 1L), await CountersAsync(metrics));

        // One group (one shard row), every expectation wrong but one: A's instruction is counted already (its blind insert
        // conflicts), B converted "now" (right), C converted but not hinted (its asserted marker is missing), D never counted at
        // all (its asserted received marker is missing). The blind commit fails as a whole; the fallback adds what is missing.
        List<Order> sweep = [a with { Status = OrderStatus.Instructed }, b with { Status = OrderStatus.Converted }, c with { Status = OrderStatus.Converted }, d with { Status = OrderStatus.Converted }];
        var hint = new HashSet<string> { a.OrderId, b.OrderId, d.OrderId };
        await Counting(clock, metrics.CountAsync(sweep, hint, CancellationToken.None));
        Assert.Equal((4L, 1L, 3L, 1L), await CountersAsync(metrics));

        // Again (a redelivered message), with and without the hint, and the intake's "new" counting of A once more: nothing.
        await Counting(clock, metrics.CountAsync(sweep, hint, CancellationToken.None));
        await Counting(clock, metrics.CountAsync(sweep, CancellationToken.None));
        await Counting(clock, metrics.CountNewAsync(a, CancellationToken.None));
        Assert.Equal((4L, 1L, 3L, 1L), await CountersAsync(metrics));
        Assert.Equal(
            ["order|ORD-mk-a|instructed", "order|ORD-mk-a|received", "order|ORD-mk-b|converted", "order|ORD-mk-b|received", "order|ORD-mk-c|converted", "order|ORD-mk-c|received", "order|ORD-mk-d|converted", "order|ORD-mk-d|received"],
            await MarkersAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_5_an_instruction_whose_counting_answer_was_lost_and_a_retried_operation_count_once()
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseResponses(names.OrderMetricsTable);
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, names: names, services: s => s.AddSingleton<StorageClientPolicy>(fault));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-mk-lost", Created));
        var metrics = factory.Services.GetRequiredService<ISellerMetricsStore>();
        Assert.Equal((1L, 0L, 0L, 0L), await CountersAsync(metrics));

        // The counters' commit of the instruction (gathered, then committed by the flusher or by the read's flush) lands, its
        // answer is lost: the SDK sends it again, which meets its own markers (409) and is recognised by its stamp. Counted
        // once; the same instruction again counts nothing either.
        fault.Arm(batches: 1);
        await HttpAssert.Json(await InstructAsync(seller, "ORD-mk-lost", "INS-LOST"), HttpStatusCode.Created);
        Assert.Equal((1L, 1L, 0L, 0L), await CountersAsync(metrics));
        Assert.Equal(1, fault.LostBatches);
        await HttpAssert.Json(await InstructAsync(seller, "ORD-mk-lost", "INS-LOST"), HttpStatusCode.Created);
        Assert.Equal((1L, 1L, 0L, 0L), await CountersAsync(metrics));

        // A whole operation run again after an answer that never came (the same key: the same commit stamps), and another
        // operation expecting the same contribution new: each meets the markers and counts nothing.
        var order = Open("ORD-mk-retried") with { Status = OrderStatus.Converted };
        for (var i = 0; i < 2; i++)
        {
            using (HubOperation.Begin("order-cutoff/run-1/ORD-mk-retried"))
            {
                await Counting(clock, metrics.CountNewAsync(order, CancellationToken.None));
            }
        }

        using (HubOperation.Begin("order-cutoff/run-2/ORD-mk-retried"))
        {
            await Counting(clock, metrics.CountAsync([order], new HashSet<string> { order.OrderId }, CancellationToken.None));
        }

        Assert.Equal((2L, 1L, 1L, 0L), await CountersAsync(metrics));
    }
}
