using HubFunctions.DevHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HubFunctions.Integration.Tests.Fixtures;

/// <summary>
/// The simulated tax authority (<see cref="SimulatedTaxAuthority"/>) on a real socket on a free
/// loopback port, so the app's real HTTP adapter and its resilience pipeline talk to it.
/// </summary>
public sealed class TaxAuthorityServer : IAsyncDisposable
{
    public const string ClientId = "hub-test";
    public const string ApiKey = "test-api-key";

    private readonly WebApplication _app;

    private TaxAuthorityServer(WebApplication app, SimulatedTaxAuthority authority)
    {
        _app = app;
        Authority = authority;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
    }

    public SimulatedTaxAuthority Authority { get; }

    public Uri BaseUrl { get; }

    public static async Task<TaxAuthorityServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var authority = new SimulatedTaxAuthority(ClientId, ApiKey);
        authority.Map(app, "/");
        await app.StartAsync();
        return new TaxAuthorityServer(app, authority);
    }

    /// <summary>The settings that point the app's HTTP adapter here, with the given pipeline numbers.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? pipeline = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Hub:TaxAuthority:Mode"] = "http",
            ["Hub:TaxAuthority:BaseUrl"] = BaseUrl.AbsoluteUri,
            ["Hub:TaxAuthority:ClientId"] = ClientId,
            ["Hub:TaxAuthority:ApiKey"] = ApiKey,
        };
        foreach (var (k, v) in pipeline ?? new Dictionary<string, string?>())
        {
            settings["Hub:TaxAuthority:" + k] = v;
        }

        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
