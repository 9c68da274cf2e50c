using HubFunctions.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The app's own storage registrations against the run's Azurite, with a chosen clock: a stand-in
/// for one process, for tests of adapters below the HTTP layer.
/// </summary>
public static class TestServices
{
    /// <param name="names">The storage names this "process" uses; share them between the processes of one test.</param>
    /// <param name="settings">More settings of this "process" (<c>Hub:Events:...</c>, ...).</param>
    public static ServiceProvider Build(TimeProvider clock, StorageNames names, Action<IServiceCollection> configure, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(TestStorage.Settings(names))
        {
            ["AzureWebJobsStorage"] = TestStorage.ConnectionString,
        }).AddInMemoryCollection(settings ?? []).Build());
        services.AddSingleton(clock);
        services.AddHubStorage();
        configure(services);
        return services.BuildServiceProvider();
    }
}
