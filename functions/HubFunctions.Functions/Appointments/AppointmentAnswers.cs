using System.Globalization;
using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Calendar;
using HubFunctions.Functions.Admission;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace HubFunctions.Functions.Appointments;

/// <summary>What the appointment functions share: the calling seller's check and the answers' shapes.</summary>
public static class AppointmentAnswers
{
    /// <summary>
    /// The hub (404 unknown, 403 another hub's operator), then the caller's bound seller through
    /// <see cref="SellerAccess"/> (404 unknown seller, 403 a seller of another hub; SEC-2).
    /// </summary>
    public static async Task<(Seller? Seller, ProblemResult? Problem)> CallingSellerAsync(this SellerAccess access, HttpRequest request, string hub, CancellationToken cancellationToken)
    {
        var caller = request.GetCaller();
        if (ResourceAccess.CheckHub(caller, hub) is { } hubRefused)
        {
            return (null, hubRefused);
        }

        return caller.SellerId is { } sellerId
            ? await access.CheckAsync(request, sellerId, hub, cancellationToken)
            : (null, new ProblemResult(Problems.Forbidden(ProblemCodes.Forbidden, $"Client '{caller.ClientId}' is not bound to a seller.")));
    }

    /// <summary>The answer to a booking, change or cancellation.</summary>
    public static IActionResult Answer(AppointmentResult result, int okStatus = StatusCodes.Status200OK) => result.Outcome switch
    {
        AppointmentOutcome.Ok when okStatus == StatusCodes.Status201Created => HubResults.Created(View(result.Appointment!, result.SplitInto)),
        AppointmentOutcome.Ok => HubResults.Ok(View(result.Appointment!, result.SplitInto)),
        AppointmentOutcome.NotFound => new ProblemResult(Problems.NotFound("There is no such appointment of this seller at this hub.")),
        AppointmentOutcome.CapacityFull => new ProblemResult(Problems.Conflict(AppointmentCodes.CapacityFull, result.Errors[0].Message)),
        AppointmentOutcome.Conflict => new ProblemResult(Problems.Conflict(result.Errors[0].Code, result.Errors[0].Message) with
        {
            Extensions = new() { ["currentStatus"] = AppointmentWire.Name(result.Appointment!.Status) },
        }),
        _ => new ProblemResult(Problems.Validation(result.Errors, result.Errors[0].Code) with
        {
            Extensions = result.SplitInto is { } split ? new() { ["splitInto"] = split } : null,
        }),
    };

    /// <summary>An appointment as the API shows it (times in +08:00).</summary>
    public static object View(Appointment a, int? splitInto = null) => new
    {
        appointmentId = a.AppointmentId,
        status = AppointmentWire.Name(a.Status),
        reason = a.CancellationReason is { } r ? AppointmentWire.Name(r) : null,
        splitInto,
        sellerId = a.SellerId,
        hub = a.Hub,
        eta = ChinaTime.ToChina(a.Eta).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        vehiclePlate = a.VehiclePlate,
        driverName = a.DriverName,
        driverPhone = a.DriverPhone,
        weightKg = a.WeightKg,
        cartons = a.Cartons,
    };

    /// <summary>True for a seller client (appointments are booked and changed by the seller itself).</summary>
    public static bool IsSeller(HttpRequest request) => request.GetCaller().Role == HubRole.Seller;
}
