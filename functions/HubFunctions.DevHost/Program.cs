using System.Reflection;
using HubFunctions.DevHost;
using HubFunctions.Functions.Hosting;
using Microsoft.Extensions.Options;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// local.settings.json: --settings PATH, else HUB_LOCAL_SETTINGS, else the copy next to the binaries.
var settingsPath = builder.Configuration["settings"] ?? Environment.GetEnvironmentVariable("HUB_LOCAL_SETTINGS")
    ?? Path.Combine(AppContext.BaseDirectory, "local.settings.json");
if (File.Exists(settingsPath))
{
    // Lowest precedence: environment variables, the command line (and tests) override Values, as in the Functions host.
    builder.Configuration.Sources.Insert(0, new ConfigurationBuilder().AddLocalSettings(Path.GetFullPath(settingsPath)).Sources[0]);
}

// Below even the local settings: they, and everything above them, override these defaults.
builder.Configuration.AddHubLoggingDefaults();

builder.Services.AddDevHost();
builder.Services.AddHub(builder.Configuration);

var app = builder.Build();
app.UseProblemResponses();
app.MapFunctions();
app.MapAdmin();
app.MapDemoSeed();
app.MapDemoBillingSeed();
app.Logger.LogInformation("DevHost: {Count} functions from local settings {Settings}", app.Services.GetRequiredService<ActiveFunctions>().All.Count, File.Exists(settingsPath) ? settingsPath : "(none)");
app.Run();

namespace HubFunctions.DevHost
{
    public static class DevHostRegistration
    {
        /// <summary>
        /// The DevHost's own services. <c>DevHost:Assemblies</c> names extra assemblies whose
        /// functions are loaded too (tests use it); <c>DevHost:Listeners=false</c> turns queue and
        /// timer listeners off (see <see cref="ActiveFunctions"/>).
        /// </summary>
        public static IServiceCollection AddDevHost(this IServiceCollection services)
        {
            // Settings are read when first resolved, so configuration added late (tests) counts.
            services.AddSingleton(provider => HostSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), provider.GetRequiredService<IConfiguration>()));
            services.AddSingleton<IOptions<HostSettings>>(provider => Options.Create(provider.GetRequiredService<HostSettings>()));
            services.AddSingleton(provider =>
            {
                var assemblies = new List<Assembly> { typeof(FunctionCatalog).Assembly };
                assemblies.AddRange((provider.GetRequiredService<IConfiguration>().GetSection("DevHost:Assemblies").Get<string[]>() ?? []).Select(Assembly.Load));
                return FunctionCatalog.Discover(assemblies);
            });
            services.AddSingleton<ActiveFunctions>();
            services.AddSingleton(provider =>
            {
                var tax = provider.GetRequiredService<IOptions<HubFunctions.Infrastructure.TaxAuthority.TaxAuthorityOptions>>().Value;
                return new SimulatedTaxAuthority(tax.ClientId ?? "local", tax.ApiKey ?? "local");
            });
            services.AddSingleton<FunctionInvoker>();
            services.AddHostedService<QueueTriggerService>();
            services.AddHostedService<TimerTriggerService>();
            return services;
        }
    }
}
