using System.Net;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Compliance;
using HubFunctions.Core.Documents;
using HubFunctions.Core.Identifiers;
using HubFunctions.DevHost;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The DevHost's local-only demo seed (issue 8): <c>demo-seller</c> through the real stores, idempotent.</summary>
public sealed class DemoSeedTests
{
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    [Fact]
    public async Task DOC_2_the_demo_seller_gets_current_approved_documents_with_renewal_dates_and_a_second_seed_adds_no_version()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, China));
        using var factory = new DevHostFactory(clock: clock);
        using var admin = factory.CreateDefaultClient();

        var first = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        clock.Advance(TimeSpan.FromHours(1));
        var again = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        string[] types = [AdmissionDocuments.BusinessLicence, AdmissionDocuments.CustomsDeclaration, AdmissionDocuments.BrandAuthorization];
        Assert.Equal(types, first.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("type").GetString()));
        Assert.All(first.GetProperty("documents").EnumerateArray(), d => Assert.True(d.GetProperty("created").GetBoolean()));
        Assert.All(again.GetProperty("documents").EnumerateArray(), d => Assert.False(d.GetProperty("created").GetBoolean()));
        Assert.Equal(
            first.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("documentId").GetString()),
            again.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("documentId").GetString()));

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var list = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller/documents"));
        var entries = list.GetProperty("documents").EnumerateArray().ToDictionary(e => e.GetProperty("type").GetString()!);
        Assert.Equal(types.Order(), entries.Keys.Order());
        foreach (var (type, e) in entries)
        {
            Assert.Equal(1, e.GetProperty("version").GetInt32()); // the second seed added no version
            Assert.Equal("approved", e.GetProperty("status").GetString());
            Assert.Equal(e.GetProperty("documentId").GetString(), e.GetProperty("approvedDocumentId").GetString());
            Assert.Equal("2026-11-28", e.GetProperty("approvedOn").GetString());
            Assert.Equal(type == AdmissionDocuments.BusinessLicence ? null : "2027-11-28", e.GetProperty("renewalDueOn").GetString());
        }

        // The customs declaration is of the current month, sealed, with an 18-digit export number of that year (DOC-3).
        var customs = await HttpAssert.Json(await seller.GetAsync($"/api/sellers/demo-seller/documents/{entries[AdmissionDocuments.CustomsDeclaration].GetProperty("documentId").GetString()}"));
        Assert.Equal("2026-11-01", customs.GetProperty("issuedOn").GetString());
        Assert.True(customs.GetProperty("sealed").GetBoolean());
        Assert.Empty(DocumentRules.CheckCustoms(customs.GetProperty("documentNumber").GetString(), new DateOnly(2026, 11, 1), true, clock.GetUtcNow()));
        Assert.Equal("application/pdf", customs.GetProperty("contentType").GetString());
        Assert.Equal(DemoSeed.Reviewer, customs.GetProperty("reviewedBy").GetString());

        // The approval wrote the CMP-1 renewal index (freeze the day after renewal is due), once per renewable type.
        var freeze = await factory.Services.GetRequiredService<IRenewalIndex>().DayAsync(new DateOnly(2027, 11, 29), CancellationToken.None);
        Assert.Equal(
            [AdmissionDocuments.BrandAuthorization, AdmissionDocuments.CustomsDeclaration],
            freeze.Where(f => f.SellerId == DemoSeed.SellerId && f.Kind == RenewalKind.Freeze).Select(f => f.DocumentType).Order());
    }

    [Fact]
    public async Task The_demo_seller_is_seeded_once_active_since_2024_with_an_allocated_hub_seller_id_and_reads_through_the_api()
    {
        using var factory = new DevHostFactory();
        using var admin = factory.CreateDefaultClient();

        var first = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        var again = await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null));
        Assert.True(first.GetProperty("created").GetBoolean());
        Assert.False(again.GetProperty("created").GetBoolean());
        Assert.Equal("HGH-000001", first.GetProperty("hubSellerId").GetString());
        Assert.Equal("HGH-000001", again.GetProperty("hubSellerId").GetString());

        // The allocator handed out exactly one number: the next approval at Hangzhou gets HGH-000002.
        var next = await factory.Services.GetRequiredService<IHubSellerIdAllocator>().AllocateAsync("hangzhou", TestStorage.Unique("APP-"), "next-seller", CancellationToken.None);
        Assert.Equal("HGH-000002", next);

        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var json = await HttpAssert.Json(await seller.GetAsync("/api/sellers/demo-seller"));
        Assert.Equal("HGH-000001", json.GetProperty("hubSellerId").GetString());
        Assert.Equal("hangzhou", json.GetProperty("hub").GetString());
        Assert.Equal("active", json.GetProperty("status").GetString());
        Assert.Equal("brand-trader", json.GetProperty("category").GetString());
        Assert.Equal("2024-01-01", json.GetProperty("activeSince").GetString());
        Assert.Equal("A", json.GetProperty("taxRating").GetString());
        Assert.True(UnifiedSocialCreditCode.IsValid(json.GetProperty("unifiedSocialCreditCode").GetString()));
    }

    [Fact]
    public async Task Concurrent_seeds_store_one_seller_and_allocate_one_number()
    {
        using var factory = new DevHostFactory();
        using var admin = factory.CreateDefaultClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await HttpAssert.Json(await admin.PostAsync("/admin/seed/demo-seller", null))));
        Assert.All(answers, a => Assert.Equal("HGH-000001", a.GetProperty("hubSellerId").GetString()));
        Assert.Single(answers, a => a.GetProperty("created").GetBoolean());
        Assert.Equal(DemoSeed.Seller("HGH-000001"), await factory.Services.GetRequiredService<ISellerDirectory>().FindAsync(DemoSeed.SellerId, CancellationToken.None) is { } s ? s with { FreezeReasons = DemoSeed.Seller("HGH-000001").FreezeReasons } : null);
    }
}
