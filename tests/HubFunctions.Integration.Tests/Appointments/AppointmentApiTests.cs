using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Compliance;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Appointments.AppointmentFixture;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>Booking, change, cancellation and listing through the DevHost on Azurite, under a fake clock.</summary>
public sealed class AppointmentApiTests
{
    // 2026-12-01 10:00 in China.
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, China);

    private static async Task<DevHostFactory> StartAsync(FakeTimeProvider clock, IDictionary<string, string?>? settings = null)
    {
        var factory = new DevHostFactory(clock: clock, settings: settings);
        await factory.SeedSellerAsync("demo-seller");
        return factory;
    }

    private static async Task<JsonElement> Refused(HttpClient http, object body, string code)
        => await HttpAssert.Problem(await BookAsync(http, body), HttpStatusCode.UnprocessableEntity, code);

    [Fact]
    public async Task APT_1_exactly_48_hours_ahead_is_accepted_and_47_hours_59_minutes_refused()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock);
        using var http = factory.CreateSignedClient(TestClients.Seller);
        await BookedIdAsync(http, Booking(Now.AddHours(48)));
        clock.Advance(TimeSpan.FromMinutes(1));
        var problem = await Refused(http, Booking(Now.AddHours(48)), "APT-1");
        Assert.Equal(["APT-1"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task APT_2_on_the_china_hour_with_an_offset_only_and_02Z_is_10_in_china()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock);
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var day = Now.AddDays(3);
        await BookedIdAsync(http, Booking(day).With("eta", "2026-12-04T10:00:00+08:00"));
        await Refused(http, Booking(day).With("eta", "2026-12-04T10:30:00+08:00"), "APT-2");
        await Refused(http, Booking(day).With("eta", "2026-12-04T10:00:00"), "APT-2");
        var utc = await HttpAssert.Json(await BookAsync(http, Booking(day).With("eta", "2026-12-04T02:00:00Z")), HttpStatusCode.Created);
        Assert.Equal("2026-12-04T10:00:00+08:00", utc.GetProperty("eta").GetString());
    }

    [Fact]
    public async Task APT_4_three_tonnes_accepted_and_heavier_refused_with_split_count()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock);
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var eta = Now.AddDays(3);
        await BookedIdAsync(http, Booking(eta, weightKg: 3000m));
        Assert.Equal(2, (await Refused(http, Booking(eta, weightKg: 3000.1m), "APT-4")).GetProperty("splitInto").GetInt32());
        Assert.Equal(4, (await Refused(http, Booking(eta, weightKg: 9001m), "APT-4")).GetProperty("splitInto").GetInt32());
    }

    [Fact]
    public async Task APT_3_plate_and_phone_are_checked_and_normalised()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock);
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var eta = Now.AddDays(3);
        await Refused(http, Booking(eta, plate: "浙I12345"), "APT-3");
        await Refused(http, Booking(eta).With("driverPhone", "12800138000"), "APT-3");
        var ok = await HttpAssert.Json(await BookAsync(http, Booking(eta, plate: " 粤b d12345 ")), HttpStatusCode.Created);
        Assert.Equal("粤BD12345", ok.GetProperty("vehiclePlate").GetString());
        Assert.Equal("13800138000", ok.GetProperty("driverPhone").GetString());
    }

    [Fact]
    public async Task APT_9_CMP_3_a_frozen_seller_cannot_book_and_nothing_is_stored()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = new DevHostFactory(clock: clock);
        await factory.SeedSellerAsync("demo-seller", freezeReasons: [FreezeReason.DocumentExpiredOn("brand-authorization", new DateOnly(2026, 11, 1), "CMP-1 brand-authorization expired")]);
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var before = await TableSnapshot.AllAsync(factory.Names);
        var problem = await HttpAssert.Problem(await BookAsync(http, Booking(Now.AddDays(3))), HttpStatusCode.Forbidden, "CMP-3");
        Assert.Contains("CMP-1 brand-authorization expired", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
    }

    [Fact]
    public async Task APT_7_capacity_is_configurable_and_a_cancellation_frees_the_slot()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock, new Dictionary<string, string?> { ["Hub:Appointments:DockCapacityPerHour"] = "2" });
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var eta = Now.AddDays(3);
        var first = await BookedIdAsync(http, Booking(eta, plate: "浙A00001"));
        await BookedIdAsync(http, Booking(eta, plate: "浙A00002"));
        await HttpAssert.Problem(await BookAsync(http, Booking(eta, plate: "浙A00003")), HttpStatusCode.Conflict, "capacity-full");
        await BookedIdAsync(http, Booking(eta.AddHours(1), plate: "浙A00003"));

        var cancelled = await HttpAssert.Json(await http.DeleteAsync($"/api/hubs/hangzhou/appointments/{first}"));
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("seller", cancelled.GetProperty("reason").GetString());
        await BookedIdAsync(http, Booking(eta, plate: "浙A00004"));
        var again = await HttpAssert.Problem(await http.DeleteAsync($"/api/hubs/hangzhou/appointments/{first}"), HttpStatusCode.Conflict, "invalid-state");
        Assert.Equal("cancelled", again.GetProperty("currentStatus").GetString());
        Assert.Equal([AppointmentEvents.Cancelled, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{first}"));
    }

    [Fact]
    public async Task APT_4_a_change_above_3000_kg_cancels_with_reason_APT_4_and_frees_the_slot()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock, new Dictionary<string, string?> { ["Hub:Appointments:DockCapacityPerHour"] = "1" });
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var eta = Now.AddDays(3);
        var id = await BookedIdAsync(http, Booking(eta));

        var changed = await HttpAssert.Json(await http.PatchAsJsonAsync($"/api/hubs/hangzhou/appointments/{id}", new { vehiclePlate = "沪AF12345", driverPhone = "13900139000" }));
        Assert.Equal("scheduled", changed.GetProperty("status").GetString());
        Assert.Equal("沪AF12345", changed.GetProperty("vehiclePlate").GetString());
        await HttpAssert.Problem(await http.PatchAsJsonAsync($"/api/hubs/hangzhou/appointments/{id}", new { driverPhone = "123" }), HttpStatusCode.UnprocessableEntity, "APT-3");

        var heavy = await HttpAssert.Json(await http.PatchAsJsonAsync($"/api/hubs/hangzhou/appointments/{id}", new { weightKg = 3000.5m }));
        Assert.Equal("cancelled", heavy.GetProperty("status").GetString());
        Assert.Equal("APT-4", heavy.GetProperty("reason").GetString());
        Assert.Equal(2, heavy.GetProperty("splitInto").GetInt32());
        await BookedIdAsync(http, Booking(eta, plate: "浙B11111"));

        var events = await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{id}");
        Assert.Equal([AppointmentEvents.Cancelled, AppointmentEvents.Scheduled], events);
    }

    [Fact]
    public async Task SEC_2_another_sellers_appointment_is_404_and_the_list_shows_a_seller_only_its_own()
    {
        var clock = new FakeTimeProvider(Now);
        using var factory = await StartAsync(clock);
        await factory.SeedSellerAsync("rotating-seller");
        using var mine = factory.CreateSignedClient(TestClients.Seller);
        using var other = factory.CreateSignedClient(TestClients.Rotating);
        using var op = factory.CreateSignedClient(TestClients.Operator);
        var eta = Now.AddDays(3);
        var id = await BookedIdAsync(mine, Booking(eta));
        var theirs = await BookedIdAsync(other, Booking(eta, plate: "京N88888"));

        await HttpAssert.Problem(await other.DeleteAsync($"/api/hubs/hangzhou/appointments/{id}"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await other.PatchAsJsonAsync($"/api/hubs/hangzhou/appointments/{id}", new { weightKg = 10 }), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await mine.DeleteAsync("/api/hubs/hangzhou/appointments/APT-2026120410-nosuchappointment000"), HttpStatusCode.NotFound, "not-found");

        var date = $"/api/hubs/hangzhou/appointments?date={eta:yyyy-MM-dd}";
        Assert.Equal([id], (await HttpAssert.Json(await mine.GetAsync(date))).GetProperty("appointments").EnumerateArray().Select(a => a.GetProperty("appointmentId").GetString()));
        Assert.Equal([theirs], (await HttpAssert.Json(await other.GetAsync(date))).GetProperty("appointments").EnumerateArray().Select(a => a.GetProperty("appointmentId").GetString()));
        Assert.Equal(2, (await HttpAssert.Json(await op.GetAsync(date))).GetProperty("appointments").GetArrayLength());
        Assert.Equal(0, (await HttpAssert.Json(await op.GetAsync($"/api/hubs/hangzhou/appointments?date={eta.AddDays(1):yyyy-MM-dd}"))).GetProperty("appointments").GetArrayLength());
        await HttpAssert.Problem(await op.GetAsync("/api/hubs/xian/appointments?date=2026-12-04"), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await op.GetAsync("/api/hubs/hangzhou/appointments"), HttpStatusCode.UnprocessableEntity, "invalid-date");
        await HttpAssert.Problem(await op.PostAsJsonAsync("/api/hubs/hangzhou/appointments", Booking(eta)), HttpStatusCode.Forbidden, "forbidden-role");
    }
}
