using System.Reflection;
using System.Text.Json;
using HubFunctions.Functions.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HubFunctions.Integration.Tests.Hosting;

/// <summary>
/// The DevHost wires exactly what the Worker SDK generated into functions.metadata for the
/// Functions host: names, entry points, trigger types, routes, methods, queues, schedules.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static string MetadataPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HubFunctions.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var configuration = typeof(FunctionMetadataTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var path = Path.Combine(dir!.FullName, "functions", "HubFunctions.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"functions.metadata not found at {path}: the Worker SDK did not generate it");
        return path;
    }

    private sealed record Wiring(string Name, string EntryPoint, string Trigger, string? Route, string Methods, string? Queue, string? Connection, string? Schedule);

    private static List<Wiring> Generated()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(MetadataPath()));
        return doc.RootElement.EnumerateArray().Select(f =>
        {
            var trigger = f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
            string? Get(string name) => trigger.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var methods = trigger.TryGetProperty("methods", out var m) ? string.Join(",", m.EnumerateArray().Select(x => x.GetString()!.ToLowerInvariant()).Order()) : "";
            return new Wiring(f.GetProperty("name").GetString()!, f.GetProperty("entryPoint").GetString()!, trigger.GetProperty("type").GetString()!,
                Get("route"), methods, Get("queueName"), Get("connection"), Get("schedule"));
        }).OrderBy(w => w.Name).ToList();
    }

    [Fact]
    public void The_function_catalog_both_hosts_use_equals_the_generated_functions_metadata()
    {
        var generated = Generated();
        var discovered = FunctionCatalog.ForApp().All.Select(f => new Wiring(f.Name, f.EntryPoint, f.TriggerType,
            f.Http?.Route, f.Http is null ? "" : string.Join(",", f.Http.Methods.Order()), f.Queue?.QueueName, f.Queue?.Connection, f.Timer?.Schedule))
            .OrderBy(w => w.Name).ToList();

        Assert.NotEmpty(generated);
        Assert.Equal(generated, discovered);
    }

    [Fact]
    public void The_running_DevHost_maps_exactly_the_generated_functions()
    {
        var generated = Generated();
        using var factory = new Fixtures.DevHostFactory();
        var appAssembly = typeof(FunctionCatalog).Assembly;
        var active = factory.Services.GetRequiredService<HubFunctions.DevHost.ActiveFunctions>().All
            .Where(f => f.Method.DeclaringType!.Assembly == appAssembly)
            .Select(f => new Wiring(f.Name, f.EntryPoint, f.TriggerType, f.Http?.Route, f.Http is null ? "" : string.Join(",", f.Http.Methods.Order()),
                f.Queue?.QueueName, f.Queue?.Connection, f.Timer?.Schedule))
            .OrderBy(w => w.Name).ToList();
        Assert.Equal(generated, active);

        // And each HTTP function is on the ASP.NET Core route table under the host's prefix, with its methods.
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        foreach (var http in generated.Where(g => g.Trigger == "httpTrigger"))
        {
            var endpoint = Assert.Single(endpoints, e => e.DisplayName == http.Name);
            Assert.Equal("/api/" + http.Route, endpoint.RoutePattern.RawText);
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()).Order();
            Assert.Equal(http.Methods, string.Join(",", methods));
        }
    }

    [Fact]
    public void Every_http_function_is_signed_unless_marked_public_and_public_ones_are_the_contract_s()
    {
        var publicRoutes = FunctionCatalog.ForApp().All.Where(f => f.Trigger == TriggerKind.Http && f.Policy.Public).Select(f => f.Http!.Route).Order().ToArray();
        Assert.All(publicRoutes, r => Assert.True(r == "health" || r.StartsWith("calendar/", StringComparison.Ordinal), $"{r} is public but API.md makes only health and calendar public"));
    }

    [Fact]
    public void Every_setting_a_trigger_names_is_in_the_local_sample_and_the_deployed_app_settings_with_the_default_name()
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(MetadataPath())!, "..", "..", "..", "..", ".."));
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");
        var bicep = File.ReadAllText(Path.Combine(root, "infra", "modules", "functionapp.bicep"));
        var defaults = new HubFunctions.Infrastructure.Storage.StorageNames().All.ToDictionary(n => $"Hub:Storage:{n.Setting}", n => n.Name);

        var named = Generated().SelectMany(w => new[] { w.Queue, w.Schedule })
            .SelectMany(text => System.Text.RegularExpressions.Regex.Matches(text ?? "", "%([^%]+)%").Select(m => m.Groups[1].Value))
            .Distinct().ToList();
        Assert.Contains("Hub:Storage:OutboxRelayQueue", named);
        foreach (var setting in named)
        {
            var appSetting = setting.Replace(":", "__", StringComparison.Ordinal);
            Assert.True(values.TryGetProperty(appSetting, out var local), $"{appSetting} is missing from local.settings.sample.json");
            Assert.Contains($"name: '{appSetting}'", bicep, StringComparison.Ordinal);
            if (defaults.TryGetValue(setting, out var name))
            {
                Assert.Equal(name, local.GetString());
                Assert.Matches($"name: '{appSetting}'\\s+value: '{name}'", bicep);
            }
        }
    }
}
