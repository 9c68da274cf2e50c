using System.Net;
using Azure.Storage.Blobs.Models;
using HubFunctions.Core.Billing;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Billing;

/// <summary>GET /api/sellers/{sellerId}/fee-confirmation?hub={hub} through the DevHost (BIL-8, H-1, SEC-2).</summary>
public sealed class FeeConfirmationApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task BIL_8_the_seller_itself_gets_its_letter_as_a_pdf_stored_in_blob_storage_and_the_same_bytes_again()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await factory.SeedSellerAsync("demo-seller");
        using var http = factory.CreateSignedClient(TestClients.Seller);

        var response = await http.GetAsync("/api/sellers/demo-seller/fee-confirmation?hub=hangzhou");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        var pdf = await response.Content.ReadAsByteArrayAsync();
        var text = BillingPdfTests.Text(pdf);
        foreach (var s in new[] { "费用确认书", "FeeConfirmationLetter", "demo-seller", "2026-11-28", "effectivefrom2024-01-01", "18.00", "0.30", "0.20", "0.40", "0.15", "0.80", "5.00" })
        {
            Assert.Contains(s, text, StringComparison.Ordinal);
        }

        var container = factory.Services.GetRequiredService<HubStorage>().BlobService.GetBlobContainerClient(factory.Names.BillingDocumentsContainer);
        var stored = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, "fee-confirmations/demo-seller/hangzhou/2026-11-28-", CancellationToken.None))
        {
            stored.Add(blob.Name);
        }

        var name = Assert.Single(stored);
        Assert.Equal(pdf, (await container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray());

        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        Assert.Equal(pdf, await (await reviewer.GetAsync("/api/sellers/demo-seller/fee-confirmation?hub=hangzhou")).Content.ReadAsByteArrayAsync());
        using var platform = factory.CreateSignedClient(TestClients.Platform);
        Assert.Equal(pdf, await (await platform.GetAsync("/api/sellers/demo-seller/fee-confirmation")).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task SEC_2_another_sellers_client_is_403_an_unknown_seller_404_and_a_hub_operator_is_not_allowed()
    {
        using var factory = new DevHostFactory();
        await factory.SeedSellerAsync("demo-seller");

        using var other = factory.CreateSignedClient(TestClients.Rotating);
        await HttpAssert.Problem(await other.GetAsync("/api/sellers/demo-seller/fee-confirmation?hub=hangzhou"), HttpStatusCode.Forbidden, "forbidden");
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);
        await HttpAssert.Problem(await reviewer.GetAsync("/api/sellers/no-such-seller/fee-confirmation?hub=hangzhou"), HttpStatusCode.NotFound, "not-found");
        using var op = factory.CreateSignedClient(TestClients.Operator);
        await HttpAssert.Problem(await op.GetAsync("/api/sellers/demo-seller/fee-confirmation?hub=hangzhou"), HttpStatusCode.Forbidden, "forbidden-role");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        await HttpAssert.Problem(await seller.GetAsync("/api/sellers/demo-seller/fee-confirmation?hub=dongguan"), HttpStatusCode.Forbidden, "forbidden");

        Assert.Empty(await StoredAsync(factory));
    }

    [Fact]
    public async Task H_1_a_tianjin_seller_gets_no_letter_and_nothing_is_stored()
    {
        using var factory = new DevHostFactory();
        var sellerId = await factory.SeedSellerAsync("tianjin-seller", "tianjin");
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);

        var problem = await HttpAssert.Problem(await reviewer.GetAsync($"/api/sellers/{sellerId}/fee-confirmation?hub=tianjin"), HttpStatusCode.Conflict, "H-1");
        Assert.Contains("tianjin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await HttpAssert.Problem(await reviewer.GetAsync($"/api/sellers/{sellerId}/fee-confirmation"), HttpStatusCode.Conflict, "H-1");
        Assert.Empty(await StoredAsync(factory));
    }

    [Theory]
    [InlineData("shanghai")]
    [InlineData("")]
    [InlineData("HANGZHOU")]
    public async Task H_1_a_hub_that_is_not_one_of_the_four_is_422(string hub)
    {
        using var factory = new DevHostFactory();
        await factory.SeedSellerAsync("demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);

        var problem = await HttpAssert.Problem(await seller.GetAsync($"/api/sellers/demo-seller/fee-confirmation?hub={hub}"), HttpStatusCode.UnprocessableEntity, "H-1");
        Assert.Equal("hub", problem.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task BIL_8_a_rate_card_source_registered_later_with_AddSingleton_replaces_the_published_cards()
    {
        var next = new RateCard("tianjin", new DateOnly(2027, 1, 1), 12.34m, PublishedRates.UsageRates);
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now),
            services: s => s.AddSingleton<IRateCardSource>(new FixedCards([next])));
        var sellerId = await factory.SeedSellerAsync("tianjin-seller", "tianjin");
        using var reviewer = factory.CreateSignedClient(TestClients.Reviewer);

        var response = await reviewer.GetAsync($"/api/sellers/{sellerId}/fee-confirmation?hub=tianjin");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = BillingPdfTests.Text(await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("effectivefrom2027-01-01", text, StringComparison.Ordinal);
        Assert.Contains("12.34", text, StringComparison.Ordinal);
    }

    [Fact]
    public void BIL_8_the_app_does_not_start_without_its_fonts_and_says_which_and_how_to_fix_it()
    {
        var error = HostStart.Failure(() => new DevHostFactory(settings: new Dictionary<string, string?> { ["Hub:Pdf:FontFolder"] = "/nonexistent-font-folder" }));
        var message = error.ToString();
        Assert.Contains("DroidSansFallbackFull.ttf", message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent-font-folder", message, StringComparison.Ordinal);
    }

    private static async Task<List<string>> StoredAsync(DevHostFactory factory)
    {
        var container = factory.Services.GetRequiredService<HubStorage>().BlobService.GetBlobContainerClient(factory.Names.BillingDocumentsContainer);
        var names = new List<string>();
        if (!await container.ExistsAsync())
        {
            return names;
        }

        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private sealed class FixedCards(IReadOnlyList<RateCard> cards) : IRateCardSource
    {
        public Task<RateCardHistory> HistoryAsync(string hub, CancellationToken cancellationToken) => Task.FromResult(new RateCardHistory(hub, cards));
    }
}
