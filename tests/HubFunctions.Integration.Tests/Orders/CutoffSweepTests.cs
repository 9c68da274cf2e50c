using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Infrastructure.Orders;
using HubFunctions.Integration.Tests.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>The cutoff sweep (DSP-3): catch-up from the checkpoint, overlapping and retried runs, index rows without an order.</summary>
public sealed class CutoffSweepTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    private static DevHostFactory Host(FakeTimeProvider clock)
        => new(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2" });

    [Fact]
    public async Task DSP_3_the_sweep_catches_up_after_missed_minutes_from_its_checkpoint()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(10));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        for (var i = 0; i < 10; i++)
        {
            await SubmittedAsync(platform, Body($"ORD-catch-{i}", Created.AddMinutes(i)));
        }

        clock.SetUtcNow(Created.AddMinutes(115));
        await RunSweepAsync(factory); // sets the checkpoint; nothing is due
        var checkpoint = await factory.Services.GetRequiredService<ISweepCheckpoint>().ReadAsync(CancellationToken.None);
        Assert.Equal(DeadlineIndex.Minute(Created.AddMinutes(114)), checkpoint.SweptThrough);

        // The timer missed every run for 20 minutes; the next run reads every minute since the checkpoint
        // (more than ProbeAfterMinutes: only the partitions that hold rows are queued).
        clock.SetUtcNow(Created.AddMinutes(135).AddSeconds(30));
        var messages = await RunSweepAsync(factory);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => DeadlineIndex.KeyOf($"ORD-catch-{i}", Created.AddMinutes(120 + i), 2)).Distinct().Count(), messages);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("converted", await StatusAsync(seller, $"ORD-catch-{i}"));
            Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, $"ORD-catch-{i}"));
        }

        Assert.Empty(await IndexRowsAsync(factory.Names));
        var after = await factory.Services.GetRequiredService<ISweepCheckpoint>().ReadAsync(CancellationToken.None);
        // 134 ended 30 s before the run, less than LateWriteGrace: read again by the next run.
        Assert.Equal(DeadlineIndex.Minute(Created.AddMinutes(133)), after.SweptThrough);
    }

    [Fact]
    public async Task DSP_3_an_order_received_seconds_before_its_deadline_is_converted_by_the_first_run_after_its_deadline()
    {
        // Deadline 12:00:50 (China); received at 12:00:40. Until session s15 its index row was filed a minute ahead of the
        // intake (12:01) and the runs of 12:00 passed it by: converted only by a run in 12:01, up to about 70 s after the deadline.
        var deadline = Created.AddHours(2).AddSeconds(50);
        var clock = new FakeTimeProvider(deadline.AddSeconds(-10));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        Assert.Equal("open", (await SubmittedAsync(platform, Body("ORD-late-intake", Created.AddSeconds(50)))).GetProperty("status").GetString());
        Assert.Equal([$"{DeadlineIndex.KeyOf("ORD-late-intake", deadline, 2)}/ORD-late-intake"], await IndexRowsAsync(factory.Names));

        clock.SetUtcNow(deadline.AddSeconds(5)); // the next run, still in the deadline's minute
        await RunSweepAsync(factory);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-late-intake"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-late-intake"));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_two_overlapping_sweeps_and_a_redelivered_message_convert_each_order_once()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var ids = Enumerable.Range(0, 40).Select(i => $"ORD-overlap-{i}").ToList();
        foreach (var id in ids)
        {
            await SubmittedAsync(platform, Body(id, Created));
        }

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(5));
        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        var keys = Enumerable.Range(0, 2).Select(s => DeadlineIndex.Key(Created.AddHours(2), s)).ToList();
        var runs = keys.SelectMany(k => new[] { new CutoffMessage(k, "run-a"), new CutoffMessage(k, "run-b") })
            .Select(m => sweep.SweepBucketAsync(m, CancellationToken.None)).ToList();
        var reports = await clock.WhileTimePassesAsync(Task.WhenAll(runs));
        Assert.Equal(ids.Count, reports.Sum(r => r.Converted));

        var redelivered = await clock.WhileTimePassesAsync(sweep.SweepBucketAsync(new CutoffMessage(keys[0], "run-a"), CancellationToken.None));
        Assert.Equal((0, 0), (redelivered.Read, redelivered.Converted));
        foreach (var id in ids)
        {
            Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, id));
        }

        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_an_index_row_without_an_order_is_ignored_and_a_not_yet_due_order_stays_indexed()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-due-later", Created.AddSeconds(40)));
        var ghostKey = DeadlineIndex.KeyOf("ORD-ghost", Created.AddHours(2), 2);
        await AddIndexRowAsync(factory.Names, ghostKey, "ORD-ghost");

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(20)); // same minute as the deadline, 20 s before it
        await RunSweepAsync(factory);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("open", await StatusAsync(seller, "ORD-due-later"));
        Assert.Contains($"{ghostKey}/ORD-ghost", await IndexRowsAsync(factory.Names));
        await HttpAssert.Problem(await seller.GetAsync("/api/orders/ORD-ghost"), HttpStatusCode.NotFound, "not-found");

        clock.SetUtcNow(Created.AddHours(2).AddSeconds(41)); // the next run re-reads the current minute
        Assert.Equal(2, await RunSweepAsync(factory)); // every shard of the current minute again (the last run did not complete it)
        Assert.Equal("converted", await StatusAsync(seller, "ORD-due-later"));
        Assert.Equal([$"{ghostKey}/ORD-ghost"], await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_an_emptied_index_minute_is_dropped_once_far_enough_behind_the_checkpoint_and_a_row_without_an_order_is_removed_there_first()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-drop", Created));
        var ghostKey = DeadlineIndex.Key(Created.AddHours(2).AddMinutes(1), 1);
        await AddIndexRowAsync(factory.Names, ghostKey, "ORD-ghost");
        var dropped = DeadlineIndex.Key(Created.AddHours(2), 0)[..12];
        Assert.Equal([dropped, ghostKey[..12]], await IndexBucketsAsync(factory.Names));

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(2).AddSeconds(5));
        await RunSweepAsync(factory);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-drop"));
        Assert.Equal([dropped, ghostKey[..12]], await IndexBucketsAsync(factory.Names)); // emptied, but not yet DropSweptAfter behind

        // The deadline minute is now more than DropSweptAfter behind the checkpoint (which is LateWriteGrace behind the clock), the ghost's not yet.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(13).AddSeconds(5));
        await RunSweepAsync(factory);
        Assert.Equal([ghostKey[..12]], await IndexBucketsAsync(factory.Names)); // the ghost's minute is within the grace: its row is not touched
        Assert.Equal([$"{ghostKey}/ORD-ghost"], await IndexRowsAsync(factory.Names));

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(14).AddSeconds(5)); // now the ghost's minute too: its row (no order) is removed and the minute dropped
        var plan = await factory.Services.GetRequiredService<CutoffSweep>().PlanAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped));
        Assert.Empty(await IndexBucketsAsync(factory.Names));

        // A message for a dropped minute (a late redelivery) finds nothing and fails nothing.
        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        var report = await sweep.SweepBucketAsync(new CutoffMessage(DeadlineIndex.Key(Created.AddHours(2), 0), "late"), CancellationToken.None);
        Assert.Equal(0, report.Read);
    }

    [Fact]
    public async Task DSP_3_the_first_run_ever_starts_at_the_earliest_index_row_and_the_checkpoint_never_moves_back()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        var checkpoint = factory.Services.GetRequiredService<ISweepCheckpoint>();
        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        await AddIndexRowAsync(factory.Names, DeadlineIndex.Key(Created.AddMinutes(-30), 1), "ORD-ghost");

        var plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal(DeadlineIndex.Minute(Created.AddMinutes(-31)), plan.From);
        Assert.Equal(1, plan.Partitions); // 32 minutes to cover: only the partition holding a row is queued
        Assert.Equal(1, await DrainCutoffQueueAsync(factory));

        var read = await checkpoint.ReadAsync(CancellationToken.None);
        var behind = ActivatorUtilities.CreateInstance<CutoffSweep>(factory.Services, (TimeProvider)new FakeTimeProvider(Created.AddMinutes(-10)));
        await behind.PlanAsync(CancellationToken.None); // a run whose clock is behind

        Assert.Equal(read.SweptThrough, (await checkpoint.ReadAsync(CancellationToken.None)).SweptThrough);
    }

    [Fact]
    public async Task DSP_3_a_cutoff_message_the_host_moved_to_poison_is_swept_by_the_next_timer_run()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-poisoned", Created));

        // The deadline's minute ended more than LateWriteGrace (1 min) ago: complete, the checkpoint moves past it.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(2).AddSeconds(10));
        using var admin = factory.CreateClient();
        await HttpAssert.Json(await admin.PostAsync("/admin/functions/PlanOrderCutoff", null), HttpStatusCode.Accepted);

        // Every message of this run failed five times: the host moved them, text unchanged, to {queue}-poison (as the DevHost
        // and the Functions host do). The checkpoint is past their minute already.
        var raw = TestStorage.RawQueue(factory.Names.OrderCutoffQueue);
        var poison = TestStorage.RawQueue(factory.Names.OrderCutoffQueue + "-poison");
        await poison.CreateIfNotExistsAsync();
        await poison.SendMessageAsync("not a cutoff message");
        var moved = 0;
        while ((await raw.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var m in batch)
            {
                await poison.SendMessageAsync(m.Body.ToString());
                await raw.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                moved++;
            }
        }

        Assert.Equal(6, moved); // two shards of the deadline's minute and of the two after it
        Assert.Equal(DeadlineIndex.Minute(Created.AddHours(2)), (await factory.Services.GetRequiredService<ISweepCheckpoint>().ReadAsync(CancellationToken.None)).SweptThrough);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("open", await StatusAsync(seller, "ORD-poisoned"));

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(3).AddSeconds(5));
        await RunSweepAsync(factory); // the next run: its own partitions and the six put back from poison
        Assert.Equal("converted", await StatusAsync(seller, "ORD-poisoned"));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-poisoned"));
        var left = (await poison.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList();
        Assert.Equal(["not a cutoff message"], left); // a stranger stays where it is
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_a_poisoned_minute_far_behind_the_checkpoint_is_finished_by_the_planner_and_dropped_and_its_messages_are_not_put_back()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = Host(clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await SubmittedAsync(platform, Body("ORD-held", Created));
        var minute = DeadlineIndex.Key(Created.AddHours(2), 0)[..12];

        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1).AddSeconds(10));
        using var admin = factory.CreateClient();
        await HttpAssert.Json(await admin.PostAsync("/admin/functions/PlanOrderCutoff", null), HttpStatusCode.Accepted);
        var raw = TestStorage.RawQueue(factory.Names.OrderCutoffQueue);
        var poison = TestStorage.RawQueue(factory.Names.OrderCutoffQueue + "-poison");
        await poison.CreateIfNotExistsAsync();
        while ((await raw.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var m in batch)
            {
                await poison.SendMessageAsync(m.Body.ToString());
                await raw.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        }

        await poison.SendMessageAsync("not a cutoff message");

        // The poisoned messages wait (no planning run meanwhile) until their minute is well past DropSweptAfter behind
        // the checkpoint: the run finishes the row left there itself (converts the order) and drops the emptied minute; the
        // messages are not put back (review finding 3: one that always fails would come back with every run for ever) but
        // deleted from the poison queue, where anything that is not a cutoff message stays.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(20).AddSeconds(5));
        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        var plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1, 0), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped, plan.Requeued));
        Assert.Equal(["not a cutoff message"], (await poison.PeekMessagesAsync(32)).Value.Select(m => m.Body.ToString()).ToList());
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        Assert.Equal("converted", await StatusAsync(seller, "ORD-held"));
        Assert.DoesNotContain(minute, await IndexBucketsAsync(factory.Names));

        await DrainCutoffQueueAsync(factory);
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-held"));
        Assert.Empty(await IndexRowsAsync(factory.Names));
    }

    [Fact]
    public async Task DSP_3_rows_left_behind_the_checkpoint_are_finished_or_removed_a_bounded_number_per_run_and_their_minute_dropped()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2", ["Hub:Orders:LeftoverRowsPerRun"] = "2" });
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-done", Created));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-done", "INS-done"), HttpStatusCode.Created);

        // The deadline's minute is swept as usual (ORD-done's row goes) and, LateWriteGrace after its end, the checkpoint moves past it.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(2).AddSeconds(10));
        await RunSweepAsync(factory);
        Assert.Empty(await IndexRowsAsync(factory.Names));

        // Then rows appear in that minute, which no sweep message reads again: ORD-done's row once more (as if its delete
        // had failed), an open order's row written after the minute's last read (ORD-late), a row without an order.
        var deadline = Created.AddHours(2);
        await AddIndexRowAsync(factory.Names, DeadlineIndex.KeyOf("ORD-done", deadline, 2), "ORD-done");
        var late = new Order("ORD-late", "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null);
        await factory.Services.GetRequiredService<IOrderStore>().AddAsync(late, "fingerprint", null, [], CancellationToken.None);
        await AddIndexRowAsync(factory.Names, DeadlineIndex.KeyOf("ORD-late", deadline, 2), "ORD-late");
        await AddIndexRowAsync(factory.Names, DeadlineIndex.KeyOf("ORD-ghost", deadline, 2), "ORD-ghost");
        var minute = DeadlineIndex.Key(deadline, 0)[..12];

        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        clock.SetUtcNow(deadline.AddMinutes(11).AddSeconds(5)); // not yet DropSweptAfter behind the checkpoint (itself LateWriteGrace behind): untouched
        var plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((0, 0), (plan.Leftovers, plan.Dropped));
        Assert.Equal("open", await StatusAsync(seller, "ORD-late"));

        clock.SetUtcNow(deadline.AddMinutes(13).AddSeconds(5)); // now it is: two rows this run (the bound), the minute kept with one left
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((2, 2, 0), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped));
        Assert.Single(await IndexRowsAsync(factory.Names));
        Assert.Equal([minute], await IndexBucketsAsync(factory.Names));

        clock.SetUtcNow(deadline.AddMinutes(14).AddSeconds(5)); // the rest, and the emptied minute is dropped
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped));
        Assert.Empty(plan.LeftoverFailures!);
        Assert.Empty(await IndexBucketsAsync(factory.Names));

        Assert.Equal("converted", await StatusAsync(seller, "ORD-late"));
        Assert.Equal([OrderEvents.ConvertedToNonHub], await EventTypesAsync(factory.Names, "ORD-late"));
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-done"));
        var metrics = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"));
        Assert.Equal((2L, 1L, 1L), (metrics.GetProperty("orders").GetInt64(), metrics.GetProperty("onTimeInstructions").GetInt64(), metrics.GetProperty("conversions").GetInt64()));

        clock.SetUtcNow(deadline.AddMinutes(15).AddSeconds(5)); // nothing left to read
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((0, 0), (plan.Leftovers, plan.Dropped));
    }

    [Fact]
    public async Task DSP_3_a_leftover_partition_that_fails_as_a_whole_is_deferred_and_does_not_hold_back_newer_rows()
    {
        // Shard 0 of the deadline's minute cannot have its index rows removed (its orders convert, the removal fails every time).
        var deadline = Created.AddHours(2);
        var stuck = DeadlineIndex.Key(deadline, 0);
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2", ["Hub:Orders:LeftoverRowsPerRun"] = "2" },
            services: s => s.AddSingleton<IOrderStore>(sp => new UnremovableIndex(ActivatorUtilities.CreateInstance<TableOrderStore>(sp), stuck)));
        await SeedAsync(factory);
        clock.SetUtcNow(deadline.AddMinutes(2).AddSeconds(10));
        await RunSweepAsync(factory);

        var store = factory.Services.GetRequiredService<IOrderStore>();
        foreach (var (key, id) in new[] { (stuck, "ORD-stuck1"), (stuck, "ORD-stuck2"), (DeadlineIndex.Key(deadline.AddMinutes(1), 0), "ORD-newer") })
        {
            await store.AddAsync(new Order(id, "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null), "fp", null, [], CancellationToken.None);
            await AddIndexRowAsync(factory.Names, key, id);
        }

        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        using var seller = factory.CreateSignedClient(TestClients.Seller);

        // Run 1 reads the stuck partition's two rows (the bound): both orders convert, the partition fails and is reported.
        clock.SetUtcNow(deadline.AddMinutes(13).AddSeconds(5));
        var plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((2, 0), (plan.Leftovers, plan.LeftoversRemoved));
        Assert.StartsWith($"{stuck}: InvalidOperationException", Assert.Single(plan.LeftoverFailures!));

        // Run 2 passes over the deferred rows and finishes the newer one.
        clock.SetUtcNow(deadline.AddMinutes(14).AddSeconds(5));
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((1, 1), (plan.Leftovers, plan.LeftoversRemoved));
        Assert.Empty(plan.LeftoverFailures!);
        Assert.Equal(("converted", "converted", "converted"),
            (await StatusAsync(seller, "ORD-stuck1"), await StatusAsync(seller, "ORD-stuck2"), await StatusAsync(seller, "ORD-newer")));
    }

    /// <summary>The real order store, except that removing index rows of one partition always fails.</summary>
    private sealed class UnremovableIndex(IOrderStore inner, string indexKey) : IOrderStore
    {
        public Task RemoveIndexAsync(string key, IReadOnlyList<string> orderIds, CancellationToken cancellationToken)
            => key == indexKey ? throw new InvalidOperationException("index rows cannot be removed") : inner.RemoveIndexAsync(key, orderIds, cancellationToken);

        public Task<StoredOrder?> FindAsync(string orderId, CancellationToken cancellationToken) => inner.FindAsync(orderId, cancellationToken);

        public Task<StoredOrder?> FindWrittenByAsync(string orderId, string operationKey, OrderWrite write, CancellationToken cancellationToken)
            => inner.FindWrittenByAsync(orderId, operationKey, write, cancellationToken);

        public Task<bool> AddAsync(Order order, string fingerprint, string? indexKey, IReadOnlyList<Core.Events.HubEvent> events, CancellationToken cancellationToken)
            => inner.AddAsync(order, fingerprint, indexKey, events, cancellationToken);

        public Task<bool> AddIndexAsync(string key, Order order, CancellationToken cancellationToken) => inner.AddIndexAsync(key, order, cancellationToken);

        public Task<bool> UpdateAsync(StoredOrder before, Order after, IReadOnlyList<Core.Events.HubEvent> events, CancellationToken cancellationToken)
            => inner.UpdateAsync(before, after, events, cancellationToken);

        public Task<IReadOnlyList<string>> ListIndexAsync(string key, CancellationToken cancellationToken) => inner.ListIndexAsync(key, cancellationToken);

        public Task<IReadOnlyList<string>> IndexKeysAsync(string firstKey, string lastKey, CancellationToken cancellationToken) => inner.IndexKeysAsync(firstKey, lastKey, cancellationToken);

        public Task<DateTimeOffset?> EarliestIndexMinuteAsync(CancellationToken cancellationToken) => inner.EarliestIndexMinuteAsync(cancellationToken);

        public Task<IReadOnlyList<IndexRow>> LeftoverIndexRowsAsync(DateTimeOffset before, DateTimeOffset now, int max, CancellationToken cancellationToken)
            => inner.LeftoverIndexRowsAsync(before, now, max, cancellationToken);

        public Task DeferIndexAsync(IReadOnlyList<IndexRow> rows, DateTimeOffset until, CancellationToken cancellationToken) => inner.DeferIndexAsync(rows, until, cancellationToken);

        public Task<int> DropSweptBucketsAsync(DateTimeOffset before, CancellationToken cancellationToken) => inner.DropSweptBucketsAsync(before, cancellationToken);
    }

    [Fact]
    public async Task DSP_3_a_leftover_order_that_keeps_failing_neither_stops_its_partition_nor_holds_back_the_rows_after_it()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Orders:ShardCount"] = "2", ["Hub:Orders:LeftoverRowsPerRun"] = "2" });
        await SeedAsync(factory);
        var deadline = Created.AddHours(2);
        clock.SetUtcNow(deadline.AddMinutes(2).AddSeconds(10));
        await RunSweepAsync(factory); // nothing indexed yet: the checkpoint moves past the deadline's minute and the next

        // Rows no sweep message reads again (written after their minutes' last read): in the deadline's minute, shard 0, an open
        // order past its deadline and two orders that always fail (their stored rows cannot be read); in shard 1 and in the next
        // minute, one open order each.
        var store = factory.Services.GetRequiredService<IOrderStore>();
        foreach (var id in new[] { "ORD-a-late", "ORD-late1", "ORD-late2" })
        {
            await store.AddAsync(new Order(id, "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null), "fp", null, [], CancellationToken.None);
        }

        var orders = TestStorage.Tables().GetTableClient(factory.Names.OrdersTable);
        foreach (var id in new[] { "ORD-bad1", "ORD-bad2" })
        {
            var broken = TableOrderStore.OrderEntity(new Order(id, "demo-seller", "hangzhou", "aliexpress", Created, [new OrderItem("SKU-1", 1)], false, Created.AddMinutes(1), OrderStatus.Open, null, null, null), "fp");
            broken["Status"] = "unreadable";
            await orders.AddEntityAsync(broken);
        }

        foreach (var (key, id) in new[] { (DeadlineIndex.Key(deadline, 0), "ORD-a-late"), (DeadlineIndex.Key(deadline, 0), "ORD-bad1"), (DeadlineIndex.Key(deadline, 0), "ORD-bad2"), (DeadlineIndex.Key(deadline, 1), "ORD-late1"), (DeadlineIndex.Key(deadline.AddMinutes(1), 0), "ORD-late2") })
        {
            await AddIndexRowAsync(factory.Names, key, id);
        }

        var sweep = factory.Services.GetRequiredService<CutoffSweep>();
        using var seller = factory.CreateSignedClient(TestClients.Seller);

        // Run 1 reads two rows (the bound), ORD-a-late and ORD-bad1 of one partition: ORD-a-late is finished and its row removed
        // although ORD-bad1 fails, which is reported and deferred.
        clock.SetUtcNow(deadline.AddMinutes(13).AddSeconds(5));
        var plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((2, 1, 0), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped));
        Assert.StartsWith($"{DeadlineIndex.Key(deadline, 0)}/ORD-bad1: InvalidOperationException", Assert.Single(plan.LeftoverFailures!));
        Assert.Equal("converted", await StatusAsync(seller, "ORD-a-late"));

        // Run 2 passes over ORD-bad1: ORD-bad2 fails (deferred too), ORD-late1 is finished.
        clock.SetUtcNow(deadline.AddMinutes(14).AddSeconds(5));
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((2, 1), (plan.Leftovers, plan.LeftoversRemoved));
        Assert.Contains("/ORD-bad2: ", Assert.Single(plan.LeftoverFailures!), StringComparison.Ordinal);

        // Run 3 reaches the next minute past both failing rows, finishes ORD-late2 and drops that minute; the failing rows stay.
        clock.SetUtcNow(deadline.AddMinutes(15).AddSeconds(5));
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1), (plan.Leftovers, plan.LeftoversRemoved, plan.Dropped));
        Assert.Empty(plan.LeftoverFailures!);
        Assert.Equal(("converted", "converted"), (await StatusAsync(seller, "ORD-late1"), await StatusAsync(seller, "ORD-late2")));
        var minute = DeadlineIndex.Key(deadline, 0)[..12];
        Assert.Equal([$"{minute}-00/ORD-bad1", $"{minute}-00/ORD-bad2"], await IndexRowsAsync(factory.Names));

        // Once their deferral is over they are read (and reported) again.
        clock.SetUtcNow(deadline.AddMinutes(24).AddSeconds(5));
        plan = await sweep.PlanAsync(CancellationToken.None);
        Assert.Equal((2, 0, 2), (plan.Leftovers, plan.LeftoversRemoved, plan.LeftoverFailures!.Count));
    }
}
