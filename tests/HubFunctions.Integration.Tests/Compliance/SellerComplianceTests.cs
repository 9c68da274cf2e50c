using System.Net;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Compliance;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Compliance;

/// <summary>
/// Freeze and unfreeze in the seller store on Azurite (CMP-4, CMP-6): the seller, its audit entry and
/// its event commit together, also when the commit's answer is lost; concurrent freezes are all
/// recorded; reviewers read the audit trail through the DevHost.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class SellerComplianceTests
{
    private static readonly ComplianceActor Sweep = ComplianceActor.System("compliance-sweep");
    private static readonly FreezeReason Customs = FreezeReason.DocumentExpiredOn(AdmissionDocuments.CustomsDeclaration, new DateOnly(2026, 11, 1));
    private static readonly FreezeReason Brand = FreezeReason.DocumentExpiredOn(AdmissionDocuments.BrandAuthorization, new DateOnly(2026, 10, 30));
    private static readonly FreezeReason TaxM = FreezeReason.TaxRatingDropped(TaxRating.M);

    private static Task<string> Seed(DevHostFactory factory, string? sellerId = null) => factory.SeedSellerAsync(sellerId ?? TestStorage.Unique("cmp-"));

    private static Task<List<TableEntity>> Rows(StorageNames names, string sellerId) => TableSnapshot.EntitiesAsync(names.SellersTable, sellerId);

    private static SellerCompliance Compliance(DevHostFactory factory) => factory.Services.GetRequiredService<SellerCompliance>();

    [Fact]
    public async Task CMP_6_a_freeze_whose_commit_answer_was_lost_is_stored_once_with_one_audit_entry_and_one_event()
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseResponses(names.SellersTable);
        using var factory = new DevHostFactory(names: names, services: s => s.AddSingleton<StorageClientPolicy>(fault));
        var sellerId = await Seed(factory);

        fault.Arm(batches: 1);
        var result = await Compliance(factory).FreezeAsync(sellerId, [Customs], Sweep, CancellationToken.None);

        Assert.Equal(1, fault.LostBatches);
        Assert.Equal(FreezeOutcome.Frozen, result.Outcome);
        var rows = await Rows(names, sellerId);
        var seller = Assert.Single(rows, r => r.RowKey == TableSellerDirectory.SellerRow(sellerId));
        var entry = Assert.Single(rows, r => r.RowKey.StartsWith(TableSellerComplianceStore.LogRowPrefix, StringComparison.Ordinal));
        var outbox = Assert.Single(rows, r => r.RowKey.StartsWith(TableOutbox.RowPrefix, StringComparison.Ordinal));
        Assert.Equal("frozen", seller.GetString("Status"));
        Assert.Equal(1, seller.GetInt32(TableSellerComplianceStore.LogLengthProperty));
        Assert.Equal((TableSellerComplianceStore.LogRow(sellerId, 1), "Freeze", "compliance-sweep"), (entry.RowKey, entry.GetString("Action"), entry.GetString("ActorId")));
        Assert.Equal(EventTypes.SellerFrozen, outbox.GetString("EventType"));

        // One commit: the three rows carry the same commit stamp.
        Assert.Single(new[] { seller, entry, outbox }.Select(r => r.GetString(TableOutbox.CommitProperty)).Distinct());
    }

    [Fact]
    public async Task CMP_6_concurrent_freezes_with_different_reasons_are_all_recorded()
    {
        using var factory = new DevHostFactory();
        var sellerId = await Seed(factory);
        var compliance = Compliance(factory);

        var results = await Task.WhenAll(new[] { Customs, Brand, TaxM }.Select(r => Task.Run(() => compliance.FreezeAsync(sellerId, [r], Sweep, CancellationToken.None))));

        Assert.All(results, r => Assert.Equal(FreezeOutcome.Frozen, r.Outcome));
        var seller = await factory.Services.GetRequiredService<ISellerDirectory>().FindAsync(sellerId, CancellationToken.None);
        Assert.Equal(SellerStatus.Frozen, seller!.Status);
        Assert.Equal(["CMP-1/brand-authorization", "CMP-1/customs-declaration", "tax-rating"], seller.FreezeReasons.Select(r => r.Key).Order());

        var log = await compliance.ReadLogAsync(sellerId, CancellationToken.None);
        Assert.Equal([1, 2, 3], log.Select(e => e.Sequence));
        Assert.Equal([SellerStatus.Active, SellerStatus.Frozen, SellerStatus.Frozen], log.Select(e => e.Before));
        Assert.Equal(3, log.SelectMany(e => e.Reasons).Select(r => r.Key).Distinct().Count());
        Assert.Equal(3, (await Rows(factory.Names, sellerId)).Count(r => r.RowKey.StartsWith(TableOutbox.RowPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CMP_6_freezing_an_unknown_seller_says_so_and_stores_nothing()
    {
        using var factory = new DevHostFactory();
        var sellerId = TestStorage.Unique("nobody-");

        var result = await Compliance(factory).FreezeAsync(sellerId, [Customs], Sweep, CancellationToken.None);

        Assert.Equal(FreezeOutcome.UnknownSeller, result.Outcome);
        Assert.Null(result.Seller);
        Assert.Empty(await Rows(factory.Names, sellerId));
    }

    [Fact]
    public async Task CMP_6_reviewers_read_the_audit_trail_oldest_first_with_actors_and_the_seller_shows_frozen_with_reasons()
    {
        using var factory = new DevHostFactory(listeners: true);
        var sellerId = await Seed(factory);
        var compliance = Compliance(factory);
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);

        await compliance.FreezeAsync(sellerId, [Customs, TaxM], Sweep, CancellationToken.None);
        var seller = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{sellerId}"));
        Assert.Equal("frozen", seller.GetProperty("status").GetString());
        Assert.Equal(["CMP-1", "tax-rating"], seller.GetProperty("freezeReasons").EnumerateArray().Select(r => r.GetProperty("rule").GetString()));
        Assert.Equal("customs-declaration", seller.GetProperty("freezeReasons")[0].GetProperty("documentType").GetString());

        var frozen = Assert.Single(await factory.TakeEventsAsync($"sellers/{sellerId}", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
        Assert.Equal(EventTypes.SellerFrozen, frozen.Type);
        Assert.Equal(["CMP-1", "tax-rating"], frozen.Data.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("rule").GetString()));

        var refused = await compliance.UnfreezeAsync(sellerId, ComplianceActor.Reviewer(TestClients.Reviewer.Id), UnfreezeEvidence.None, CancellationToken.None);
        Assert.Equal(UnfreezeOutcome.Refused, refused.Outcome);
        Assert.Contains(refused.Missing, m => m.StartsWith("customs-declaration: no approved version since the freeze on ", StringComparison.Ordinal));
        var evidence = new UnfreezeEvidence(new Dictionary<string, DateTimeOffset> { [AdmissionDocuments.CustomsDeclaration] = DateTimeOffset.UtcNow.AddMinutes(1) }, TaxRating.B);
        Assert.Equal(UnfreezeOutcome.Unfrozen, (await compliance.UnfreezeAsync(sellerId, ComplianceActor.Reviewer(TestClients.Reviewer.Id), evidence, CancellationToken.None)).Outcome);

        var trail = await HttpAssert.Json(await reviewer.GetAsync($"/api/sellers/{sellerId}/compliance-log"));
        Assert.Equal("active", trail.GetProperty("status").GetString());
        var entries = trail.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["freeze", "unfreeze"], entries.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal([1, 2], entries.Select(e => e.GetProperty("sequence").GetInt32()));
        Assert.Equal(["system:compliance-sweep", $"reviewer:{TestClients.Reviewer.Id}"],
            entries.Select(e => $"{e.GetProperty("actor").GetProperty("kind").GetString()}:{e.GetProperty("actor").GetProperty("id").GetString()}"));
        Assert.Equal([("active", "frozen"), ("frozen", "active")], entries.Select(e => (e.GetProperty("statusBefore").GetString(), e.GetProperty("statusAfter").GetString())));
        Assert.All(entries, e => Assert.Equal(2, e.GetProperty("reasons").GetArrayLength()));
        Assert.Equal(["customs-declaration: new version approved on " + FreezeReason.Iso(evidence.LatestApprovals[AdmissionDocuments.CustomsDeclaration]), "tax-rating: now B"],
            entries[1].GetProperty("evidence").EnumerateArray().Select(e => e.GetString()));
        Assert.All(entries, e => Assert.True(e.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UnixEpoch));

        var unfrozen = Assert.Single(await factory.TakeEventsAsync($"sellers/{sellerId}", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1)));
        Assert.Equal((EventTypes.SellerUnfrozen, TestClients.Reviewer.Id), (unfrozen.Type, unfrozen.Data.GetProperty("by").GetString()));
    }

    [Fact]
    public async Task CMP_6_the_audit_trail_is_for_reviewers_and_404_for_an_unknown_seller()
    {
        using var factory = new DevHostFactory();
        await Seed(factory, "demo-seller");
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        var empty = await HttpAssert.Json(await reviewer.GetAsync("/api/sellers/demo-seller/compliance-log"));
        Assert.Equal(0, empty.GetProperty("entries").GetArrayLength());
        await HttpAssert.Problem(await reviewer.GetAsync("/api/sellers/no-such-seller/compliance-log"), HttpStatusCode.NotFound, "not-found");

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.GetAsync("/api/sellers/demo-seller/compliance-log"), HttpStatusCode.Forbidden, "forbidden-role");
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        await HttpAssert.Problem(await platform.GetAsync("/api/sellers/demo-seller/compliance-log"), HttpStatusCode.Forbidden, "forbidden-role");
    }
}
