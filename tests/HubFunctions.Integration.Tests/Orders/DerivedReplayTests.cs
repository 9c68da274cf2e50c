using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Orders;
using HubFunctions.Functions.Hosting;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Orders.OrderFixture;

namespace HubFunctions.Integration.Tests.Orders;

/// <summary>
/// API.md idempotency for the two answers a retry gets from the rows its first attempt wrote (Idempotency/DECISIONS.md, part 3):
/// an intake that created its order (DSP-1, 202) and an accepted instruction (DSP-2, 201). Their outcome is not recorded under
/// the webhook-id (the entry stays pending); a retry is still answered with the first answer, byte for byte, and changes nothing.
/// </summary>
public sealed class DerivedReplayTests
{
    private static readonly DateTimeOffset Created = new(2026, 12, 1, 10, 0, 0, China);

    /// <summary>The idempotency entry of <paramref name="webhookId"/> from <paramref name="client"/>, read on the tests' own client.</summary>
    private static async Task<TableEntity?> EntryAsync(DevHostFactory factory, TestClients.Client client, string webhookId)
    {
        var (partition, row) = TableIdempotencyStore.KeysOf(client.Id, webhookId);
        var read = await TestStorage.Tables().GetTableClient(factory.Names.IdempotencyTable).GetEntityIfExistsAsync<TableEntity>(partition, row);
        return read.HasValue ? read.Value : null;
    }

    /// <summary>
    /// Writes (or overwrites) the entry of <paramref name="webhookId"/> as a request that started at <paramref name="startedAt"/> with
    /// <paramref name="fingerprint"/> and has not finished (another attempt's token): as the pipeline's start leaves it.
    /// </summary>
    private static async Task PutPendingAsync(DevHostFactory factory, TestClients.Client client, string webhookId, string fingerprint, DateTimeOffset startedAt)
    {
        var (partition, row) = TableIdempotencyStore.KeysOf(client.Id, webhookId);
        await TestStorage.Tables().GetTableClient(factory.Names.IdempotencyTable).UpsertEntityAsync(new TableEntity(partition, row)
        {
            ["State"] = "pending",
            ["Attempt"] = "another-attempt",
            ["Fingerprint"] = fingerprint,
            ["StartedAt"] = startedAt,
        }, TableUpdateMode.Replace);
    }

    private static async Task<string?> EntryStateAsync(DevHostFactory factory, TestClients.Client client, string webhookId)
        => (await EntryAsync(factory, client, webhookId))?.GetString("State");

