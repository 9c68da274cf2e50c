using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using HubFunctions.Core.Admission;
using HubFunctions.Infrastructure.Storage;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>What the appointment tests share: bodies, times and calls (sellers: <see cref="TestSellers"/>; snapshots: <see cref="TableSnapshot"/>).</summary>
public static class AppointmentFixture
{
    public static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static string Eta(DateTimeOffset eta) => eta.ToOffset(China).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    public static Dictionary<string, object?> Booking(DateTimeOffset eta, string plate = "浙A12345", decimal weightKg = 1200m) => new()
    {
        ["eta"] = Eta(eta),
        ["vehiclePlate"] = plate,
        ["driverName"] = "王师傅",
        ["driverPhone"] = "+86 138 0013 8000",
        ["weightKg"] = weightKg,
        ["cartons"] = 40,
    };

    /// <summary>A copy of <paramref name="body"/> with <paramref name="field"/> set (or removed, with <paramref name="remove"/>).</summary>
    public static Dictionary<string, object?> With(this Dictionary<string, object?> body, string field, object? value, bool remove = false)
    {
        var copy = new Dictionary<string, object?>(body);
        if (remove)
        {
            copy.Remove(field);
        }
        else
        {
            copy[field] = value;
        }

        return copy;
    }

    /// <summary>The first China hour at least 48 h after <paramref name="now"/>, plus <paramref name="extraHours"/>.</summary>
    public static DateTimeOffset FirstBookableHour(DateTimeOffset now, int extraHours = 0)
    {
        var earliest = now.ToOffset(China).AddHours(48);
        var hour = new DateTimeOffset(earliest.Year, earliest.Month, earliest.Day, earliest.Hour, 0, 0, China);
        return (hour < earliest ? hour.AddHours(1) : hour).AddHours(extraHours);
    }

    public static Task<HttpResponseMessage> BookAsync(HttpClient http, object body, string hub = "hangzhou")
        => http.PostAsJsonAsync($"/api/hubs/{hub}/appointments", body);

    public static async Task<string> BookedIdAsync(HttpClient http, object body)
    {
        var json = await HttpAssert.Json(await BookAsync(http, body), System.Net.HttpStatusCode.Created);
        Assert.Equal("scheduled", json.GetProperty("status").GetString());
        return json.GetProperty("appointmentId").GetString()!;
    }

    public static async Task<JsonElement> ArriveAsync(HttpClient http, string plate, DateTimeOffset arrivedAt, decimal? weighbridgeKg = null)
    {
        var body = new Dictionary<string, object?> { ["vehiclePlate"] = plate, ["arrivedAt"] = Eta(arrivedAt) };
        if (weighbridgeKg is not null)
        {
            body["weighbridgeKg"] = weighbridgeKg;
        }

        return await HttpAssert.Json(await http.PostAsJsonAsync("/api/hubs/hangzhou/gate/arrivals", body));
    }

    /// <summary>
    /// Awaits <paramref name="work"/> while moving <paramref name="clock"/> on in 50 ms steps, as domain time passes in a real
    /// race. (Until session s15 racing writers' retry pauses, <c>OptimisticRetry</c>, waited on the injected clock and needed
    /// this to end; they are wall-clock pauses now.)
    /// </summary>
    public static async Task<T> WhileTimePassesAsync<T>(this Microsoft.Extensions.Time.Testing.FakeTimeProvider clock, Task<T> work)
    {
        while (!work.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            await Task.WhenAny(work, Task.Delay(10));
        }

        return await work;
    }

    /// <summary>The event types committed in the outbox of <paramref name="tableName"/> about <paramref name="subject"/> (the relay is not running, so they stay there), sorted.</summary>
    public static async Task<List<string>> OutboxEventTypesAsync(string tableName, string subject)
    {
        var table = TestStorage.Tables().GetTableClient(tableName);
        var types = new List<string>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.RowKey.CompareTo("outbox|") >= 0 && e.RowKey.CompareTo("outbox}") < 0))
        {
            var cloudEvent = JsonDocument.Parse(e.GetString("Event")!).RootElement;
            if (cloudEvent.GetProperty("subject").GetString() == subject)
            {
                types.Add(cloudEvent.GetProperty("type").GetString()!);
            }
        }

        types.Sort(StringComparer.Ordinal);
        return types;
    }
}
