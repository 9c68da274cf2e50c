using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Infrastructure.Admission;
using HubFunctions.Infrastructure.Events;
using HubFunctions.Infrastructure.Idempotency;
using HubFunctions.Infrastructure.Security;
using HubFunctions.Infrastructure.Storage;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Benchmarks;

/// <summary>The figures of one run: bookings per second each way, and their ratio (DevHost ÷ direct).</summary>
public sealed record AppointmentThroughputResult(int Bookings, int Concurrency, double DevHostPerSecond, double DirectPerSecond, int DevHostCreated, int DirectStored)
{
    public double Ratio => DevHostPerSecond / DirectPerSecond;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"appointments: {Bookings} bookings at concurrency {Concurrency}: DevHost {DevHostPerSecond:F0}/s ({DevHostCreated} created), direct storage {DirectPerSecond:F0}/s ({DirectStored} stored), ratio {Ratio:F2}");
}

/// <summary>
/// APT bookings per second through the DevHost (signed HTTP request, pipeline with <c>webhook-id</c> record,
/// seller check, rules, dock counter and outbox commit) against the same storage operations made directly with
/// the Azure SDK at the same concurrency, in the same run, on the Azurite named by <c>HUB_TEST_STORAGE</c>.
/// Each booking takes its own hub-hour on both sides (no capacity contention; the race is tested elsewhere).
/// Each booking is a different vehicle (plate), as in practice: bookings of one plate on one day at one hub claim the
/// same APT-6 plate-day row and are serialised on it. The storage operations of one booking, both ways, as
/// <c>TableOutbox</c> makes them now: idempotency insert, seller read, APT-6 plate-day read, plate-day claim
/// (insert), slot read, outbox intent upsert (carrying the event), the transaction (counter + appointment + outbox
/// row), the intent marked committed, the shared relay wake-up (one queue message for many commits), idempotency update.
/// </summary>
public static class AppointmentThroughput
{
    private const string ClientId = "bench-seller";
    private const string SellerId = "bench-seller";
    private static readonly string Secret = WebhookSignature.SecretPrefix + Convert.ToBase64String(Encoding.UTF8.GetBytes("bench-seller-secret-0123456789"));

    public static async Task<AppointmentThroughputResult> RunAsync(string connectionString, int bookings, int concurrency, int rounds = 2)
    {
        var names = BenchmarkNames.Isolated();
        using var factory = new Factory(connectionString, names);
        using var http = factory.CreateClient();
        if (!await factory.Services.GetRequiredService<ISellerDirectory>().TryAddAsync(new Seller(SellerId, "hangzhou", "HGH-000009", SellerStatus.Active, "brand-trader",
            "基准测试有限公司", "91330100MA2CFLXX1D", TaxRating.A, new DateOnly(2024, 1, 1), []), [], CancellationToken.None))
        {
            throw new InvalidOperationException("The benchmark seller could not be stored.");
        }

        var start = FirstHour(DateTimeOffset.UtcNow);
        // Each side has its own storage names, so each counts its own hours from the start: the 90-day booking
        // horizon (2,160 hours) bounds the bookings of one side, not of both together.
        int devhostHours = 0, directHours = 0;
        DateTimeOffset Hour() => start.AddHours(Interlocked.Increment(ref devhostHours));
        DateTimeOffset DirectHour() => start.AddHours(Interlocked.Increment(ref directHours));
        var plates = 0;
        string Plate() => string.Create(CultureInfo.InvariantCulture, $"浙A{Interlocked.Increment(ref plates):D5}");

        // Warm-up both paths (JIT, table creation, connections), then alternate the measured rounds. The direct side
        // writes the rows the DevHost's warm-up bookings wrote.
        await Concurrently.CountAsync(concurrency, concurrency, _ => BookAsync(http, Hour(), Plate()));
        var direct = new Direct(connectionString, BenchmarkNames.Isolated(), await Rows.CaptureAsync(connectionString, names));
        await direct.PrepareAsync();
        await Concurrently.CountAsync(concurrency, concurrency, _ => direct.BookAsync(DirectHour(), Plate()));
        double devhostSeconds = 0, directSeconds = 0;
        int created = 0, stored = 0;
        for (var round = 0; round < rounds; round++)
        {
            var watch = Stopwatch.StartNew();
            created += await Concurrently.CountAsync(bookings / rounds, concurrency, _ => BookAsync(http, Hour(), Plate()));
            devhostSeconds += watch.Elapsed.TotalSeconds;
            watch.Restart();
            stored += await Concurrently.CountAsync(bookings / rounds, concurrency, _ => direct.BookAsync(DirectHour(), Plate()));
            directSeconds += watch.Elapsed.TotalSeconds;
        }

        var total = bookings / rounds * rounds;
        return new AppointmentThroughputResult(total, concurrency, total / devhostSeconds, total / directSeconds, created, stored);
    }