    private static async Task<(HttpStatusCode Status, string Body, bool Replayed)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(),
            response.Headers.TryGetValues("x-hub-idempotent-replay", out var flag) && flag.Single() == "true");
    }

    [Fact]
    public async Task DSP_1_a_retried_intake_that_created_its_order_is_answered_from_the_order_row_as_first_answered_even_after_the_order_was_instructed()
    {
        // Instants to the tick: the answer rendered from the stored row must match the one rendered from the order in memory.
        var clock = new FakeTimeProvider(Created.AddMinutes(1).AddTicks(1_234_567));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var body = Body("ORD-derived", Created);

        var first = await SendAsync(platform, IntakeRequest("msg-intake-1", body));
        Assert.Equal((HttpStatusCode.Accepted, false), (first.Status, first.Replayed));
        // Not recorded: the entry is left as the start of the request wrote it.
        Assert.Equal("pending", await EntryStateAsync(factory, TestClients.Platform, "msg-intake-1"));

        clock.Advance(TimeSpan.FromSeconds(3));
        var retry = await SendAsync(platform, IntakeRequest("msg-intake-1", body));
        Assert.Equal((HttpStatusCode.Accepted, first.Body, true), (retry.Status, retry.Body, retry.Replayed));

        // The order changes; a retry of the intake still gets the answer the intake gave (the order as created).
        await HttpAssert.Json(await InstructAsync(seller, "ORD-derived", "INS-derived"), HttpStatusCode.Created);
        clock.Advance(TimeSpan.FromMinutes(2));
        var later = await SendAsync(platform, IntakeRequest("msg-intake-1", body));
        Assert.Equal((HttpStatusCode.Accepted, first.Body, true), (later.Status, later.Body, later.Replayed));
        Assert.Contains("\"status\":\"open\"", later.Body, StringComparison.Ordinal);
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-derived"));

        // A pending entry this old would be taken over (and the intake run again, answering the order as it is now, instructed);
        // one whose answer the rows give is replayed instead.
        clock.Advance(TableIdempotencyStore.PendingTakeover + TimeSpan.FromMinutes(1));
        var stale = await SendAsync(platform, IntakeRequest("msg-intake-1", body));
        Assert.Equal((HttpStatusCode.Accepted, first.Body, true), (stale.Status, stale.Body, stale.Replayed));

        // Nothing happened twice: one received event, one instructed.
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-derived"));
        Assert.Equal("pending", await EntryStateAsync(factory, TestClients.Platform, "msg-intake-1"));
    }

    [Fact]
    public async Task DSP_2_a_retried_accepted_instruction_is_answered_from_its_outcome_row_after_the_deadline_too_and_another_body_under_its_id_is_422()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var wms = factory.CreateSignedClient(TestClients.Wms);
        await SubmittedAsync(platform, Body("ORD-derived-ins", Created));

        clock.SetUtcNow(Created.AddHours(1).AddTicks(7_654_321));
        var first = await SendAsync(wms, InstructionRequest("msg-ins-1", "ORD-derived-ins", "INS-1"));
        Assert.Equal((HttpStatusCode.Created, false), (first.Status, first.Replayed));
        Assert.Equal("pending", await EntryStateAsync(factory, TestClients.Wms, "msg-ins-1"));

        clock.Advance(TimeSpan.FromSeconds(2));
        var retry = await SendAsync(wms, InstructionRequest("msg-ins-1", "ORD-derived-ins", "INS-1"));
        Assert.Equal((HttpStatusCode.Created, first.Body, true), (retry.Status, retry.Body, retry.Replayed));

        // Past the deadline and a sweep (which finds it instructed): still the first answer, not a new decision.
        clock.SetUtcNow(Created.AddHours(2).AddMinutes(1));
        await RunSweepAsync(factory);
        Assert.Equal("instructed", await StatusAsync(wms, "ORD-derived-ins"));
        var late = await SendAsync(wms, InstructionRequest("msg-ins-1", "ORD-derived-ins", "INS-1"));
        Assert.Equal((HttpStatusCode.Created, first.Body, true), (late.Status, late.Body, late.Replayed));

        // The same webhook-id with another body is a client bug, as for a recorded outcome.
        await HttpAssert.Problem(await wms.SendAsync(InstructionRequest("msg-ins-1", "ORD-derived-ins", "INS-2")), HttpStatusCode.UnprocessableEntity, ProblemCodes.WebhookIdReused);
        Assert.Equal([OrderEvents.Instructed, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-derived-ins"));
    }

    [Fact]
    public async Task A_pending_entry_whose_order_another_message_created_is_in_progress_while_young_and_taken_over_when_stale()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var body = Body("ORD-other-message", Created);
        var first = await SendAsync(platform, IntakeRequest("msg-a", body));
        Assert.Equal(HttpStatusCode.Accepted, first.Status);

        // A request of message b with the same body that started and never finished (it died before its commit): its entry is
        // pending with the same fingerprint, and the order row is message a's, so it is not b's to answer from.
        var entryA = (await EntryAsync(factory, TestClients.Platform, "msg-a"))!;
        await PutPendingAsync(factory, TestClients.Platform, "msg-b", entryA.GetString("Fingerprint")!, clock.GetUtcNow());

        await HttpAssert.Problem(await platform.SendAsync(IntakeRequest("msg-b", body)), HttpStatusCode.Conflict, ProblemCodes.RequestInProgress);

        // Stale: taken over and run; the intake finds the order stored before with this body and answers as before, recorded.
        clock.Advance(TableIdempotencyStore.PendingTakeover + TimeSpan.FromSeconds(1));
        var takenOver = await SendAsync(platform, IntakeRequest("msg-b", body));
        Assert.Equal((HttpStatusCode.Accepted, first.Body, false), (takenOver.Status, takenOver.Body, takenOver.Replayed));
        Assert.Equal("done", await EntryStateAsync(factory, TestClients.Platform, "msg-b"));
        Assert.Equal([OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-other-message"));
    }

    [Fact]
    public async Task DSP_3_a_retried_intake_that_converted_its_order_at_intake_is_answered_from_the_order_row()
    {
        var clock = new FakeTimeProvider(Created.AddHours(3).AddTicks(4_242_424));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        var first = await SendAsync(platform, IntakeRequest("msg-late-intake", Body("ORD-derived-late", Created)));
        Assert.Equal(HttpStatusCode.Accepted, first.Status);
        Assert.Contains("\"status\":\"converted\"", first.Body, StringComparison.Ordinal);
        Assert.Equal("pending", await EntryStateAsync(factory, TestClients.Platform, "msg-late-intake"));

        clock.Advance(TimeSpan.FromSeconds(5));
        var retry = await SendAsync(platform, IntakeRequest("msg-late-intake", Body("ORD-derived-late", Created)));
        Assert.Equal((HttpStatusCode.Accepted, first.Body, true), (retry.Status, retry.Body, retry.Replayed));
        Assert.Equal([OrderEvents.ConvertedToNonHub, OrderEvents.Received], await EventTypesAsync(factory.Names, "ORD-derived-late"));
    }

    [Fact]
    public async Task DSP_4_a_pending_instruction_entry_whose_order_the_sweep_converted_is_in_progress_not_answered_from_the_conversion()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SubmittedAsync(platform, Body("ORD-swept", Created));
        clock.SetUtcNow(Created.AddHours(2).AddSeconds(5));
        await RunSweepAsync(factory);

        // The instruction is refused (DSP-4, recorded); an entry of another message with the same request, pending, finds an outcome
        // row, but the sweep's: not that message's to answer from.
        await HttpAssert.Problem(await seller.SendAsync(InstructionRequest("msg-refused", "ORD-swept", "INS-late")), HttpStatusCode.Conflict, OrderCodes.Converted);
        var refused = (await EntryAsync(factory, TestClients.Seller, "msg-refused"))!;
        Assert.Equal("done", refused.GetString("State"));
        await PutPendingAsync(factory, TestClients.Seller, "msg-pending", refused.GetString("Fingerprint")!, clock.GetUtcNow());
        await HttpAssert.Problem(await seller.SendAsync(InstructionRequest("msg-pending", "ORD-swept", "INS-late")), HttpStatusCode.Conflict, ProblemCodes.RequestInProgress);
    }

    [Fact]
    public async Task DSP_1_an_intake_retried_after_failing_past_its_commit_answers_the_order_as_created_then_replays_it_even_after_an_instruction()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1).AddTicks(1_111_111));
        var lose = new LoseArmedCount();
        using var factory = new DevHostFactory(clock: clock, services: lose.Replace);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var body = Body("ORD-failed-intake", Created);

        // The order is committed, then its counting fails: 500, the entry is given up, so the sender's retry runs the intake again.
        lose.Arm();
        Assert.Equal(HttpStatusCode.InternalServerError, (await SendAsync(platform, IntakeRequest("msg-failed", body))).Status);
        Assert.Null(await EntryStateAsync(factory, TestClients.Platform, "msg-failed"));
        await HttpAssert.Json(await InstructAsync(seller, "ORD-failed-intake", "INS-meanwhile"), HttpStatusCode.Created);

        // The retry meets its own earlier commit: it answers the order as that attempt created it (open), not as it is now, and
        // leaves that answer to be derived, so the next retry gets the same bytes.
        clock.Advance(TimeSpan.FromSeconds(30));
        var rerun = await SendAsync(platform, IntakeRequest("msg-failed", body));
        Assert.Equal((HttpStatusCode.Accepted, false), (rerun.Status, rerun.Replayed));
        Assert.Contains("\"status\":\"open\"", rerun.Body, StringComparison.Ordinal);
        Assert.Equal("pending", await EntryStateAsync(factory, TestClients.Platform, "msg-failed"));
        var replay = await SendAsync(platform, IntakeRequest("msg-failed", body));
        Assert.Equal((HttpStatusCode.Accepted, rerun.Body, true), (replay.Status, replay.Body, replay.Replayed));

        // Counted once each: the instruction's counting found the order's `received` missing and counted it too; the retry's
        // re-check found both.
        var metrics = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/metrics?month=2026-12"));
        Assert.Equal((1L, 1L), (metrics.GetProperty("orders").GetInt64(), metrics.GetProperty("onTimeInstructions").GetInt64()));
        Assert.Equal("instructed", await StatusAsync(seller, "ORD-failed-intake"));
    }

    [Fact]
    public async Task DSP_1_a_webhook_id_reused_after_its_window_with_another_body_for_the_order_is_409_not_the_old_order()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(platform, IntakeRequest("msg-reused", Body("ORD-reused", Created)))).Status);

        // Days later the id is a new message (API.md: at least 24 h), and its operation stamps as the old one did.
        clock.Advance(TimeSpan.FromDays(3));
        var other = Body("ORD-reused", Created.AddMinutes(-1));
        await HttpAssert.Problem(await platform.SendAsync(IntakeRequest("msg-reused", other)), HttpStatusCode.Conflict, OrderCodes.DifferentBody);
        Assert.Equal("done", await EntryStateAsync(factory, TestClients.Platform, "msg-reused"));

        // The same new message still running (its entry pending) when a retry comes: the old order row is not its answer.
        var entry = (await EntryAsync(factory, TestClients.Platform, "msg-reused"))!;
        await PutPendingAsync(factory, TestClients.Platform, "msg-reused", entry.GetString("Fingerprint")!, clock.GetUtcNow());
        await HttpAssert.Problem(await platform.SendAsync(IntakeRequest("msg-reused", other)), HttpStatusCode.Conflict, ProblemCodes.RequestInProgress);
    }

    [Fact]
    public async Task Answers_not_derived_from_rows_the_request_wrote_are_recorded_as_before()
    {
        var clock = new FakeTimeProvider(Created.AddMinutes(1));
        using var factory = new DevHostFactory(clock: clock);
        await SeedAsync(factory);
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await SendAsync(platform, IntakeRequest("msg-created", Body("ORD-recorded", Created)));

        // The same order again under a new message: answered as before (202), from an order row another message wrote.
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(platform, IntakeRequest("msg-same-again", Body("ORD-recorded", Created)))).Status);
        // Another body under the order id: 409.
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(platform, IntakeRequest("msg-other-body", Body("ORD-recorded", Created.AddMinutes(-1))))).Status);
        // An instruction accepted, then the same instruction under a new message (201 as before), then another one (409).
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(seller, InstructionRequest("msg-ins-accepted", "ORD-recorded", "INS-R"))).Status);
        Assert.Equal(HttpStatusCode.Created, (await SendAsync(seller, InstructionRequest("msg-ins-as-before", "ORD-recorded", "INS-R"))).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await SendAsync(seller, InstructionRequest("msg-ins-second", "ORD-recorded", "INS-S"))).Status);

        Assert.Equal(
            "pending done done pending done done",
            string.Join(' ', [
                await EntryStateAsync(factory, TestClients.Platform, "msg-created"),
                await EntryStateAsync(factory, TestClients.Platform, "msg-same-again"),
                await EntryStateAsync(factory, TestClients.Platform, "msg-other-body"),
                await EntryStateAsync(factory, TestClients.Seller, "msg-ins-accepted"),
                await EntryStateAsync(factory, TestClients.Seller, "msg-ins-as-before"),
                await EntryStateAsync(factory, TestClients.Seller, "msg-ins-second"),
            ]));
    }
}
