using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Queues;
using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>Uploads per second each way (and their ratio), and the DevHost's memory during large concurrent uploads.</summary>
public sealed record UploadThroughputResult(int Uploads, int Concurrency, double DevHostPerSecond, double DirectPerSecond, int DevHostCreated, int DirectStored)
{
    public double Ratio => DevHostPerSecond / DirectPerSecond;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"uploads: {Uploads} x 64 KiB PDF at concurrency {Concurrency}: DevHost {DevHostPerSecond:F1}/s ({DevHostCreated} created), direct storage {DirectPerSecond:F1}/s ({DirectStored} stored), ratio {Ratio:F2} (goal >= 0.8)");
}

/// <summary>Peak process working set and GC heap over the baseline while <c>Uploads</c> uploads of <c>Bytes</c> each ran at once.</summary>
public sealed record UploadMemoryResult(int Uploads, long Bytes, int Created, long BaselineWorkingSet, long PeakWorkingSet, long BaselineHeap, long PeakHeap)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"upload memory: {Uploads} concurrent x {Bytes / 1024.0 / 1024.0:F0} MiB ({Created} created, {Uploads * (Bytes / 1024.0 / 1024.0):F0} MiB in total): working set {BaselineWorkingSet / 1048576.0:F0} -> peak {PeakWorkingSet / 1048576.0:F0} MiB (+{(PeakWorkingSet - BaselineWorkingSet) / 1048576.0:F0}), GC heap {BaselineHeap / 1048576.0:F0} -> peak {PeakHeap / 1048576.0:F0} MiB (+{(PeakHeap - BaselineHeap) / 1048576.0:F0})");
}

/// <summary>Bytes allocated in the process for one upload of each size, one at a time.</summary>
public sealed record UploadAllocationResult(IReadOnlyList<(int Bytes, bool Created, long Allocated)> Uploads)
{
    public override string ToString() => "upload allocations, one at a time (client + DevHost): " + string.Join(", ", Uploads.Select(u => string.Create(CultureInfo.InvariantCulture,
        $"{u.Bytes / 1024} KiB{(u.Created ? "" : " (NOT created)")} -> {u.Allocated / 1048576.0:F1} MiB")));
}

