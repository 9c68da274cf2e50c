using System.Text.RegularExpressions;

namespace HubFunctions.DevHost;

/// <summary>
/// App-setting binding expressions as the Functions host resolves them: each <c>%Name%</c> in a
/// trigger's text (a queue name, a schedule) is replaced by the setting <c>Name</c>
/// (<c>Hub:Storage:OutboxRelayQueue</c>, or <c>Hub__Storage__OutboxRelayQueue</c> as an environment
/// variable). A setting that is not there is an error, as in the host, never an empty name.
/// </summary>
public static partial class SettingExpressions
{
    public static string Resolve(string text, IConfiguration configuration)
        => Expression().Replace(text, m =>
        {
            var name = m.Groups[1].Value;
            return configuration[name.Replace("__", ":", StringComparison.Ordinal)] is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException(
                    $"'%{name}%' does not resolve to a value: set '{name.Replace(":", "__", StringComparison.Ordinal)}' in local.settings.json (see local.settings.sample.json) or the environment.");
        });

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Expression();
}
