using HubFunctions.Integration.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>The hosts' logging defaults (<c>HubLoggingDefaults</c>): the Azure SDK's request log is off unless a setting turns it on.</summary>
public sealed class LoggingDefaultsTests
{
    private static readonly Dictionary<string, string?> PatientHealth = new() { ["Hub:Health:StorageTimeout"] = "00:00:30" };

    [Fact]
    public async Task By_default_the_Azure_SDK_logs_no_storage_request_at_Information_but_still_logs_warnings()
    {
        using var factory = new DevHostFactory(settings: PatientHealth);
        using var http = factory.CreateDefaultClient();
        var answer = await http.GetAsync("/api/health");
        answer.EnsureSuccessStatusCode();

        // The health check read storage (the answer says so), and the app's own lines reach the log...
        Assert.Contains(factory.Logs, l => l.Category.StartsWith("HubFunctions", StringComparison.Ordinal) || l.Category.StartsWith("Microsoft", StringComparison.Ordinal));
        // ...but none of the SDK's request and response lines.
        Assert.DoesNotContain(factory.Logs, l => l.Category == "Azure.Core" && l.Level < LogLevel.Warning);
        var sdk = factory.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Azure.Core");
        Assert.False(sdk.IsEnabled(LogLevel.Information));
        Assert.True(sdk.IsEnabled(LogLevel.Warning));
    }

    [Fact]
    public async Task A_setting_turns_the_Azure_SDK_request_log_back_on()
    {
        using var factory = new DevHostFactory(settings: new Dictionary<string, string?>(PatientHealth) { ["Logging:LogLevel:Azure.Core"] = "Information" });
        using var http = factory.CreateDefaultClient();
        (await http.GetAsync("/api/health")).EnsureSuccessStatusCode();

        Assert.Contains(factory.Logs, l => l.Category == "Azure.Core" && l.Level == LogLevel.Information && l.Message.StartsWith("Request [", StringComparison.Ordinal));
    }
}
