using System.Net;
using System.Net.Http.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Events;

/// <summary>
/// ARCHITECTURE.md, "State": a storage call can fail after it took effect. Through the DevHost, with
/// the answer of the inspection commit (LBL-4) thrown away in the Azure SDK pipeline after Azurite
/// stored it: a request whose change committed never answers 5xx, and where the outcome cannot be
/// known, the sender's retry of the same webhook-id finds the first attempt's change instead of
/// applying it again.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class AmbiguousCommitTests
{
    private static HttpRequestMessage Inspection(string sellerId, string webhookId, int sampled = 10, int failed = 5)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/hubs/hangzhou/inspections")
        {
            Content = JsonContent.Create(new
            {
                receiptId = "RCPT-1",
                sellerId,
                sampled,
                failures = Enumerable.Range(0, failed).Select(i => new { label = $"(01)09506000134352(21)S{i}", reason = "missing (17)" }).ToArray(),
            }),
        };
        request.Headers.Add("webhook-id", webhookId);
        return request;
    }

    private static Task<List<TableEntity>> Rows(StorageNames names, string sellerId) => TableSnapshot.EntitiesAsync(names.LabelComplianceTable, sellerId);

    [Fact]
    public async Task LBL_4_an_inspection_whose_commit_answer_was_lost_answers_201_and_is_stored_once()
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseResponses(names.LabelComplianceTable);
        using var factory = new DevHostFactory(names: names, services: s => s.AddSingleton<StorageClientPolicy>(fault));
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var seller = await factory.SeedSellerAsync(TestStorage.Unique("lost"));

        fault.Arm(batches: 1);
        var response = await http.SendAsync(Inspection(seller, TestStorage.Unique("msg_")));

        Assert.Equal(1, fault.LostBatches);
        var body = await HttpAssert.Json(response, HttpStatusCode.Created);
        Assert.Equal("opened", body.GetProperty("rectification").GetString());
        var rows = await Rows(names, seller);
        Assert.Single(rows, r => r.RowKey.StartsWith("inspection|", StringComparison.Ordinal));
        Assert.Single(rows, r => r.RowKey.StartsWith("rectification|", StringComparison.Ordinal));
        Assert.Single(rows, r => r.RowKey.StartsWith("outbox|", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LBL_4_when_the_outcome_cannot_be_known_the_retry_of_the_same_webhook_id_finds_the_first_change()
    {
        var names = TestStorage.IsolatedNames();
        var fault = new LoseResponses(names.LabelComplianceTable) { AlsoReads = true };
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var factory = new DevHostFactory(clock: clock, names: names, services: s => s.AddSingleton<StorageClientPolicy>(fault));
        using var http = factory.CreateSignedClient(TestClients.Operator);
        var seller = await factory.SeedSellerAsync(TestStorage.Unique("doubt"));
        var webhookId = TestStorage.Unique("msg_");

        // Storage takes the commit, then every answer on the table is lost, the check included:
        // nobody can tell whether the inspection is stored. The sender sees a 5xx and retries.
        fault.Arm(batches: 100);
        var first = await http.SendAsync(Inspection(seller, webhookId));
        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        fault.Disarm();
        Assert.Single(await Rows(names, seller), r => r.RowKey.StartsWith("inspection|", StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromSeconds(5));
        var retry = await HttpAssert.Json(await http.SendAsync(Inspection(seller, webhookId)), HttpStatusCode.Created);

        // The retry derived the same inspection id, met the stored inspection, and answers from it.
        var rows = await Rows(names, seller);
        var inspection = Assert.Single(rows, r => r.RowKey.StartsWith("inspection|", StringComparison.Ordinal));
        Assert.Equal("inspection|" + retry.GetProperty("inspectionId").GetString(), inspection.RowKey);
        var order = Assert.Single(rows, r => r.RowKey.StartsWith("rectification|", StringComparison.Ordinal));
        Assert.Equal("opened", retry.GetProperty("rectification").GetString());
        Assert.Equal("rectification|" + retry.GetProperty("rectificationId").GetString(), order.RowKey);

        // The first attempt's event is relayed by the sweeper, once.
        clock.Advance(TimeSpan.FromMinutes(1));
        using var admin = factory.CreateDefaultClient();
        var sweep = await admin.PostAsync("/admin/functions/SweepOutbox", JsonContent.Create(new { input = "" }));
        Assert.Equal(HttpStatusCode.Accepted, sweep.StatusCode);
        var events = await factory.TakeEventsAsync("rectifications/", 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        var opened = Assert.Single(events);
        Assert.Equal(EventTypes.RectificationOpened, opened.Type);
        Assert.Equal(retry.GetProperty("rectificationId").GetString(), opened.Data.GetProperty("rectificationId").GetString());
    }
}
