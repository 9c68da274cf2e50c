using System.Net;
using System.Net.Http.Json;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Events;
using HubFunctions.Infrastructure.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Appointments.AppointmentFixture;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>
/// APT-6 is decided inside the booking's commit, not by a read before it: a gate refusal recorded (through the real
/// gate endpoint) after the booking read the plate's day and before the booking committed still refuses the booking.
/// A gate refusal that also cancels the appointment is two commits; a crash between them is healed by the retry.
/// </summary>
public sealed class MakeUpRaceTests
{
    private static readonly DateTimeOffset BookedAt = new(2026, 12, 1, 8, 0, 0, China);
    private static readonly DateTimeOffset Eta = new(2026, 12, 4, 10, 0, 0, China);

    [Fact]
    public async Task APT_6_a_gate_refusal_recorded_between_the_bookings_read_and_its_commit_refuses_the_booking_and_stores_no_appointment()
    {
        const string plate = "浙A77777";
        var hook = new HookedAppointmentStore();
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = new DevHostFactory(clock: clock,
            services: s => s.AddSingleton<IAppointmentStore>(sp => hook.Wrap(ActivatorUtilities.CreateInstance<TableAppointmentStore>(sp))));
        await factory.SeedSellerAsync("demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        hook.AfterPlateDayRead(async () =>
        {
            var refused = await ArriveAsync(gate, plate, BookedAt);
            Assert.Equal(("refused", "APT-5"), (refused.GetProperty("decision").GetString(), refused.GetProperty("code").GetString()));
        });

        var problem = await HttpAssert.Problem(await clock.WhileTimePassesAsync(BookAsync(seller, Booking(Eta, plate: plate))), HttpStatusCode.UnprocessableEntity, "APT-6");

        Assert.True(hook.Fired, "the refusal was recorded between the booking's read and its commit");
        Assert.Equal("vehiclePlate", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        var store = factory.Services.GetRequiredService<IAppointmentStore>();
        Assert.Empty(await store.ListAsync("hangzhou", DateOnly.FromDateTime(Eta.DateTime), DateOnly.FromDateTime(Eta.DateTime), null, null, CancellationToken.None));
        Assert.True((await store.ReadPlateDayAsync("hangzhou", plate, DateOnly.FromDateTime(BookedAt.DateTime), CancellationToken.None)).Blocked);
    }

    [Fact]
    public async Task APT_4_a_gate_refusal_that_crashed_after_cancelling_is_recorded_once_by_the_retry_of_the_same_webhook_id()
    {
        const string plate = "冀B99999F";
        var hook = new HookedAppointmentStore();
        var clock = new FakeTimeProvider(BookedAt);
        using var factory = new DevHostFactory(clock: clock,
            services: s => s.AddSingleton<IAppointmentStore>(sp => hook.Wrap(ActivatorUtilities.CreateInstance<TableAppointmentStore>(sp))));
        await factory.SeedSellerAsync("demo-seller");
        using var seller = factory.CreateSignedClient(TestClients.Seller);
        using var gate = factory.CreateSignedClient(TestClients.Operator);
        var id = await BookedIdAsync(seller, Booking(Eta, plate: plate));
        clock.SetUtcNow(Eta);
        hook.BeforeRecordRefusal(() => throw new InvalidOperationException("crash between the appointment's commit and the refusal's"));
        var webhookId = TestStorage.Unique("msg_");
        HttpRequestMessage Arrival()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/hubs/hangzhou/gate/arrivals")
            {
                Content = JsonContent.Create(new Dictionary<string, object?> { ["vehiclePlate"] = plate, ["arrivedAt"] = AppointmentFixture.Eta(Eta), ["weighbridgeKg"] = 3000.1m }),
            };
            request.Headers.Add("webhook-id", webhookId);
            return request;
        }

        Assert.Equal(HttpStatusCode.InternalServerError, (await gate.SendAsync(Arrival())).StatusCode);
        Assert.True(hook.Fired);
        var retried = await HttpAssert.Json(await gate.SendAsync(Arrival()));
        var again = await HttpAssert.Json(await gate.SendAsync(Arrival()));

        Assert.Equal(("refused", "APT-4", id), (retried.GetProperty("decision").GetString(), retried.GetProperty("code").GetString(), retried.GetProperty("appointmentId").GetString()));
        Assert.Equal(retried.GetProperty("arrivalId").GetString(), again.GetProperty("arrivalId").GetString());
        Assert.Equal([AppointmentEvents.Cancelled, AppointmentEvents.Scheduled], await OutboxEventTypesAsync(factory.Names.AppointmentsTable, $"appointments/{id}"));
        Assert.Equal([AppointmentEvents.Refused], await OutboxEventTypesAsync(factory.Names.GateArrivalsTable, $"appointments/{id}"));
        var gateRows = await TableSnapshot.EntitiesAsync(factory.Names.GateArrivalsTable);
        Assert.Single(gateRows, r => r.RowKey.StartsWith("refusal|", StringComparison.Ordinal));
        var eventIds = (await TableSnapshot.EntitiesAsync(factory.Names.AppointmentsTable)).Concat(gateRows)
            .Where(r => r.RowKey.StartsWith("outbox|", StringComparison.Ordinal)).Select(r => r.RowKey).ToList();
        Assert.Equal(eventIds.Count, eventIds.Distinct().Count());
        Assert.True((await factory.Services.GetRequiredService<IAppointmentStore>().ReadPlateDayAsync("hangzhou", plate, DateOnly.FromDateTime(Eta.DateTime), CancellationToken.None)).Blocked);
    }
}
