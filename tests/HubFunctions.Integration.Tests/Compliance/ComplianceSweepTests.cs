using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Documents;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Compliance;

/// <summary>
/// The daily compliance sweep (CMP-1, CMP-2) and the unfreeze endpoint (CMP-4) through the DevHost on
/// Azurite under a fake clock. A brand authorisation approved on 2026-03-10 (Asia/Shanghai) is due for
/// renewal on 2027-03-10 (still current that day), reminded on 2027-02-09 (30 days before the freeze
/// day) and 2027-03-04 (7 days before), and frozen on 2027-03-11. The sweep runs through
/// <c>POST /admin/functions/ComplianceSweep</c>; listeners are off, so the events stay in the outbox
/// rows where the test counts them.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class ComplianceSweepTests
{
    private const string SellerId = "demo-seller";
    private static readonly string[] Functions = ["UploadDocument", "ReviewDocument", "GetSeller", "UnfreezeSeller", "GetComplianceLog", "ComplianceSweep"];

    /// <summary>10:00 in Shanghai on <paramref name="day"/>, or at <paramref name="hour"/>.</summary>
    private static DateTimeOffset At(int year, int month, int day, int hour = 10) => new(year, month, day, hour, 0, 0, TimeSpan.FromHours(8));

    private sealed class Hub : IDisposable
    {
        public Hub(DateTimeOffset start)
        {
            Clock = new FakeTimeProvider(start);
            Factory = new DevHostFactory(listeners: false, clock: Clock, functions: Functions);
        }

        public FakeTimeProvider Clock { get; }

        public DevHostFactory Factory { get; }

        public HttpClient Signed(TestClients.Client client) => Factory.CreateSignedClient(client, Clock);

        public void Dispose() => Factory.Dispose();

        /// <summary>Uploads a brand authorisation as the seller, validates it (the queue's work, called directly) and approves it as the reviewer.</summary>
        public async Task<string> ApproveBrandAuthorizationAsync(string seed, bool approve = true)
        {
            using var seller = Signed(TestClients.Seller);
            var fields = new Dictionary<string, string?> { ["type"] = AdmissionDocuments.BrandAuthorization, ["issuedOn"] = "2026-01-05", ["brand"] = "Example" };
            var upload = await HttpAssert.Json(await seller.PostAsync($"/api/sellers/{SellerId}/documents", DocumentForms.Form(DocumentForms.Png(seed), fields, "a.png", "image/png")), HttpStatusCode.Created);
            var documentId = upload.GetProperty("documentId").GetString()!;
            Assert.Equal(DocumentStatus.Validated, await Factory.Services.GetRequiredService<DocumentReview>().ValidateAsync(SellerId, documentId, CancellationToken.None));
            if (approve)
            {
                using var reviewer = Signed(TestClients.Reviewer);
                await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/sellers/{SellerId}/documents/{documentId}/review", new { decision = "approve" }));
            }

            return documentId;
        }

        public async Task SweepAtAsync(DateTimeOffset now)
        {
            Clock.SetUtcNow(now);
            using var admin = Factory.CreateClient();
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/admin/functions/ComplianceSweep", null)).StatusCode);
        }

        public async Task<Seller> SellerAsync() => (await Factory.Services.GetRequiredService<ISellerDirectory>().FindAsync(SellerId, CancellationToken.None))!;

        public Task<IReadOnlyList<ComplianceLogEntry>> LogAsync() => Factory.Services.GetRequiredService<SellerCompliance>().ReadLogAsync(SellerId, CancellationToken.None);

        /// <summary>The events of <paramref name="type"/> committed in <paramref name="table"/> (outbox rows; listeners are off, nothing relays them).</summary>
        public async Task<List<JsonElement>> EventsAsync(string table, string type)
        {
            var rows = await TestStorage.Tables().GetTableClient(table).QueryAsync<TableEntity>().ToListAsync();
            return [.. rows.Where(r => r.RowKey.StartsWith(TableOutbox.RowPrefix, StringComparison.Ordinal) && r.GetString("EventType") == type)
                .Select(r => CloudEventCodec.Decode(System.Text.Encoding.UTF8.GetBytes(r.GetString("Event")!)).Data)];
        }

        public Task<List<JsonElement>> RemindersAsync() => EventsAsync(Factory.Names.RenewalIndexTable, EventTypes.SellerRenewalReminder);

        public Task<List<JsonElement>> FreezesAsync() => EventsAsync(Factory.Names.SellersTable, EventTypes.SellerFrozen);
    }

    private static async Task<Hub> StartAsync()
    {
        var hub = new Hub(At(2026, 3, 10));
        await DocumentForms.SeedSeller(hub.Factory, SellerId);
        return hub;
    }

    [Fact]
    public async Task CMP_1_approved_2026_03_10_is_not_frozen_on_2027_03_10_and_is_frozen_on_2027_03_11_once_by_the_system()
    {
        using var hub = await StartAsync();
        var documentId = await hub.ApproveBrandAuthorizationAsync("v1");

        // Exactly 12 months after approval, at the last minute of the day: still current.
        await hub.SweepAtAsync(At(2027, 3, 10, 23).AddMinutes(59));
        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);
        Assert.Empty(await hub.LogAsync());

        // 12 months + 1 day, just after midnight in Shanghai: frozen.
        await hub.SweepAtAsync(At(2027, 3, 11, 0).AddMinutes(5));
        var seller = await hub.SellerAsync();
        Assert.Equal(SellerStatus.Frozen, seller.Status);
        var reason = Assert.Single(seller.FreezeReasons);
        Assert.Equal((FreezeRules.DocumentExpired, AdmissionDocuments.BrandAuthorization, new DateOnly(2027, 3, 11)), (reason.Rule, reason.DocumentType, reason.ExpiredOn));
        Assert.Contains("due for renewal on 2027-03-10", reason.Text, StringComparison.Ordinal);

        // CMP-3: the booking refusal comes from FreezeCheck, naming the reason.
        var refusal = FreezeCheck.Refusal(seller, FrozenActions.BookAppointment);
        Assert.NotNull(refusal);
        Assert.Contains("due for renewal on 2027-03-10", refusal.Message, StringComparison.Ordinal);

        // Running the sweep again, the same day and the next: no second entry, no second event.
        await hub.SweepAtAsync(At(2027, 3, 11, 18));
        await hub.SweepAtAsync(At(2027, 3, 12));
        var entry = Assert.Single(await hub.LogAsync());
        Assert.Equal((ComplianceAction.Freeze, ActorKind.System, RenewalSweep.Job), (entry.Action, entry.Actor.Kind, entry.Actor.Id));
        var frozen = Assert.Single(await hub.FreezesAsync());
        Assert.Equal("CMP-1", frozen.GetProperty("reasons")[0].GetProperty("rule").GetString());
        Assert.Equal(documentId, (await hub.Factory.Services.GetRequiredService<IDocumentRepository>().LatestApprovedAsync(SellerId, CancellationToken.None)).Single().DocumentId);
    }

    [Fact]
    public async Task CMP_2_reminders_fire_30_and_7_days_before_the_freeze_day_once_each()
    {
        using var hub = await StartAsync();
        var documentId = await hub.ApproveBrandAuthorizationAsync("v1");

        await hub.SweepAtAsync(At(2027, 2, 8));
        Assert.Empty(await hub.RemindersAsync());

        await hub.SweepAtAsync(At(2027, 2, 9));
        await hub.SweepAtAsync(At(2027, 2, 9, 20));
        var first = Assert.Single(await hub.RemindersAsync());
        Assert.Equal(30, first.GetProperty("daysBefore").GetInt32());

        await hub.SweepAtAsync(At(2027, 3, 3));
        Assert.Single(await hub.RemindersAsync());

        await hub.SweepAtAsync(At(2027, 3, 4));
        await hub.SweepAtAsync(At(2027, 3, 4, 12));
        await hub.SweepAtAsync(At(2027, 3, 5));
        var reminders = await hub.RemindersAsync();
        Assert.Equal([30, 7], reminders.Select(r => r.GetProperty("daysBefore").GetInt32()).Order().Reverse());
        Assert.All(reminders, r =>
        {
            Assert.Equal((SellerId, AdmissionDocuments.BrandAuthorization, documentId), (r.GetProperty("sellerId").GetString(), r.GetProperty("documentType").GetString(), r.GetProperty("documentId").GetString()));
            Assert.Equal(("2026-03-10", "2027-03-10", "2027-03-11"), (r.GetProperty("approvedOn").GetString(), r.GetProperty("renewalDueOn").GetString(), r.GetProperty("freezeOn").GetString()));
        });
        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);

        // A run that overlaps another on the same day (the marker is committed with the event): still one each.
        var sweep = hub.Factory.Services.GetRequiredService<RenewalSweep>();
        var entry = new RenewalEntry(new DateOnly(2027, 3, 4), SellerId, AdmissionDocuments.BrandAuthorization, documentId, RenewalKind.Reminder7);
        Assert.Equal(RenewalOutcome.ReminderAlreadySent, await sweep.HandleAsync(entry, CancellationToken.None));
        Assert.Equal(2, (await hub.RemindersAsync()).Count);
    }

    [Fact]
    public async Task CMP_1_skipping_two_days_catches_up_the_freeze_and_the_checkpoint_moves_to_today()
    {
        using var hub = await StartAsync();
        await hub.ApproveBrandAuthorizationAsync("v1");

        await hub.SweepAtAsync(At(2027, 3, 9));
        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);

        // No run on 2027-03-10 nor on 2027-03-11 (the freeze day): the run of 2027-03-12 reads both.
        await hub.SweepAtAsync(At(2027, 3, 12));
        Assert.Equal(SellerStatus.Frozen, (await hub.SellerAsync()).Status);
        Assert.Equal(new DateOnly(2027, 3, 11), Assert.Single((await hub.SellerAsync()).FreezeReasons).ExpiredOn);
        var checkpoint = await hub.Factory.Services.GetRequiredService<IRenewalIndex>().CheckpointAsync(CancellationToken.None);
        Assert.Equal(new DateOnly(2027, 3, 12), checkpoint!.Done);

        await hub.SweepAtAsync(At(2027, 3, 12, 22));
        Assert.Single(await hub.LogAsync());
        Assert.Single(await hub.FreezesAsync());
    }

    [Fact]
    public async Task CMP_1_a_freeze_day_that_passed_before_the_first_ever_run_is_handled_by_that_run()
    {
        using var hub = await StartAsync();
        await hub.ApproveBrandAuthorizationAsync("v1");

        // The sweep never ran before 2027-03-15: the first run starts at the earliest index entry, not today.
        await hub.SweepAtAsync(At(2027, 3, 15));
        var seller = await hub.SellerAsync();
        Assert.Equal(SellerStatus.Frozen, seller.Status);
        Assert.Equal(new DateOnly(2027, 3, 11), Assert.Single(seller.FreezeReasons).ExpiredOn);
        var checkpoint = await hub.Factory.Services.GetRequiredService<IRenewalIndex>().CheckpointAsync(CancellationToken.None);
        Assert.Equal(new DateOnly(2027, 3, 15), checkpoint!.Done);

        await hub.SweepAtAsync(At(2027, 3, 16));
        Assert.Single(await hub.LogAsync());
        Assert.Single(await hub.FreezesAsync());
    }

    [Fact]
    public async Task CMP_2_a_swept_day_table_is_dropped_whole_its_reminder_markers_stay_and_no_entry_is_written_for_a_swept_day()
    {
        using var hub = await StartAsync();
        var documentId = await hub.ApproveBrandAuthorizationAsync("v1");
        var index = hub.Factory.Services.GetRequiredService<IRenewalIndex>();
        var reminderDay = new DateOnly(2027, 2, 9);
        var dayTable = TableRenewalIndex.DayTable(hub.Factory.Names.RenewalIndexTable, reminderDay);
        Assert.Single(await index.DayAsync(reminderDay, CancellationToken.None));
        Assert.True(await TableExistsAsync(dayTable));
        await Assert.ThrowsAsync<InvalidOperationException>(() => index.ForgetAsync(reminderDay, CancellationToken.None));

        await hub.SweepAtAsync(At(2027, 2, 9));
        Assert.Single(await hub.RemindersAsync());
        Assert.False(await TableExistsAsync(dayTable));
        Assert.Empty(await index.DayAsync(reminderDay, CancellationToken.None));
        Assert.Single(await index.DayAsync(new DateOnly(2027, 3, 4), CancellationToken.None));

        // The marker outlives the day's table: the entry handled again (an overlapping run) sends nothing.
        var entry = new RenewalEntry(reminderDay, SellerId, AdmissionDocuments.BrandAuthorization, documentId, RenewalKind.Reminder30);
        Assert.Equal(RenewalOutcome.ReminderAlreadySent, await hub.Factory.Services.GetRequiredService<RenewalSweep>().HandleAsync(entry, CancellationToken.None));
        Assert.Single(await hub.RemindersAsync());

        // An entry for a day the checkpoint has passed would never be read: it is not written.
        await index.AddAsync([entry with { DocumentId = "DOC-late" }], CancellationToken.None);
        Assert.False(await TableExistsAsync(dayTable));
    }

    private static async Task<bool> TableExistsAsync(string name)
        => await TestStorage.Tables().QueryAsync(TableServiceClient.CreateQueryFilter($"TableName eq {name}")).AnyAsync();

    [Fact]
    public async Task CMP_1_the_sweep_checkpoint_only_moves_forward_also_under_overlapping_advances()
    {
        using var hub = await StartAsync();
        var index = hub.Factory.Services.GetRequiredService<IRenewalIndex>();

        Assert.Equal(new DateOnly(2027, 3, 12), await index.AdvanceAsync(new DateOnly(2027, 3, 12), CancellationToken.None));
        // An overlapping run that finished an earlier day: told where the checkpoint is, never moves it back.
        Assert.Equal(new DateOnly(2027, 3, 12), await index.AdvanceAsync(new DateOnly(2027, 3, 10), CancellationToken.None));
        Assert.Equal(new DateOnly(2027, 3, 12), (await index.CheckpointAsync(CancellationToken.None))!.Done);

        // Racing advances (ETag conflicts retried): the furthest day wins, whatever the order.
        var days = Enumerable.Range(13, 8).Select(d => new DateOnly(2027, 3, d)).Reverse().ToList();
        var race = Task.WhenAll(days.Select(d => index.AdvanceAsync(d, CancellationToken.None)));
        while (!race.IsCompleted)
        {
            // The retry's jitter waits on the fake clock: move it on until every advance went through.
            hub.Clock.Advance(TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(race, Task.Delay(10));
        }

        var reached = await race;
        Assert.All(reached.Zip(days), r => Assert.True(r.First >= r.Second));
        Assert.Equal(new DateOnly(2027, 3, 20), (await index.CheckpointAsync(CancellationToken.None))!.Done);
    }

    [Fact]
    public async Task CMP_1_a_seller_whose_document_was_renewed_is_neither_reminded_nor_frozen_on_the_old_dates()
    {
        using var hub = await StartAsync();
        await hub.ApproveBrandAuthorizationAsync("v1");
        hub.Clock.SetUtcNow(At(2026, 9, 1));
        var renewed = await hub.ApproveBrandAuthorizationAsync("v2");

        await hub.SweepAtAsync(At(2027, 2, 1));
        await hub.SweepAtAsync(At(2027, 3, 12));

        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);
        Assert.Empty(await hub.LogAsync());
        Assert.Empty(await hub.RemindersAsync());

        // The renewed version has its own dates: frozen on 2027-09-02, not before.
        await hub.SweepAtAsync(At(2027, 9, 1));
        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);
        Assert.Equal([30, 7], (await hub.RemindersAsync()).Select(r => r.GetProperty("daysBefore").GetInt32()).Order().Reverse());
        Assert.All(await hub.RemindersAsync(), r => Assert.Equal(renewed, r.GetProperty("documentId").GetString()));
        await hub.SweepAtAsync(At(2027, 9, 2));
        Assert.Equal(SellerStatus.Frozen, (await hub.SellerAsync()).Status);
    }

    [Fact]
    public async Task CMP_4_unfreeze_is_refused_naming_what_is_missing_until_a_new_version_is_approved_then_allowed_and_the_trail_lists_both_actors()
    {
        using var hub = await StartAsync();
        await hub.ApproveBrandAuthorizationAsync("v1");
        await hub.SweepAtAsync(At(2027, 3, 11));
        Assert.Equal(SellerStatus.Frozen, (await hub.SellerAsync()).Status);

        hub.Clock.SetUtcNow(At(2027, 3, 12));
        using var reviewer = hub.Signed(TestClients.Reviewer);
        var refused = await HttpAssert.Problem(await reviewer.PostAsync($"/api/sellers/{SellerId}/unfreeze", null), HttpStatusCode.Conflict, "CMP-4");
        var missing = Assert.Single(refused.GetProperty("missing").EnumerateArray()).GetString();
        Assert.StartsWith("brand-authorization: no approved version since the freeze on 2027-03-11", missing, StringComparison.Ordinal);

        // Uploaded and validated, not yet approved: still refused.
        var renewal = await hub.ApproveBrandAuthorizationAsync("v2", approve: false);
        await HttpAssert.Problem(await reviewer.PostAsync($"/api/sellers/{SellerId}/unfreeze", null), HttpStatusCode.Conflict, "CMP-4");
        Assert.Equal(SellerStatus.Frozen, (await hub.SellerAsync()).Status);

        await HttpAssert.Json(await reviewer.PostAsJsonAsync($"/api/sellers/{SellerId}/documents/{renewal}/review", new { decision = "approve" }));
        using var seller = hub.Signed(TestClients.Seller);
        await HttpAssert.Problem(await seller.PostAsync($"/api/sellers/{SellerId}/unfreeze", null), HttpStatusCode.Forbidden, "forbidden-role");
        var unfrozen = await HttpAssert.Json(await reviewer.PostAsync($"/api/sellers/{SellerId}/unfreeze", null));
        Assert.Equal("active", unfrozen.GetProperty("status").GetString());
        Assert.Equal(0, unfrozen.GetProperty("freezeReasons").GetArrayLength());

        await HttpAssert.Problem(await reviewer.PostAsync($"/api/sellers/{SellerId}/unfreeze", null), HttpStatusCode.Conflict, "not-frozen");
        await HttpAssert.Problem(await reviewer.PostAsync("/api/sellers/no-such-seller/unfreeze", null), HttpStatusCode.NotFound, "not-found");

        var trail = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{SellerId}/compliance-log"));
        var entries = trail.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["freeze", "unfreeze"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["system:compliance-sweep", $"reviewer:{TestClients.Reviewer.Id}"],
            entries.Select(e => $"{e.GetProperty("actor").GetProperty("kind").GetString()}:{e.GetProperty("actor").GetProperty("id").GetString()}"));
        Assert.Equal("brand-authorization: new version approved on 2027-03-12", Assert.Single(entries[1].GetProperty("evidence").EnumerateArray()).GetString());

        // The sweep on the old entries changes nothing now: they are stale.
        await hub.SweepAtAsync(At(2027, 3, 13));
        Assert.Equal(SellerStatus.Active, (await hub.SellerAsync()).Status);
        Assert.Equal(2, (await hub.LogAsync()).Count);
    }
}
