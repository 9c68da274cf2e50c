using System.Net;
using System.Text.Json;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// What a dispatch instruction reads (issue 11 (d)): the function reads the order row alone (SEC-2) and hands it to the handler,
/// which decides on it as if the order had no outcome. Accepted (an on-time first instruction): the outcome's insert is the check,
/// <b>no outcome read</b>; an outcome that exists makes the insert conflict, and it is read then. Any other decision is not
/// trusted on the order row alone: the outcome row is read once and the answer is the one the full state gives, as before.
/// </summary>
public sealed class InstructionReadTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static async Task<(int Orders, int Outcomes)> ReadsAsync(PointReadCounter reads, StorageNames names, string orderId)
        => (reads.Of(names.OrdersTable, orderId), reads.Of(names.OrderOutcomesTable, await OutcomePartitionAsync(names, orderId)));

    private static (string? Status, string? InstructionId, string? InstructedAt) Instruction(JsonElement order)
        => (order.GetProperty("status").GetString(), order.GetProperty("instructionId").GetString(), order.GetProperty("instructedAt").GetString());

    [Fact]
    public async Task DSP_2_an_on_time_first_instruction_reads_the_order_row_once_and_no_outcome_row()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = new DevHostFactory(clock: clock, services: s => s.AddSingleton<StorageClientPolicy>(reads));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-read-once", Created));

        reads.Reset();
        var answer = await HttpAssert.Json(await InstructAsync(seller, "ORD-read-once", "INS-1"), HttpStatusCode.Created);
        Assert.Equal((1, 0), await ReadsAsync(reads, factory.Names, "ORD-read-once"));
        Assert.Equal(Instruction(answer), Instruction(await HttpAssert.Json(await seller.GetAsync("/api/orders/ORD-read-once"))));
        Assert.Equal("instructed", answer.GetProperty("status").GetString());
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-read-once"));
    }

    [Fact]
    public async Task DSP_4_the_same_instructionId_again_on_time_conflicts_on_the_outcome_reads_it_and_is_answered_as_before()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = new DevHostFactory(clock: clock, services: s => s.AddSingleton<StorageClientPolicy>(reads));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-repeat", Created));
        var first = await HttpAssert.Json(await InstructAsync(seller, "ORD-repeat", "INS-1"), HttpStatusCode.Created);

        // Another webhook-id, later but still on time: decided "accepted" on the order row, so its outcome insert conflicts and the
        // outcome is read then: the same instruction, answered as before.
        clock.Advance(TimeSpan.FromMinutes(5));
        reads.Reset();
        var again = await HttpAssert.Json(await InstructAsync(seller, "ORD-repeat", "INS-1"), HttpStatusCode.Created);
        Assert.Equal(Instruction(first), Instruction(again));
        var (orders, outcomes) = await ReadsAsync(reads, factory.Names, "ORD-repeat");
        Assert.True(orders == 1 && outcomes > 0, $"{orders} order reads, {outcomes} outcome reads");

        // Another instructionId: 409 already-instructed, as before.
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-repeat", "INS-2"), HttpStatusCode.Conflict, OrderCodes.AlreadyInstructed);
        Assert.Equal(Instruction(first), Instruction(await HttpAssert.Json(await seller.GetAsync("/api/orders/ORD-repeat"))));
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-repeat"));
    }

    [Fact]
    public async Task DSP_4_instructions_not_accepted_on_the_order_row_alone_read_the_outcome_once_and_are_answered_as_before()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = new DevHostFactory(clock: clock, services: s => s.AddSingleton<StorageClientPolicy>(reads));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-late-repeat", Created));
        await SubmittedAsync(platform, Body("ORD-late", Created));
        await SubmittedAsync(platform, Body("ORD-swept", Created));
        var first = await HttpAssert.Json(await InstructAsync(seller, "ORD-late-repeat", "INS-1"), HttpStatusCode.Created);

        // After the deadline, before the sweep: the order row alone says "late" (DSP-2), which is not trusted without the outcome.
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(10));
        reads.Reset();
        var again = await HttpAssert.Json(await InstructAsync(seller, "ORD-late-repeat", "INS-1"), HttpStatusCode.Created);
        Assert.Equal(Instruction(first), Instruction(again));
        Assert.Equal((1, 1), await ReadsAsync(reads, factory.Names, "ORD-late-repeat"));

        reads.Reset();
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-late", "INS-2"), HttpStatusCode.Conflict, OrderCodes.InstructionLate);
        Assert.Equal((1, 1), await ReadsAsync(reads, factory.Names, "ORD-late"));

        // Converted by the sweep: the order row alone still says open (and late); the outcome says converted: 409 DSP-4.
        await RunSweepAsync(factory);
        reads.Reset();
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-swept", "INS-3"), HttpStatusCode.Conflict, OrderCodes.Converted);
        Assert.Equal((1, 1), await ReadsAsync(reads, factory.Names, "ORD-swept"));
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-late", "INS-2"), HttpStatusCode.Conflict, OrderCodes.Converted);

        Assert.Equal(("instructed", "converted", "converted"), (await StatusAsync(seller, "ORD-late-repeat"), await StatusAsync(seller, "ORD-late"), await StatusAsync(seller, "ORD-swept")));
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-late-repeat"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-swept"));
    }

    [Fact]
    public async Task DSP_4_an_instruction_on_time_by_the_hubs_clock_after_a_conversion_conflicts_reads_both_rows_and_is_refused_DSP_4()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var reads = new PointReadCounter();
        using var factory = new DevHostFactory(clock: clock, services: s => s.AddSingleton<StorageClientPolicy>(reads));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-skew", Created));

        // The sweep's clock just past the deadline converts the order; the instruction's clock is still before it (as in CutoffRaceTests).
        var deadline = Created.AddHours(2);
        clock.SetUtcNow(deadline.AddSeconds(-30));
        var sweepClock = new FakeTimeProvider(deadline.AddSeconds(1));
        var sweepOrders = ActivatorUtilities.CreateInstance<OrderHandler>(factory.Services, sweepClock);
        var sweep = ActivatorUtilities.CreateInstance<CutoffSweep>(factory.Services, sweepOrders, (TimeProvider)sweepClock);
        var report = await sweep.SweepBucketAsync(new CutoffMessage(DeadlineIndex.KeyOf("ORD-skew", deadline, DeadlineIndex.DefaultShardCount), "skew"), CancellationToken.None);
        Assert.Equal(1, report.Converted);

        reads.Reset();
        await HttpAssert.Problem(await InstructAsync(seller, "ORD-skew", "INS-1"), HttpStatusCode.Conflict, OrderCodes.Converted);
        var (orders, outcomes) = await ReadsAsync(reads, factory.Names, "ORD-skew");
        Assert.True(orders == 1 && outcomes > 0, $"{orders} order reads, {outcomes} outcome reads");
        Assert.Equal("converted", await StatusAsync(seller, "ORD-skew"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-skew"));
    }

    [Fact]
    public async Task DSP_4_an_instruction_retried_under_its_webhook_id_after_failing_past_its_commit_answers_what_its_first_attempt_stored()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        var lose = new LoseArmedCount();
        using var factory = new DevHostFactory(clock: clock, services: lose.Replace);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-retried", Created));

        // The first attempt commits the outcome, then fails (its counting is lost): 500, so the sender retries the same message.
        lose.Arm();
        Assert.Equal(HttpStatusCode.InternalServerError, (await seller.SendAsync(InstructionRequest("msg_insfirst_retry", "ORD-retried", "INS-1"))).StatusCode);
        var stored = await HttpAssert.Json(await seller.GetAsync("/api/orders/ORD-retried"));
        Assert.Equal("instructed", stored.GetProperty("status").GetString());

        // The retry, later, still on time: its outcome insert meets the first attempt's own commit (AlreadyCommitted). It answers
        // the instruction as stored (the first attempt's instant), and counts it once.
        clock.Advance(TimeSpan.FromSeconds(10));
        var retried = await HttpAssert.Json(await seller.SendAsync(InstructionRequest("msg_insfirst_retry", "ORD-retried", "INS-1")), HttpStatusCode.Created);
        Assert.Equal(Instruction(stored), Instruction(retried));
        var metrics = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"));
        Assert.Equal((1L, 1L), (metrics.GetProperty("orders").GetInt64(), metrics.GetProperty("onTimeInstructions").GetInt64()));
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-retried"));
    }
}
