using HubFunctions.Core.Appointments;
using HubFunctions.Infrastructure.Appointments;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HubFunctions.Functions.Hosting;

public static class AppointmentRegistration
{
    /// <summary>Configuration section of <see cref="AppointmentOptions"/> (<c>Hub__Appointments__DockCapacityPerHour</c>, ...).</summary>
    public const string Section = "Hub:" + AppointmentOptions.Section;

    /// <summary>
    /// Inbound appointments and the gate (APT-1..9): the settings (checked at start-up), the table store,
    /// booking/change/cancel, the gate and the no-show sweep.
    /// </summary>
    public static IServiceCollection AddHubAppointments(this IServiceCollection services)
    {
        services.AddOptions<AppointmentOptions>().BindConfiguration(Section)
            .Validate(o => o.Problems().Count == 0, "Hub:Appointments settings are not usable (see AppointmentOptions.Problems).")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<AppointmentOptions>>().Value);
        services.TryAddSingleton<IAppointmentStore, TableAppointmentStore>();
        services.TryAddSingleton<AppointmentHandler>();
        services.TryAddSingleton<GateHandler>();
        services.TryAddSingleton<NoShowSweep>();
        return services;
    }
}
