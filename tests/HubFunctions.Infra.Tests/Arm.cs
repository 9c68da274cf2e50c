using System.Text.Json.Nodes;

namespace HubFunctions.Infra.Tests;

/// <summary>Reading compiled ARM templates and snapshots.</summary>
public static class Arm
{
    /// <summary>
    /// Every resource the template deploys, including those in module (nested deployment)
    /// templates, but not <c>existing</c> references. Handles both resource layouts: an array
    /// (languageVersion 1.0) and an object keyed by symbolic name (2.0).
    /// </summary>
    public static IEnumerable<JsonObject> Resources(JsonNode template)
    {
        IEnumerable<JsonNode?> items = template["resources"] switch
        {
            JsonArray array => array,
            JsonObject map => map.Select(p => p.Value),
            _ => [],
        };
        foreach (var resource in items.OfType<JsonObject>())
        {
            if (resource["existing"]?.GetValue<bool>() == true)
            {
                continue;
            }

            yield return resource;
            if (resource.Type() == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in Resources(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The template of the module with this symbolic name in main.bicep.</summary>
    public static JsonObject Module(JsonObject template, string symbolicName) =>
        template["resources"]?[symbolicName]?["properties"]?["template"]?.AsObject()
        ?? throw new InvalidOperationException($"No module '{symbolicName}' in the template.");

    public static IReadOnlyList<JsonObject> OfType(IEnumerable<JsonObject> resources, string type) =>
        resources.Where(r => string.Equals(r.Type(), type, StringComparison.OrdinalIgnoreCase)).ToList();

    public static JsonObject Single(IEnumerable<JsonObject> resources, string type)
    {
        var matches = OfType(resources, type);
        Assert.True(matches.Count == 1, $"Expected exactly one {type}, found {matches.Count}.");
        return matches[0];
    }

    public static string? Type(this JsonObject resource) => resource["type"]?.GetValue<string>();

    public static string? Str(this JsonNode? node, params string[] path) => Walk(node, path)?.GetValue<string>();

    public static bool? Bool(this JsonNode? node, params string[] path) => Walk(node, path)?.GetValue<bool>();

    /// <summary>The predicted resources of a <c>bicep snapshot</c>.</summary>
    public static IReadOnlyList<JsonObject> Predicted(JsonObject snapshot) =>
        snapshot["predictedResources"]!.AsArray().OfType<JsonObject>().ToList();

    /// <summary>App settings (name to value, the value possibly an unevaluated expression) of a Microsoft.Web/sites resource.</summary>
    public static IReadOnlyDictionary<string, string> AppSettings(JsonObject site) =>
        site["properties"]!["siteConfig"]!["appSettings"]!.AsArray()
            .Select(s => (Name: s.Str("name")!, Value: s.Str("value")!))
            .ToDictionary(s => s.Name, s => s.Value, StringComparer.OrdinalIgnoreCase);

    private static JsonNode? Walk(JsonNode? node, string[] path)
    {
        foreach (var key in path)
        {
            node = node?[key];
        }

        return node;
    }
}
