using HubFunctions.Functions.Hosting;

namespace HubFunctions.DevHost;

/// <summary>The functions this DevHost runs: the catalog, less any left out by host.json <c>functions</c>.</summary>
public sealed class ActiveFunctions
{
    public ActiveFunctions(FunctionCatalog catalog, HostSettings settings, IConfiguration configuration)
    {
        Listeners = configuration.GetValue("DevHost:Listeners", true);
        var only = settings.Functions.Count > 0 ? new HashSet<string>(settings.Functions, StringComparer.OrdinalIgnoreCase) : null;
        All = [.. catalog.All.Where(f => only is null || only.Contains(f.Name))];
        foreach (var function in All)
        {
            FunctionInvoker.Validate(function);
        }
    }

    public IReadOnlyList<FunctionDescriptor> All { get; }

    /// <summary>False when <c>DevHost:Listeners</c> is false: queue and timer triggers then run only through the admin API.</summary>
    public bool Listeners { get; }

    /// <summary>The functions whose triggers the listeners poll or schedule.</summary>
    public IEnumerable<FunctionDescriptor> Listening(TriggerKind trigger) => Listeners ? All.Where(f => f.Trigger == trigger) : [];

    public FunctionDescriptor? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
