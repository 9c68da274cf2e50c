using HubFunctions.Core.Access;
using HubFunctions.Core.Admission;
using HubFunctions.Core.Appointments;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace HubFunctions.Functions.Appointments;

/// <summary>Changing and cancelling an appointment, by its seller (APT-3, APT-4, APT-6, APT-7).</summary>
public sealed class AppointmentChangeFunctions(AppointmentHandler handler, SellerAccess access)
{
    public sealed record ChangeBody(string? VehiclePlate, string? DriverPhone, decimal? WeightKg);

    /// <summary>PATCH /api/hubs/{hub}/appointments/{appointmentId}: a weight above 3,000 kg cancels it (reason APT-4).</summary>
    [Function("ChangeAppointment")]
    [AllowRoles(HubRole.Seller)]
    public async Task<IActionResult> Change(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "hubs/{hub}/appointments/{appointmentId}")] HttpRequest request,
        string hub,
        string appointmentId,
        CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CallingSellerAsync(request, hub, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var body = await request.ReadJsonAsync<ChangeBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var b = body.Value!;
        if (b is { VehiclePlate: null, DriverPhone: null, WeightKg: null })
        {
            return new ProblemResult(Problems.Validation("$", "nothing-to-change", "Send at least one of vehiclePlate, driverPhone, weightKg."));
        }

        var result = await handler.ChangeAsync(hub, seller!.SellerId, appointmentId, new AppointmentChange(b.VehiclePlate, b.DriverPhone, b.WeightKg), cancellationToken);
        return AppointmentAnswers.Answer(result);
    }

    /// <summary>DELETE /api/hubs/{hub}/appointments/{appointmentId}: the seller cancels; the dock slot is freed.</summary>
    [Function("CancelAppointment")]
    [AllowRoles(HubRole.Seller)]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "hubs/{hub}/appointments/{appointmentId}")] HttpRequest request,
        string hub,
        string appointmentId,
        CancellationToken cancellationToken)
    {
        var (seller, problem) = await access.CallingSellerAsync(request, hub, cancellationToken);
        return problem ?? AppointmentAnswers.Answer(await handler.CancelAsync(hub, seller!.SellerId, appointmentId, cancellationToken));
    }
}
