using HubFunctions.Core.Access;
using HubFunctions.Core.Appointments;
using HubFunctions.Core.Hubs;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Functions.Appointments;

/// <summary>The gate (APT-4, APT-5, APT-6, APT-8) and the no-show sweep (APT-8).</summary>
public sealed class GateFunctions(GateHandler gate, NoShowSweep sweep, AppointmentOptions options, TimeProvider clock, ILogger<GateFunctions> logger)
{
    public sealed record ArrivalBody(string? VehiclePlate, DateTimeOffset? ArrivedAt, decimal? WeighbridgeKg);

    /// <summary>POST /api/hubs/{hub}/gate/arrivals, by the hub's operator: 200 admitted or refused (with the rule id as code).</summary>
    [Function("RecordGateArrival")]
    [AllowRoles(HubRole.HubOperator)]
    public async Task<IActionResult> Arrive(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "hubs/{hub}/gate/arrivals")] HttpRequest request,
        string hub,
        CancellationToken cancellationToken)
    {
        var caller = request.GetCaller();
        if (ResourceAccess.CheckHub(caller, hub) is { } hubRefused)
        {
            return hubRefused;
        }

        var body = await request.ReadJsonAsync<ArrivalBody>(cancellationToken);
        if (body.Problem is { } unreadable)
        {
            return unreadable;
        }

        var arrival = new GateArrival(body.Value!.VehiclePlate, body.Value.ArrivedAt, body.Value.WeighbridgeKg);
        var errors = GateInputs.Validate(arrival, clock.GetUtcNow(), options, out var plate);
        if (errors.Count > 0)
        {
            return new ProblemResult(Problems.Validation(errors));
        }

        var (arrivalId, decision) = await gate.ArriveAsync(hub, plate, arrival.ArrivedAt!.Value, arrival.WeighbridgeKg, caller.ClientId, cancellationToken);
        return HubResults.Ok(new
        {
            arrivalId,
            decision = decision.Admitted ? "admitted" : "refused",
            appointmentId = decision.AppointmentId,
            code = decision.Code,
            detail = decision.Message,
        });
    }

    /// <summary>Every 5 minutes (UTC): scheduled appointments past their hour + 2 h become no-shows, once each.</summary>
    [Function("SweepNoShows")]
    public async Task SweepNoShows([TimerTrigger("0 */5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var marked = await sweep.RunAsync(Hubs.All.Select(h => h.Id).ToList(), cancellationToken);
        logger.LogInformation("No-show sweep marked {Count} appointments", marked);
    }
}
