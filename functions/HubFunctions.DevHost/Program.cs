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
    // Values sit under environment variables and the command line, as in the Functions host.
    builder.Configuration.AddLocalSettings(settingsPath);
    builder.Configuration.AddEnvironmentVariables();
    builder.Configuration.AddCommandLine(args);
}

builder.Services.AddDevHost(builder.Configuration);
builder.Services.AddHub(builder.Configuration);

var app = builder.Build();
app.UseProblemResponses();
app.MapFunctions();
app.MapAdmin();
app.Logger.LogInformation("DevHost: {Count} functions from local settings {Settings}", app.Services.GetRequiredService<ActiveFunctions>().All.Count, File.Exists(settingsPath) ? settingsPath : "(none)");
app.Run();

/// <summary>The DevHost's entry point, public for WebApplicationFactory.</summary>
public partial class Program;

namespace HubFunctions.DevHost
{
    public static class DevHostRegistration
    {
        /// <summary>
        /// The DevHost's own services. <c>DevHost:Assemblies</c> names extra assemblies whose
        /// functions are loaded too (tests use it); <c>DevHost:Listeners=false</c> turns queue and
        /// timer listeners off.
        /// </summary>
        public static IServiceCollection AddDevHost(this IServiceCollection services, IConfiguration configuration)
        {
            var hostSettings = HostSettings.Load(Path.Combine(AppContext.BaseDirectory, "host.json"), configuration);
            services.AddSingleton(hostSettings);
            services.AddSingleton<IOptions<HostSettings>>(Options.Create(hostSettings));
            services.AddSingleton(_ =>
            {
                var assemblies = new List<Assembly> { typeof(FunctionCatalog).Assembly };
                assemblies.AddRange((configuration.GetSection("DevHost:Assemblies").Get<string[]>() ?? []).Select(Assembly.Load));
                return FunctionCatalog.Discover(assemblies);
            });
            services.AddSingleton<ActiveFunctions>();
            services.AddSingleton<FunctionInvoker>();
            if (configuration.GetValue("DevHost:Listeners", true))
            {
                services.AddHostedService<QueueTriggerService>();
                services.AddHostedService<TimerTriggerService>();
            }

            return services;
        }
    }
}
