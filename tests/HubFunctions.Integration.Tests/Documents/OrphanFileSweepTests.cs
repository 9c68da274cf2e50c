using System.Net;
using HubFunctions.Core.Documents;
using HubFunctions.Infrastructure.Documents;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HubFunctions.Integration.Tests.Documents;

/// <summary>
/// DOC-2 "a failed upload leaves no blob behind", for a crash between the blob commit and the row
/// commit: the pending-file marker written before the blob commit lets the timer
/// <c>SweepOrphanDocumentFiles</c> (run through <c>POST /admin/functions/...</c> under a fake clock)
/// delete the orphaned blob once the grace period (1 hour by default) has passed, and only then;
/// a blob whose document row exists is never deleted.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class OrphanFileSweepTests
{
    private const string SellerId = "demo-seller";

    /// <summary>Test hook: the process "dies" right after the blob commit of an armed upload (the row is never committed).</summary>
    private sealed class CrashAfterBlobCommit(IDocumentFiles inner) : IDocumentFiles
    {
        public bool Armed { get; set; }

        public async Task KeepAsync(string blobName, long length, FileKind kind, CancellationToken cancellationToken)
        {
            await inner.KeepAsync(blobName, length, kind, cancellationToken);
            if (Armed)
            {
                Armed = false;
                throw new InvalidOperationException("test hook: the process dies after the blob commit");
            }
        }

        public Task DiscardAsync(string blobName, CancellationToken cancellationToken) => inner.DiscardAsync(blobName, cancellationToken);

        public Task<DownloadLink> LinkAsync(string blobName, string downloadName, CancellationToken cancellationToken) => inner.LinkAsync(blobName, downloadName, cancellationToken);
    }

    [Fact]
    public async Task DOC_2_a_blob_orphaned_by_a_crash_after_the_blob_commit_is_deleted_after_the_grace_period_not_before_and_a_blob_with_its_row_is_kept()
    {
        var clock = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        CrashAfterBlobCommit? hook = null;
        using var factory = new DevHostFactory(clock: clock, functions: ["UploadDocument", "SweepOrphanDocumentFiles"],
            services: s => s.AddSingleton<IDocumentFiles>(sp => hook = new CrashAfterBlobCommit(sp.GetRequiredService<BlobDocumentFiles>())));
        await DocumentForms.SeedSeller(factory, SellerId);
        using var seller = factory.CreateSignedClient(TestClients.Seller, clock);
        _ = factory.Services.GetRequiredService<IDocumentFiles>();

        // The crash: the blob is committed, the version row never is.
        var lost = DocumentForms.Pdf("crashed");
        hook!.Armed = true;
        var crashed = await seller.PostAsync($"/api/sellers/{SellerId}/documents", DocumentForms.Form(lost, DocumentForms.Licence()));
        Assert.Equal(HttpStatusCode.InternalServerError, crashed.StatusCode);
        var orphan = Assert.Single(await DocumentForms.Blobs(factory.Names));
        Assert.EndsWith($"/{lost.Length}", orphan);
        Assert.DoesNotContain(await TableSnapshot.RowsAsync(factory.Names.DocumentsTable), r => r.Contains("/version|", StringComparison.Ordinal));

        // A good upload: its blob has its row.
        var kept = DocumentForms.Pdf("kept");
        var created = await HttpAssert.Json(await seller.PostAsync($"/api/sellers/{SellerId}/documents", DocumentForms.Form(kept, DocumentForms.Licence())), HttpStatusCode.Created);
        var documentId = created.GetProperty("documentId").GetString()!;
        var keptBlob = (await factory.Services.GetRequiredService<IDocumentRepository>().GetAsync(SellerId, documentId, CancellationToken.None))!.Document.File.BlobName;
        Assert.Equal(2, (await DocumentForms.Blobs(factory.Names)).Count);

        // Within the grace period nothing is touched.
        await SweepAtAsync(factory, clock, TimeSpan.FromMinutes(59));
        Assert.Equal(2, (await DocumentForms.Blobs(factory.Names)).Count);

        // After it, the orphan goes and the document's blob stays; a second run changes nothing.
        await SweepAtAsync(factory, clock, TimeSpan.FromMinutes(2));
        var left = Assert.Single(await DocumentForms.Blobs(factory.Names));
        Assert.Equal($"{keptBlob}/{kept.Length}", left);
        await SweepAtAsync(factory, clock, TimeSpan.FromHours(2));
        Assert.Equal($"{keptBlob}/{kept.Length}", Assert.Single(await DocumentForms.Blobs(factory.Names)));
        Assert.Empty(await factory.Services.GetRequiredService<IPendingFiles>().OlderThanAsync(clock.GetUtcNow(), 10, CancellationToken.None));
    }

    private static async Task SweepAtAsync(DevHostFactory factory, FakeTimeProvider clock, TimeSpan advance)
    {
        clock.Advance(advance);
        using var admin = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/admin/functions/SweepOrphanDocumentFiles", null)).StatusCode);
    }
}
