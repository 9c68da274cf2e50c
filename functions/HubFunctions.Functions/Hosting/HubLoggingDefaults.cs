using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace HubFunctions.Functions.Hosting;

/// <summary>
/// The hosts' logging defaults, as the lowest-precedence configuration source: every setting of the app (local settings,
/// app settings, environment, command line, tests) overrides them.
/// <para>
/// <c>Logging:LogLevel:Azure.Core</c> = <c>Warning</c>: the Azure SDK logs every storage request and response at
/// Information, headers included (about 10 requests and 100 log lines per order), which buried the app's own lines in the
/// local log and would be most of what the Functions worker sends to Application Insights. At Warning the SDK still logs
/// what deserves a look: error responses (4xx and 5xx; the expected 404/409/412 of conditional writes among them) and
/// responses slower than 3 s. To see every request again, set <c>Logging:LogLevel:Azure.Core</c> to <c>Information</c>.
/// </para>
/// </summary>
public static class HubLoggingDefaults
{
    /// <summary>The defaults: configuration key → value.</summary>
    public static IReadOnlyDictionary<string, string?> Values { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["Logging:LogLevel:Azure.Core"] = "Warning",
    };

    /// <summary>Adds <see cref="Values"/> as the first (lowest-precedence) source of <paramref name="configuration"/>.</summary>
    public static void AddHubLoggingDefaults(this IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = Values });
    }
}