    private static DateTimeOffset FirstHour(DateTimeOffset now)
    {
        var china = now.ToOffset(TimeSpan.FromHours(8)).AddHours(49);
        return new DateTimeOffset(china.Year, china.Month, china.Day, china.Hour, 0, 0, TimeSpan.FromHours(8));
    }

    private static async Task<bool> BookAsync(HttpClient http, DateTimeOffset eta, string plate)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            eta = eta.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            vehiclePlate = plate,
            driverName = "王师傅",
            driverPhone = "13800138000",
            weightKg = 1200,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hubs/hangzhou/appointments") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        request.Headers.Add("x-hub-client", ClientId);
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(WebhookSignature.DecodeSecret(Secret), id, timestamp, body));
        using var response = await http.SendAsync(request);
        return response.StatusCode == HttpStatusCode.Created;
    }



    /// <summary>The DevHost in-process (as the integration tests run it), listeners off, on its own storage names.</summary>
    private sealed class Factory(string connectionString, StorageNames names) : WebApplicationFactory<HubFunctions.DevHost.ActiveFunctions>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            var settings = names.All.ToDictionary(n => $"{StorageNames.Section}:{n.Setting}", n => (string?)n.Name);
            settings["AzureWebJobsStorage"] = connectionString;
            settings["DevHost:Listeners"] = "false";
            settings[$"Hub:Clients:{ClientId}:Secret"] = Secret;
            settings[$"Hub:Clients:{ClientId}:Role"] = "seller";
            settings[$"Hub:Clients:{ClientId}:SellerId"] = SellerId;
            builder.UseEnvironment("Production");
            builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(settings));
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        }
    }

    /// <summary>
    /// The rows one DevHost booking wrote, read back from the DevHost's own tables after its warm-up, so the direct side
    /// writes the same entities (same properties, same sizes: the event JSON in the intent and the outbox row, the
    /// compressed response in the idempotency row) rather than a lighter stand-in. Keys are replaced per booking.
    /// </summary>
    private sealed record Rows(
        IReadOnlyDictionary<string, object> IdempotencyStarted, IReadOnlyDictionary<string, object> IdempotencyDone,
        IReadOnlyDictionary<string, object> PlateDay, IReadOnlyDictionary<string, object> Intent,
        IReadOnlyList<(string RowKey, IReadOnlyDictionary<string, object> Properties)> SlotPartition)
    {
        /// <summary>What <c>TableIdempotencyStore.CompleteAsync</c> writes; the rest of the row is written at the start.</summary>
        private static readonly string[] Completion = ["State", "CompletedAt", "Status", "ContentType", "Location", "BodyBlob", "BodySha256"];

        public static async Task<Rows> CaptureAsync(string connectionString, StorageNames names)
        {
            var service = new TableServiceClient(connectionString);
            async Task<List<TableEntity>> All(string table)
            {
                var rows = new List<TableEntity>();
                await foreach (var row in service.GetTableClient(table).QueryAsync<TableEntity>())
                {
                    rows.Add(row);
                }

                return rows;
            }

            var idempotency = (await All(names.IdempotencyTable)).First(r => (string?)r["State"] == "done");
            var done = Properties(idempotency).Where(p => Completion.Contains(p.Key) || p.Key.StartsWith("Body", StringComparison.Ordinal)).ToDictionary();
            var started = Properties(idempotency).Where(p => !done.ContainsKey(p.Key)).ToDictionary();
            started["State"] = "pending";
            var plateDay = (await All(names.GateArrivalsTable)).First(r => r.RowKey == "plate-day");
            var intent = Properties((await All(names.OutboxIntentsTable)).First());
            intent.Remove("Committed");
            var appointments = await All(names.AppointmentsTable);
            var slot = appointments.First(r => r.RowKey == "slot").PartitionKey;
            return new Rows(started, done, Properties(plateDay), intent,
                [.. appointments.Where(r => r.PartitionKey == slot).Select(r => (r.RowKey, (IReadOnlyDictionary<string, object>)Properties(r)))]);
        }

        private static Dictionary<string, object> Properties(TableEntity row) =>
            row.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).ToDictionary(p => p.Key, p => p.Value);

        public static TableEntity Entity(string partition, string row, IReadOnlyDictionary<string, object> properties)
        {
            var entity = new TableEntity(partition, row);
            foreach (var (key, value) in properties)
            {
                entity[key] = value;
            }

            return entity;
        }
    }

    /// <summary>The same storage operations as one DevHost booking, with the same rows, made directly with the SDK.</summary>
    private sealed class Direct(string connectionString, StorageNames names, Rows rows)
    {
        private readonly TableServiceClient _service = new(connectionString);
        private TableClient _idempotency = null!, _sellers = null!, _gate = null!, _appointments = null!, _intents = null!;
        private QueueClient _relay = null!;
        private HeldWakeUps _wakeUps = null!;

        public async Task PrepareAsync()
        {
            async Task<TableClient> Table(string name)
            {
                var client = _service.GetTableClient(name);
                await client.CreateIfNotExistsAsync();
                return client;
            }

            (_idempotency, _sellers, _gate, _appointments, _intents) = (await Table(names.IdempotencyTable), await Table(names.SellersTable),
                await Table(names.GateArrivalsTable), await Table(names.AppointmentsTable), await Table(names.OutboxIntentsTable));
            _relay = new QueueClient(connectionString, names.OutboxRelayQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
            await _relay.CreateIfNotExistsAsync();
            _wakeUps = new HeldWakeUps(_relay);
            await _sellers.AddEntityAsync(new TableEntity(SellerId, TableSellerDirectory.SellerRow(SellerId)) { ["Hub"] = "hangzhou", ["Status"] = "active" });
        }

        public async Task<bool> BookAsync(DateTimeOffset eta, string plate)
        {
            var id = Guid.NewGuid().ToString("N");
            var day = DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var (idempotencyPartition, _) = TableIdempotencyStore.KeysOf(ClientId, id);
            var lease = await _idempotency.AddEntityAsync(Rows.Entity(idempotencyPartition, id, rows.IdempotencyStarted));
            await _sellers.GetEntityIfExistsAsync<TableEntity>(SellerId, TableSellerDirectory.SellerRow(SellerId));
            var plateDay = "hangzhou|" + VehiclePlate.ToKeySafe(plate) + "|" + day;
            await _gate.GetEntityIfExistsAsync<TableEntity>(plateDay, "plate-day", ["Blocked"]);
            await _gate.SubmitTransactionAsync([new(TableTransactionActionType.Add, Rows.Entity(plateDay, "plate-day", rows.PlateDay))]);
            var slotKey = DockCapacity.SlotKey("hangzhou", eta);
            var slot = await _appointments.GetEntityIfExistsAsync<TableEntity>(slotKey, "slot");
            var eventId = Guid.NewGuid().ToString("D");
            var minute = DateTime.UtcNow.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
            await _intents.SubmitTransactionAsync([new(TableTransactionActionType.UpsertReplace, Rows.Entity(minute, eventId, rows.Intent))]);
            await _appointments.SubmitTransactionAsync(rows.SlotPartition.Select(r => r.RowKey == "slot"
                ? slot.HasValue
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, Rows.Entity(slotKey, "slot", r.Properties), slot.Value!.ETag)
                    : new TableTransactionAction(TableTransactionActionType.Add, Rows.Entity(slotKey, "slot", r.Properties))
                : new TableTransactionAction(TableTransactionActionType.Add, Rows.Entity(slotKey, r.RowKey[..(r.RowKey.IndexOf('|', StringComparison.Ordinal) + 1)] + (r.RowKey.StartsWith("outbox|", StringComparison.Ordinal) ? eventId : id), r.Properties))));
            await _intents.SubmitTransactionAsync([new(TableTransactionActionType.UpdateMerge, new TableEntity(minute, eventId) { ["Committed"] = true }, ETag.All)]);
            await _wakeUps.WakeUpAsync();
            await _idempotency.UpdateEntityAsync(Rows.Entity(idempotencyPartition, id, rows.IdempotencyDone), lease.Headers.ETag ?? ETag.All, TableUpdateMode.Merge);
            return true;
        }
    }
}
