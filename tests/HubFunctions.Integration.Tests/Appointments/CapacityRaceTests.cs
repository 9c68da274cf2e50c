using System.Net;
using HubFunctions.Core.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using static HubFunctions.Integration.Tests.Appointments.AppointmentFixture;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>APT-7 under load: concurrent bookings through the DevHost on Azurite never exceed the dock capacity.</summary>
[Collection(QueueCollection.Name)]
public sealed class CapacityRaceTests
{
    [Fact]
    public async Task APT_7_200_concurrent_bookings_for_one_hub_hour_with_capacity_10_schedule_exactly_10_five_times()
    {
        // The system clock: the losers' retry pauses must really pass. Five separate hub-hours.
        using var factory = new DevHostFactory();
        await factory.SeedSellerAsync("demo-seller");
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var store = factory.Services.GetRequiredService<IAppointmentStore>();
        for (var round = 0; round < 5; round++)
        {
            var eta = FirstBookableHour(DateTimeOffset.UtcNow, extraHours: 2 + round);
            var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => BookAsync(http, Booking(eta, plate: $"浙A{i:D5}"))));
            var statuses = responses.Select(r => r.StatusCode).ToList();
            Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.Created));
            Assert.Equal(190, statuses.Count(s => s == HttpStatusCode.Conflict));
            foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Take(3))
            {
                await HttpAssert.Problem(conflict, HttpStatusCode.Conflict, "capacity-full");
            }

            Assert.Equal(10, (await store.ReadSlotAsync("hangzhou", eta, CancellationToken.None)).Count);
            var listed = await store.ListAsync("hangzhou", Core.Calendar.ChinaTime.DateOf(eta), Core.Calendar.ChinaTime.DateOf(eta), null, null, CancellationToken.None);
            Assert.Equal(10, listed.Count(a => a.Appointment.Eta == eta && a.Appointment.Status == AppointmentStatus.Scheduled));
        }
    }
}
