using System.Net;
using System.Net.Http.Json;
using HubFunctions.Core.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Appointments.AppointmentFixture;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>The gate (APT-4, APT-5, APT-6, APT-8) and the no-show sweep, through the DevHost on Azurite under a fake clock.</summary>
public sealed class GateApiTests
{
    // Booked on 2026-12-01 at 08:00 China time for 2026-12-04 10:00.
    private static readonly DateTimeOffset BookedAt = new(2026, 12, 1, 8, 0, 0, China);
    private static readonly DateTimeOffset Eta = new(2026, 12, 4, 10, 0, 0, China);

    private static async Task<DevHostFactory> StartAsync(FakeTimeProvider clock)
    {
        var factory = new DevHostFactory(clock: clock);
        await factory.SeedSellerAsync("demo-seller");
        return factory;
    }

    [Fact]
    public async Task APT_5_an_unbooked_truck_is_refused_and_APT_6_then_blocks_a_same_day_booking_of_that_plate_at_that_hub()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = await StartAsync(clock);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);

        var refused = await ArriveAsync(gate, "浙A99999", BookedAt);
        Assert.Equal("refused", refused.GetProperty("decision").GetString());
        Assert.Equal("APT-5", refused.GetProperty("code").GetString());

        clock.Advance(TimeSpan.FromHours(3));
        var problem = await HttpAssert.Problem(await BookAsync(seller, Booking(Eta, plate: "浙A99999")), HttpStatusCode.UnprocessableEntity, "APT-6");
        Assert.Equal("vehiclePlate", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        await BookedIdAsync(seller, Booking(Eta, plate: "浙A88888"));
        Assert.Equal([AppointmentEvents.Refused], await OutboxEventTypesAsync(factory.Names.GateArrivalsTable, "gate-arrivals/" + refused.GetProperty("arrivalId").GetString()));

        clock.Advance(TimeSpan.FromHours(14)); // 2026-12-02 01:00 China: a new day
        await BookedIdAsync(seller, Booking(Eta.AddHours(1), plate: "浙A99999"));
    }

    [Fact]
    public async Task APT_5_a_booked_truck_on_the_wrong_day_is_refused_then_admitted_once_on_its_day()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = await StartAsync(clock);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        var id = await BookedIdAsync(seller, Booking(Eta, plate: "粤BD12345"));

        clock.SetUtcNow(Eta.AddDays(-1));
        var wrongDay = await ArriveAsync(gate, "粤BD12345", Eta.AddDays(-1));
        Assert.Equal(("refused", "APT-5"), (wrongDay.GetProperty("decision").GetString(), wrongDay.GetProperty("code").GetString()));

        clock.SetUtcNow(Eta.AddMinutes(-30));
        var admitted = await ArriveAsync(gate, "粤bd12345", Eta.AddMinutes(-30), weighbridgeKg: 2999.9m);
        Assert.Equal("admitted", admitted.GetProperty("decision").GetString());
        Assert.Equal(id, admitted.GetProperty("appointmentId").GetString());

        clock.Advance(TimeSpan.FromMinutes(10));
        var second = await ArriveAsync(gate, "粤BD12345", clock.GetUtcNow());
        Assert.Equal(("refused", "already-admitted", id), (second.GetProperty("decision").GetString(), second.GetProperty("code").GetString(), second.GetProperty("appointmentId").GetString()));

        Assert.Equal([AppointmentEvents.Admitted, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{id}"));
        Assert.Equal([AppointmentEvents.Refused], await OutboxEventTypesAsync(factory.Names.GateArrivalsTable, $"appointments/{id}"));
    }

    [Fact]
    public async Task APT_5_concurrent_arrivals_on_one_appointment_admit_it_once()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = await StartAsync(clock);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        await BookedIdAsync(seller, Booking(Eta, plate: "沪A54321F"));
        clock.SetUtcNow(Eta);
        var handler = factory.Services.GetRequiredService<GateHandler>();
        var racing = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => handler.ArriveAsync("hangzhou", "沪A54321F", Eta, null, "test", CancellationToken.None)));
        var decisions = (await clock.WhileTimePassesAsync(racing)).Select(a => a.Decision).ToList();
        Assert.Single(decisions, d => d.Admitted);
        Assert.All(decisions.Where(d => !d.Admitted), d => Assert.Equal(AppointmentCodes.AlreadyAdmitted, d.Code));
    }

    [Fact]
    public async Task APT_4_a_weighbridge_reading_over_3000_kg_refuses_cancels_and_frees_the_slot()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = new DevHostFactory(clock: clock, settings: new Dictionary<string, string?> { ["Hub:Appointments:DockCapacityPerHour"] = "1" });
        await factory.SeedSellerAsync("demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        var later = Eta.AddHours(72);
        var id = await BookedIdAsync(seller, Booking(later, plate: "冀B99999F"));
        await HttpAssert.Problem(await BookAsync(seller, Booking(later, plate: "冀B99998F")), HttpStatusCode.Conflict, "capacity-full");

        clock.SetUtcNow(later);
        var refused = await ArriveAsync(gate, "冀B99999F", later, weighbridgeKg: 3000.1m);
        Assert.Equal(("refused", "APT-4", id), (refused.GetProperty("decision").GetString(), refused.GetProperty("code").GetString(), refused.GetProperty("appointmentId").GetString()));
        var list = await HttpAssert.Json(await seller.GetAsync($"/api/hubs/hangzhou/appointments?date={later:yyyy-MM-dd}"));
        var stored = list.GetProperty("appointments").EnumerateArray().Single(a => a.GetProperty("appointmentId").GetString() == id);
        Assert.Equal(("cancelled", "APT-4"), (stored.GetProperty("status").GetString(), stored.GetProperty("reason").GetString()));
        Assert.Equal(0, (await factory.Services.GetRequiredService<IAppointmentStore>().ReadSlotAsync("hangzhou", later, CancellationToken.None)).Count);
        Assert.Equal([AppointmentEvents.Cancelled, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{id}"));
    }

    [Fact]
    public async Task APT_8_the_sweep_marks_a_no_show_once_after_hour_plus_2h_and_catches_up_missed_hours()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = await StartAsync(clock);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        using var admin = factory.CreateDefaultClient();
        var early = await BookedIdAsync(seller, Booking(Eta, plate: "浙A11111"));
        var late = await BookedIdAsync(seller, Booking(Eta.AddHours(3), plate: "浙A22222"));
        var came = await BookedIdAsync(seller, Booking(Eta, plate: "浙A33333"));

        clock.SetUtcNow(Eta.AddHours(1));
        Assert.Equal("admitted", (await ArriveAsync(gate, "浙A33333", Eta.AddHours(1))).GetProperty("decision").GetString());

        async Task<string> StatusOf(string id)
            => (await HttpAssert.Json(await seller.GetAsync($"/api/hubs/hangzhou/appointments?date={Eta:yyyy-MM-dd}"))).GetProperty("appointments")
                .EnumerateArray().Single(a => a.GetProperty("appointmentId").GetString() == id).GetProperty("status").GetString()!;

        clock.SetUtcNow(Eta.AddHours(2)); // exactly hour + 2 h: still in time
        await HttpAssert.Json(await admin.PostAsync("/admin/functions/SweepNoShows", null), HttpStatusCode.Accepted);
        Assert.Equal("scheduled", await StatusOf(early));

        clock.SetUtcNow(Eta.AddHours(2).AddMinutes(1));
        var sweep = factory.Services.GetRequiredService<NoShowSweep>();
        var hubs = new[] { "hangzhou", "dongguan", "tianjin", "xian" };
        var overlapping = await clock.WhileTimePassesAsync(Task.WhenAll(sweep.RunAsync(hubs, CancellationToken.None), sweep.RunAsync(hubs, CancellationToken.None)));
        Assert.Equal(1, overlapping.Sum());
        Assert.Equal("no-show", await StatusOf(early));
        Assert.Equal("scheduled", await StatusOf(late));
        Assert.Equal("admitted", await StatusOf(came));

        // Runs missed for six hours: the next one catches up from the checkpoint.
        clock.SetUtcNow(Eta.AddHours(9));
        Assert.Equal(1, await sweep.RunAsync(hubs, CancellationToken.None));
        Assert.Equal(0, await sweep.RunAsync(hubs, CancellationToken.None));
        Assert.Equal("no-show", await StatusOf(late));
        Assert.Equal([AppointmentEvents.NoShow, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{early}"));
        Assert.Equal([AppointmentEvents.NoShow, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{late}"));

        var tooLate = await ArriveAsync(gate, "浙A22222", clock.GetUtcNow());
        Assert.Equal("APT-5", tooLate.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Gate_input_is_checked_and_only_the_hubs_operator_records_arrivals()
    {
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = await StartAsync(clock);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        var before = await TableSnapshot.AllAsync(factory.Names);
        var problem = await HttpAssert.Problem(await gate.PostAsJsonAsync("/api/hubs/hangzhou/gate/arrivals", new { vehiclePlate = "浙O12345", arrivedAt = "2026-12-01T09:00:00+08:00", weighbridgeKg = -1 }),
            HttpStatusCode.UnprocessableEntity, "validation-failed");
        Assert.Equal(["APT-3", "invalid-arrival-time", "invalid-weight"], problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("code").GetString()));
        await HttpAssert.Problem(await gate.PostAsJsonAsync("/api/hubs/hangzhou/gate/arrivals", new { vehiclePlate = "浙A12345", arrivedAt = "2026-12-01T08:00:00" }), HttpStatusCode.UnprocessableEntity, "timestamp-offset-required");
        await HttpAssert.Problem(await gate.PostAsJsonAsync("/api/hubs/xian/gate/arrivals", new { vehiclePlate = "浙A12345", arrivedAt = "2026-12-01T08:00:00+08:00" }), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await seller.PostAsJsonAsync("/api/hubs/hangzhou/gate/arrivals", new { vehiclePlate = "浙A12345", arrivedAt = "2026-12-01T08:00:00+08:00" }), HttpStatusCode.Forbidden, "forbidden-role");
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
    }
}
