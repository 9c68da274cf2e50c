using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Compliance;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Appointments;

/// <summary>Booking and listing inbound appointments (APT-1..4, APT-6, APT-7, APT-9).</summary>
public sealed class AppointmentFunctions(AppointmentHandler handler, SellerAccess access)
{
    public sealed record BookingBody(string? Eta, string? VehiclePlate, string? DriverName, string? DriverPhone, decimal? WeightKg, int? Cartons);

    /// <summary>POST /api/hubs/{hub}/appointments, by the seller: 201, 422 (rule id as code), 409 capacity-full, 403 CMP-3.</summary>
    [Function("BookAppointment")]
    [AllowRoles(HubRole.Seller)]
    public async Task<IActionResult> Book(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/appointments")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CallingSellerAsync(request, hub, cancellationToken);
        if ((problem ?? SellerAccessProblems.Frozen(seller!, FrozenActions.BookAppointment)) is { } refused)
        {
            return refused;
        }

        var body = await request.ReadJsonAsync<BookingBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var b = body.Value!;
        var result = await handler.BookAsync(hub, seller!.SellerId, new BookingRequest(b.Eta, b.VehiclePlate, b.DriverName, b.DriverPhone, b.WeightKg, b.Cartons), cancellationToken);
        return AppointmentAnswers.Answer(result, StatusCodes.Status201Created);
    }

    /// <summary>GET /api/hubs/{hub}/appointments?date=YYYY-MM-DD: a seller sees its own, the hub's operator all of the hub's.</summary>
    [Function("ListAppointments")]
    [AllowRoles(HubRole.Seller, HubRole.HubOperator)]
    public async Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "hubs/{hub}/appointments")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        string? sellerId = null;
        if (AppointmentAnswers.IsSeller(request))
        {
            var (seller, problem) = await access.CallingSellerAsync(request, hub, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            sellerId = seller!.SellerId;
        }
        else if (ResourceAccess.CheckHub(request.GetCaller(), hub) is { } hubRefused)
        {
            return hubRefused;
        }

        if (!DateOnly.TryParseExact(request.Query["date"].ToString(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date))
        {
            return new ProblemResult(Problems.Validation("date", "invalid-date", "date is required as YYYY-MM-DD (a China calendar day)."));
        }

        var appointments = await handler.ListAsync(hub, date, sellerId, cancellationToken);
        return HubResults.Ok(new { hub, date = date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), appointments = appointments.Select(a => AppointmentAnswers.View(a)) });
    }
}
