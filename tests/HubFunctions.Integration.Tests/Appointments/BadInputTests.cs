using System.Net;
using System.Net.Http.Json;
using System.Text;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.Time.Testing;
using static HubFunctions.Integration.Tests.Appointments.AppointmentFixture;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>Bad bookings are 4xx problem+json and store nothing (every table compared before and after).</summary>
public sealed class AppointmentBadInputTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, China);
    private static readonly DateTimeOffset Eta = Now.AddDays(3);

    public static TheoryData<string, string> BadBodies()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in new[] { "eta", "vehiclePlate", "driverName", "driverPhone", "weightKg" })
        {
            data.Add(Json(Booking(Eta).With(field, null, remove: true)), field == "vehiclePlate" || field == "driverPhone" ? "APT-3" : "required");
        }

        data.Add(Json(Booking(Eta).With("eta", 20261204)), "invalid-value");
        data.Add(Json(Booking(Eta).With("vehiclePlate", 12345)), "invalid-value");
        data.Add(Json(Booking(Eta).With("driverName", true)), "invalid-value");
        data.Add(Json(Booking(Eta).With("driverPhone", 13800138000)), "invalid-value");
        data.Add(Json(Booking(Eta).With("weightKg", "1200")), "invalid-value");
        data.Add(Json(Booking(Eta).With("weightKg", "NaN")), "invalid-value");
        data.Add(Json(Booking(Eta).With("cartons", 1.5)), "invalid-value");
        data.Add(Json(Booking(Eta).With("weightKg", -1)), "invalid-weight");
        data.Add(Json(Booking(Eta).With("weightKg", 0)), "invalid-weight");
        data.Add(Json(Booking(Eta).With("eta", Eta(Now.AddDays(-1)))), "APT-1");
        data.Add(Json(Booking(Eta).With("eta", Eta(Now.AddYears(10)))), "eta-too-far");
        data.Add(Json(Booking(Eta).With("eta", "tomorrow")), "invalid-eta");
        data.Add("""{"eta": "2026-12-04T10:00:00+08:00", "eta": "2026-12-05T10:00:00+08:00"}""", "duplicate-property");
        data.Add("[]", "invalid-value");
        return data;
    }

    private static string Json(object body) => System.Text.Json.JsonSerializer.Serialize(body);

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task APT_bad_booking_input_is_422_problem_and_stores_nothing(string body, string code)
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await factory.SeedSellerAsync("demo-seller");
        using var http = factory.CreateSignedClient(TestClients.Seller);
        var before = await TableSnapshot.AllAsync(factory.Names);
        var response = await http.PostAsync("/api/hubs/hangzhou/appointments", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await HttpAssert.Problem(response, HttpStatusCode.UnprocessableEntity, code);
        Assert.True(problem.TryGetProperty("errors", out _));
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
    }

    [Fact]
    public async Task SEC_2_unknown_hub_unknown_seller_and_malformed_bodies_are_4xx_and_store_nothing()
    {
        using var factory = new DevHostFactory(clock: new FakeTimeProvider(Now));
        await factory.SeedSellerAsync("demo-seller");
        using var http = factory.CreateSignedClient(TestClients.Seller);
        using var unknown = factory.CreateSignedClient(TestClients.Rotating); // its seller is not in this store
        var before = await TableSnapshot.AllAsync(factory.Names);
        await HttpAssert.Problem(await BookAsync(http, Booking(Eta), hub: "shanghai"), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await BookAsync(http, Booking(Eta), hub: "xian"), HttpStatusCode.Forbidden, "forbidden");
        await HttpAssert.Problem(await BookAsync(unknown, Booking(Eta)), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await http.PostAsync("/api/hubs/hangzhou/appointments", new StringContent("{\"eta\":", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest, "malformed-json");
        await HttpAssert.Problem(await http.PostAsync("/api/hubs/hangzhou/appointments", new StringContent("eta=1", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        await HttpAssert.Problem(await http.PatchAsJsonAsync("/api/hubs/hangzhou/appointments/not-an-id", new { weightKg = 10 }), HttpStatusCode.NotFound, "not-found");
        await HttpAssert.Problem(await http.PatchAsJsonAsync("/api/hubs/hangzhou/appointments/APT-2026120410-00000000000000000000", new { }), HttpStatusCode.UnprocessableEntity, "nothing-to-change");
        Assert.Equal(before, await TableSnapshot.AllAsync(factory.Names));
    }
}