/// <summary>
/// Benchmark (b) of issue 9: PDF uploads through the DevHost in-process on Kestrel (signed <c>multipart/form-data</c>
/// requests as a seller system sends them: pipeline with <c>webhook-id</c> record and streamed-body
/// signature check, seller check, multipart reading with magic bytes, 20 MiB limit and SHA-256,
/// staged block, pending-file marker, DOC-2 lookup, blob commit, version commit with its outbox event,
/// validation message) against the same Blob + Table + Queue calls made directly with the SDK (and the
/// SHA-256), at the same concurrency, alternating in the same run, on the Azurite of
/// <c>HUB_TEST_STORAGE</c>. Every upload is for a seller of its own (the platform client uploads for
/// any seller), so no two race on the same "latest version" pointer. The client side generates each
/// body while it sends it (and signs it in a first pass) through a plain <see cref="SocketsHttpHandler"/>
/// to the DevHost on a Kestrel socket, so the process holds no whole file: the memory figures are
/// the DevHost's (plus the client's small buffers).
/// </summary>
public static class UploadThroughput
{
    private const string ClientId = "bench-platform";
    private static readonly string Secret = WebhookSignature.SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes("bench-platform-secret-0123456789"));
    private static readonly byte[] Key = WebhookSignature.DecodeSecret(Secret);

    public static async Task<UploadThroughputResult> ThroughputAsync(string connectionString, int uploads, int concurrency, int bytes = 64 * 1024, int rounds = 2)
    {
        var names = BenchmarkNames.Isolated();
        using var factory = new Factory(connectionString, names);
        using var http = factory.Client();
        http.Timeout = TimeSpan.FromMinutes(10);
        var total = uploads / rounds * rounds;
        var sellers = await SeedSellersAsync(factory, (2 * concurrency) + total);
        var direct = new Direct(connectionString, BenchmarkNames.Isolated());
        await direct.PrepareAsync();
        var next = 0;
        string Seller() => sellers[Interlocked.Increment(ref next) - 1];
        var directNext = 0;
        string DirectSeller() => $"bench-up-{Interlocked.Increment(ref directNext):D6}";

        // Warm-up both paths (JIT, tables, connections), then alternate the measured rounds.
        await Concurrently.CountAsync(concurrency, concurrency, _ => UploadAsync(http, Seller(), bytes));
        await Concurrently.CountAsync(concurrency, concurrency, _ => direct.UploadAsync(DirectSeller(), bytes));
        double devhostSeconds = 0, directSeconds = 0;
        int created = 0, stored = 0;
        for (var round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            created += await Concurrently.CountAsync(uploads / rounds, concurrency, _ => UploadAsync(http, Seller(), bytes));
            devhostSeconds += watch.Elapsed.TotalSeconds;
            watch.Restart();
            stored += await Concurrently.CountAsync(uploads / rounds, concurrency, _ => direct.UploadAsync(DirectSeller(), bytes));
            directSeconds += watch.Elapsed.TotalSeconds;
        }

        return new UploadThroughputResult(total, concurrency, total / devhostSeconds, total / directSeconds, created, stored);
    }

    /// <summary><paramref name="uploads"/> uploads of <paramref name="bytes"/> at once through the DevHost, sampling the process's memory every 20 ms.</summary>
    public static async Task<UploadMemoryResult> MemoryAsync(string connectionString, int uploads, int bytes)
    {
        var names = BenchmarkNames.Isolated();
        using var factory = new Factory(connectionString, names);
        using var http = factory.Client();
        http.Timeout = TimeSpan.FromMinutes(10);
        var sellers = await SeedSellersAsync(factory, uploads + 1);
        await UploadAsync(http, sellers[^1], 64 * 1024); // warm-up

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        long baselineSet = process.WorkingSet64, baselineHeap = GC.GetTotalMemory(false);
        long peakSet = baselineSet, peakHeap = baselineHeap;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peakSet = Math.Max(peakSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var created = await Concurrently.CountAsync(uploads, uploads, i => UploadAsync(http, sellers[i], bytes));
        await stop.CancelAsync();
        await sampler;
        return new UploadMemoryResult(uploads, bytes, created, baselineSet, peakSet, baselineHeap, peakHeap);
    }

    /// <summary>
    /// Bytes allocated by the whole process (client and DevHost) for one upload at a time of each of
    /// <paramref name="sizes"/>, after a warm-up: flat when nothing on the path copies the body.
    /// </summary>
    public static async Task<UploadAllocationResult> AllocationAsync(string connectionString, IReadOnlyList<int> sizes)
    {
        using var factory = new Factory(connectionString, BenchmarkNames.Isolated());
        using var http = factory.Client();
        var sellers = await SeedSellersAsync(factory, sizes.Count + 1);
        await UploadAsync(http, sellers[^1], 64 * 1024); // warm-up
        var allocated = new List<(int Bytes, bool Created, long Allocated)>();
        for (var i = 0; i < sizes.Count; i++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var created = await UploadAsync(http, sellers[i], sizes[i]);
            allocated.Add((sizes[i], created, GC.GetTotalAllocatedBytes(precise: true) - before));
        }

        return new UploadAllocationResult(allocated);
    }

    private static async Task<List<string>> SeedSellersAsync(Factory factory, int count)
    {
        var directory = factory.Services.GetRequiredService<ISellerDirectory>();
        var ids = Enumerable.Range(0, count).Select(i => $"bench-up-{i:D6}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
            await directory.TryAddAsync(new Seller(id, "hangzhou", "HGH-000009", SellerStatus.Active, SellerCategories.BrandTrader,
                "基准测试有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []), [], ct));
        return ids;
    }

    private static async Task<bool> UploadAsync(HttpClient http, string sellerId, int bytes)
    {
        var content = new GeneratedForm(sellerId, bytes);
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var mac = WebhookSignature.BeginMac(Key, id, timestamp);
        await content.WriteAsync(mac);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sellers/{sellerId}/documents") { Content = content };
        request.Headers.Add("x-hub-client", ClientId);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(mac.GetHashAndReset()));
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Created;
    }



    /// <summary>
    /// A <c>multipart/form-data</c> brand authorisation whose file part is a PDF of <c>bytes</c> bytes,
    /// generated while it is written (unique per seller, so no two uploads have the same SHA-256).
    /// </summary>
    private sealed class GeneratedForm : HttpContent
    {
        private const string Boundary = "bench-boundary-7d1c";
        private readonly byte[] _head;
        private readonly byte[] _tail = Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n");
        private readonly byte[] _pdfHead;
        private readonly int _bytes;

        public GeneratedForm(string sellerId, int bytes)
        {
            _bytes = bytes;
            var head = new StringBuilder();
            foreach (var (name, value) in new[] { ("type", AdmissionDocuments.BrandAuthorization), ("issuedOn", "2026-01-05"), ("brand", "Example") })
            {
                head.Append(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"authorisation.pdf\"\r\nContent-Type: application/pdf\r\n\r\n");
            _head = Encoding.UTF8.GetBytes(head.ToString());
            _pdfHead = Encoding.ASCII.GetBytes($"%PDF-1.7\n% {sellerId} {Guid.NewGuid():N}\n");
            Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        }

        /// <summary>Feeds the whole body to <paramref name="mac"/> without holding it.</summary>
        public Task WriteAsync(IncrementalHash mac) => SerializeToStreamAsync(new HashingStream(mac), null);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_head);
            await stream.WriteAsync(_pdfHead);
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)'x');
            for (var left = _bytes - _pdfHead.Length; left > 0; left -= chunk.Length)
            {
                await stream.WriteAsync(chunk.AsMemory(0, Math.Min(left, chunk.Length)));
            }

            await stream.WriteAsync(_tail);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _head.Length + _bytes + _tail.Length;
            return true;
        }
    }

    private sealed class HashingStream(IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => hash.AppendData(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.AppendData(buffer.Span);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The DevHost in this process on a real Kestrel socket (loopback, dynamic port), as a deployed
    /// host receives requests, listeners off, on its own storage names.
    /// </summary>
    private sealed class Factory : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
    {
        private readonly string _connectionString;
        private readonly StorageNames _names;

        public Factory(string connectionString, StorageNames names)
        {
            _connectionString = connectionString;
            _names = names;
            UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0)); // not UseKestrel(0): dotnet/aspnetcore#67714
            StartServer();
        }

        /// <summary>
        /// A plain client on the DevHost's socket. Not <c>CreateClient()</c>: the redirect handler it adds
        /// copies every request body into memory (to replay it after a redirect), about 2 bytes
        /// allocated per uploaded byte; that was the growth the first runs of this benchmark measured.
        /// </summary>
        public HttpClient Client()
        {
            var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = _names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = _connectionString;
            settings["DevHost:Listeners"] = "false";
            settings[$"Hub:Clients:{ClientId}:Secret"] = Secret;
            settings[$"Hub:Clients:{ClientId}:Role"] = "platform";
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }

    /// <summary>
    /// The storage calls of one DevHost upload, made directly: idempotency insert, seller read,
    /// the staged block, the pending-file marker with the DOC-2 lookup, the blob commit, the "latest"
    /// pointer read, the outbox intent, the version transaction (version, content, pointer, outbox
    /// row), the intent's "committed" mark, the validation and relay messages, the idempotency update.
    /// </summary>
    private sealed class Direct(string connectionString, StorageNames names)
    {
        private readonly TableServiceClient _service = new(connectionString);
        private TableClient _idempotency = null!, _sellers = null!, _documents = null!, _pending = null!, _intents = null!;
        private QueueClient _validation = null!, _relay = null!;
        private BlobContainerClient _container = null!;

        public async Task PrepareAsync()
        {
            async Task<TableClient> Table(string name)
            {
                var client = _service.GetTableClient(name);
                await client.CreateIfNotExistsAsync();
                return client;
            }

            (_idempotency, _sellers, _documents, _pending, _intents) = (await Table(names.IdempotencyTable), await Table(names.SellersTable),
                await Table(names.DocumentsTable), await Table(names.PendingFilesTable), await Table(names.OutboxIntentsTable));
            var options = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
            _validation = new QueueClient(connectionString, names.DocumentValidationQueue, options);
            _relay = new QueueClient(connectionString, names.OutboxRelayQueue, options);
            await _validation.CreateIfNotExistsAsync();
            await _relay.CreateIfNotExistsAsync();
            _container = new BlobContainerClient(connectionString, names.DocumentsContainer);
            await _container.CreateIfNotExistsAsync();
        }

        public async Task<bool> UploadAsync(string sellerId, int bytes)
        {
            var id = Guid.NewGuid().ToString("N");
            var (idempotencyPartition, _) = TableIdempotencyStore.KeysOf(ClientId, id);
            var lease = await _idempotency.AddEntityAsync(new TableEntity(idempotencyPartition, id) { ["Status"] = "pending", ["Fingerprint"] = id });
            await _sellers.GetEntityIfExistsAsync<TableEntity>(sellerId, TableSellerDirectory.SellerRow(sellerId));

            var file = new byte[bytes];
            file.AsSpan().Fill((byte)'x');
            Encoding.ASCII.GetBytes($"%PDF-1.7\n% {sellerId} {id}\n").CopyTo(file, 0);
            var sha = Convert.ToHexString(SHA256.HashData(file)).ToLowerInvariant();
            var blob = _container.GetBlockBlobClient("blob-" + id);
            var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes("block-000000"));
            using (var block = new MemoryStream(file, writable: false))
            {
                await blob.StageBlockAsync(blockId, block);
            }

            var hour = DateTime.UtcNow.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);
            var documentId = "DOC-" + id;
            await Task.WhenAll(
                _pending.SubmitTransactionAsync([new(TableTransactionActionType.UpsertReplace, new TableEntity(hour, blob.Name) { ["SellerId"] = sellerId, ["DocumentId"] = documentId })]),
                _documents.GetEntityIfExistsAsync<TableEntity>(sellerId, $"sha256|brand-authorization|{sha}"));
            await blob.CommitBlockListAsync([blockId]);
            await _documents.GetEntityIfExistsAsync<TableEntity>(sellerId, "latest|brand-authorization");
            var eventId = Guid.NewGuid().ToString("D");
            var minute = DateTime.UtcNow.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
            await _intents.SubmitTransactionAsync([new(TableTransactionActionType.UpsertReplace, new TableEntity(minute, eventId) { ["Table"] = _documents.Name, ["StatePartition"] = sellerId, ["Event"] = "{}" })]);
            await _documents.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, new TableEntity(sellerId, "version|" + documentId) { ["Type"] = "brand-authorization", ["Version"] = 1, ["State"] = "{}" }),
                new(TableTransactionActionType.Add, new TableEntity(sellerId, $"sha256|brand-authorization|{sha}") { ["DocumentId"] = documentId }),
                new(TableTransactionActionType.Add, new TableEntity(sellerId, "latest|brand-authorization") { ["DocumentId"] = documentId, ["Version"] = 1 }),
                new(TableTransactionActionType.Add, new TableEntity(sellerId, "outbox|" + eventId) { ["Event"] = "{}", ["EventType"] = "hub.document.received" }),
            ]);
            await _intents.SubmitTransactionAsync([new(TableTransactionActionType.UpsertMerge, new TableEntity(minute, eventId) { ["Committed"] = true }, ETag.All)]);
            await _relay.SendMessageAsync(JsonSerializer.Serialize(new { table = _documents.Name, partitionKey = sellerId, eventId }));
            await _validation.SendMessageAsync(JsonSerializer.Serialize(new { sellerId, documentId }));
            await _idempotency.UpdateEntityAsync(new TableEntity(idempotencyPartition, id) { ["Status"] = "done", ["Response"] = "{}" }, lease.Headers.ETag ?? ETag.All, TableUpdateMode.Merge);
            return true;
        }
    }
}
