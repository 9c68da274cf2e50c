using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Common;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>Intake, reading and dispatch instructions through the DevHost on Azurite, under a fake clock.</summary>
public sealed class OrderApiTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    [Fact]
    public async Task DSP_2_an_instruction_at_1h59m59s_is_on_time_and_at_2h00m01s_is_refused_DSP_4_after_the_sweep_converted()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var onTime = await SubmittedAsync(platform, Body("ORD-ontime", Created));
        await SubmittedAsync(platform, Body("ORD-late", Created));
        Assert.Equal(("open", "hub"), (onTime.GetProperty("status").GetString(), onTime.GetProperty("path").GetString()));
        Assert.Equal(Created.AddHours(2), onTime.GetProperty("dispatchDeadline").GetDateTimeOffset());

        clock.SetUtcNow(Created + new TimeSpan(1, 59, 59));
        var instructed = await HttpAssert.Json(await InstructAsync(seller, "ORD-ontime", "INS-1"), HttpStatusCode.Created);
        Assert.Equal(("instructed", "hub", "INS-1"), (instructed.GetProperty("status").GetString(), instructed.GetProperty("path").GetString(), instructed.GetProperty("instructionId").GetString()));
        await RunSweepAsync(factory);
        Assert.Equal("open", await StatusAsync(seller, "ORD-late"));

        clock.SetUtcNow(Created + new TimeSpan(2, 0, 1));
        await RunSweepAsync(factory);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-late"));
        var refused = await HttpAssert.Problem(await InstructAsync(seller, "ORD-late", "INS-2"), HttpStatusCode.Conflict, OrderCodes.Converted);
        Assert.Equal("non-hub", refused.GetProperty("path").GetString());
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-ontime"));
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-ontime"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-late"));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_4_instructions_are_idempotent_per_instructionId_and_a_second_id_is_a_conflict()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(5));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var wms = factory.CreateSignedClient(TestClients.Wms);
        await SubmittedAsync(platform, Body("ORD-idem", Created));
        await HttpAssert.Json(await InstructAsync(wms, "ORD-idem", "INS-A"), HttpStatusCode.Created);
        clock.Advance(TimeSpan.FromHours(3)); // a retry after the deadline is still answered as before
        var again = await HttpAssert.Json(await InstructAsync(wms, "ORD-idem", "INS-A"), HttpStatusCode.Created);
        Assert.Equal("INS-A", again.GetProperty("instructionId").GetString());
        await HttpAssert.Problem(await InstructAsync(wms, "ORD-idem", "INS-B"), HttpStatusCode.Conflict, OrderCodes.AlreadyInstructed);
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-idem"));
    }

    [Fact]
    public async Task DSP_1_a_repeated_orderId_with_the_same_body_is_answered_as_before_and_with_another_body_is_409()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Created.AddMinutes(1)));
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var first = await SubmittedAsync(platform, Body("ORD-dup", Created));
        var sameInstantOtherOffset = Body("ORD-dup", Created);
        sameInstantOtherOffset["createdAt"] = Created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var second = await SubmittedAsync(platform, sameInstantOtherOffset);
        Assert.Equal(first.GetProperty("receivedAt").GetString(), second.GetProperty("receivedAt").GetString());
        await HttpAssert.Problem(await SubmitAsync(platform, Body("ORD-dup", Created.AddMinutes(-1))), HttpStatusCode.Conflict, OrderCodes.DifferentBody);
        Assert.Equal([OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-dup"));
    }

    [Fact]
    public async Task DSP_3_an_order_already_past_its_deadline_at_intake_is_converted_in_the_same_commit()
    {
        var receivedAt = Created.AddHours(3);
        var clock = new FakeTimeProvider(receivedAt);
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var order = await SubmittedAsync(platform, Body("ORD-old", Created));
        Assert.Equal(("converted", "non-hub"), (order.GetProperty("status").GetString(), order.GetProperty("path").GetString()));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-old"));

        // Its index row, in the intake's own minute (DSP-5: the sweep re-checks its counting), is only removed by the sweep: nothing converts twice.
        Assert.Equal([$"{DeadlineIndex.KeyOf("ORD-old", receivedAt, DeadlineIndex.DefaultShardCount)}/ORD-old"], await IndexRowsAsync(factory.Names));
        clock.SetUtcNow(receivedAt.AddMinutes(1).AddSeconds(5));
        await RunSweepAsync(factory);
        Assert.Empty(await IndexRowsAsync(factory.Names));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-old"));
    }

    [Fact]
    public async Task DSP_6_a_frozen_sellers_instruction_is_403_CMP_3_and_its_order_converts_at_the_deadline()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        var frozen = TestSellers.Make("demo-seller") with
        {
            Status = SellerStatus.Frozen,
            FreezeReasons = [FreezeReason.TaxRatingDropped(TaxRating.C)],
        };
        await SeedAsync(factory, frozen);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-frozen", Created));
        var problem = await HttpAssert.Problem(await InstructAsync(seller, "ORD-frozen", "INS-F"), HttpStatusCode.Forbidden, "CMP-3");
        Assert.Equal("tax-rating", problem.GetProperty("freezeReasons")[0].GetProperty("rule").GetString());
        Assert.Equal("open", await StatusAsync(seller, "ORD-frozen"));
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(30));
        await RunSweepAsync(factory);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-frozen"));
    }

    [Fact]
    public async Task DSP_3_the_order_row_is_written_once_at_intake_and_instruction_or_conversion_is_an_insert_only_outcome_row_with_its_events()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-out-ins", Created));
        await SubmittedAsync(platform, Body("ORD-out-conv", Created));
        var orders = TestStorage.Tables().GetTableClient(factory.Names.OrdersTable);
        var outcomes = TestStorage.Tables().GetTableClient(factory.Names.OrderOutcomesTable);
        var intakeTags = new Dictionary<string, Azure.ETag>();
        foreach (var id in new[] { "ORD-out-ins", "ORD-out-conv" })
        {
            intakeTags[id] = (await orders.GetEntityAsync<TableEntity>(id, TableOrderStore.OrderRowKey(id))).Value.ETag;
        }

        await HttpAssert.Json(await InstructAsync(seller, "ORD-out-ins", "INS-O"), HttpStatusCode.Created);
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(30));
        await RunSweepAsync(factory);

        foreach (var (id, status, type) in new[] { ("ORD-out-ins", "instructed", OrderEvents.Instructed), ("ORD-out-conv", "converted", OrderEvents.ConvertedToNonHub) })
        {
            Assert.Equal(status, await StatusAsync(seller, id));
            // The order row is the intake's, untouched; beside it only the intake's event.
            var row = (await orders.GetEntityAsync<TableEntity>(id, TableOrderStore.OrderRowKey(id))).Value;
            Assert.Equal((intakeTags[id], "open"), (row.ETag, row.GetString("Status")));
            Assert.Equal([OrderEvents.Received], await PendingTypesAsync(factory.Names, factory.Names.OrdersTable, id));
            // The outcome and its event are in the outcomes table, in the partition of the order's index key (the order row says which).
            var partition = TableOrderStore.OutcomePartitionOf(row);
            var stored = (await factory.Services.GetRequiredService<IOrderStore>().FindAsync(id, CancellationToken.None))!;
            Assert.Equal((DeadlineIndex.IntakeKeyOf(stored.Order, stored.Order.ReceivedAt, DeadlineIndex.DefaultShardCount), partition), (partition, stored.OutcomePartition));
            Assert.Equal(status, (await outcomes.GetEntityAsync<TableEntity>(partition, TableOrderStore.OutcomeRowKey(id))).Value.GetString("Status"));
            Assert.Equal([type], await PendingTypesAsync(factory.Names, factory.Names.OrderOutcomesTable, partition, id));
        }

        // The store's contract: an order read without an outcome inserts one (a second insert conflicts); an outcome
        // is replaced only under the ETag it was read with.
        var store = factory.Services.GetRequiredService<IOrderStore>();
        var converted = (await store.FindAsync("ORD-out-conv", CancellationToken.None))!;
        var stale = converted with { ConcurrencyToken = TableOrderStore.NoOutcome };
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync(stale, converted.Order, [], CancellationToken.None));
        var later = converted.Order with { ConvertedAt = converted.Order.ConvertedAt!.Value.AddSeconds(1) };
        await store.UpdateAsync(converted, later, [], CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.UpdateAsync(converted, later, [], CancellationToken.None));
        var reread = (await store.FindAsync("ORD-out-conv", CancellationToken.None))!.Order;
        Assert.Equal((later.Status, later.ConvertedAt), (reread.Status, reread.ConvertedAt));
    }

    /// <summary>The events pending in the order's partition of the table (witnessed by its order or outcome row: no outbox rows).</summary>
    private static async Task<List<string>> PendingTypesAsync(StorageNames names, string table, string orderId)
        => await PendingTypesAsync(names, table, orderId, orderId);

    /// <summary>The events of <paramref name="orderId"/> pending in <paramref name="partition"/> of the table (an outcomes partition holds those of all the orders filed under its index key).</summary>
    private static async Task<List<string>> PendingTypesAsync(StorageNames names, string table, string partition, string orderId)
    {
        var pending = (await PendingEvents.InAsync(names, table, partition)).Where(e => e.Subject == "orders/" + orderId).ToList();
        Assert.All(pending, e => Assert.True(e.Witnessed));
        return [.. pending.Select(e => e.Type)];
    }
}
