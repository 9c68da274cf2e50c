using HubFunctions.Core.Appointments;
using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Appointments;

/// <summary>APT-7: the dock capacity comes from Hub:Appointments, per hub too, and unusable values stop the host.</summary>
public sealed class AppointmentSettingsTests
{
    [Fact]
    public void APT_7_capacity_defaults_to_10_and_can_be_set_per_hub()
    {
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?> { ["Hub:Appointments:DockCapacityByHub:hangzhou"] = "3" });
        var options = factory.Services.GetRequiredService<AppointmentOptions>();
        Assert.Equal(3, options.DockCapacityFor("hangzhou"));
        Assert.Equal(10, options.DockCapacityFor("xian"));
    }

    [Fact]
    public void APT_7_a_capacity_below_1_stops_the_host()
    {
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?> { ["Hub:Appointments:DockCapacityPerHour"] = "0" });
        var e = Assert.ThrowsAny<Exception>(() => factory.Services.GetRequiredService<AppointmentOptions>());
        Assert.Contains("Hub:Appointments settings are not usable", e.ToString(), StringComparison.Ordinal);
    }
}
