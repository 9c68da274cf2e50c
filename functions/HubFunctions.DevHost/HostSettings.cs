using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace HubFunctions.DevHost;

/// <summary>The queue settings of host.json (<c>extensions.queues</c>), as the Functions host reads them.</summary>
public sealed class QueueHostSettings
{
    public int MaxDequeueCount { get; set; } = 5;
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;
    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);
    public int BatchSize { get; set; } = 16;
    public string MessageEncoding { get; set; } = "base64";
}

/// <summary>What the DevHost takes from host.json, with DevHost:* configuration able to override it.</summary>
public sealed class HostSettings
{
    public string RoutePrefix { get; set; } = "api";
    public QueueHostSettings Queues { get; set; } = new();

    /// <summary>host.json <c>functions</c>: when not empty, only these functions are loaded.</summary>
    public List<string> Functions { get; set; } = [];

    /// <summary>Reads host.json and applies <c>DevHost:Queues:*</c> and <c>DevHost:Functions</c> overrides.</summary>
    public static HostSettings Load(string hostJsonPath, IConfiguration configuration)
    {
        var settings = new HostSettings();
        if (File.Exists(hostJsonPath))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(hostJsonPath), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = doc.RootElement;
            if (root.TryGetProperty("functions", out var functions) && functions.ValueKind == JsonValueKind.Array)
            {
                settings.Functions = [.. functions.EnumerateArray().Select(f => f.GetString()!).Where(f => f is not null)];
            }

            if (root.TryGetProperty("extensions", out var ext))
            {
                if (ext.TryGetProperty("http", out var http) && http.TryGetProperty("routePrefix", out var prefix))
                {
                    settings.RoutePrefix = prefix.GetString() ?? "api";
                }

                if (ext.TryGetProperty("queues", out var q))
                {
                    var queues = settings.Queues;
                    if (q.TryGetProperty("maxDequeueCount", out var v))
                    {
                        queues.MaxDequeueCount = v.GetInt32();
                    }

                    if (q.TryGetProperty("visibilityTimeout", out v))
                    {
                        queues.VisibilityTimeout = TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture);
                    }

                    if (q.TryGetProperty("maxPollingInterval", out v))
                    {
                        queues.MaxPollingInterval = TimeSpan.Parse(v.GetString()!, CultureInfo.InvariantCulture);
                    }

                    if (q.TryGetProperty("batchSize", out v))
                    {
                        queues.BatchSize = v.GetInt32();
                    }

                    if (q.TryGetProperty("messageEncoding", out v))
                    {
                        queues.MessageEncoding = v.GetString() ?? "base64";
                    }
                }
            }
        }

        configuration.GetSection("DevHost:Queues").Bind(settings.Queues);
        var only = configuration.GetSection("DevHost:Functions").Get<string[]>();
        if (only is { Length: > 0 })
        {
            settings.Functions = [.. only];
        }

        if (!string.Equals(settings.Queues.MessageEncoding, "base64", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("The DevHost implements the Functions default queue message encoding, base64, only.");
        }

        return settings;
    }
}

/// <summary>Reads <c>local.settings.json</c>'s <c>Values</c> the way the Functions host exposes them (as environment variables).</summary>
public static class LocalSettings
{
    public static IConfigurationBuilder AddLocalSettings(this IConfigurationBuilder builder, string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (doc.RootElement.TryGetProperty("Values", out var section))
        {
            foreach (var property in section.EnumerateObject())
            {
                values[property.Name.Replace("__", ":", StringComparison.Ordinal)] =
                    property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
            }
        }

        return builder.AddInMemoryCollection(values);
    }
}
