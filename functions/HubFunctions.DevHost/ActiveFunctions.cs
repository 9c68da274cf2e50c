using HubFunctions.Functions.Hosting;

namespace HubFunctions.DevHost;

/// <summary>The functions this DevHost runs: the catalog, less any left out by host.json <c>functions</c>.</summary>
public sealed class ActiveFunctions
{
    public ActiveFunctions(FunctionCatalog catalog, HostSettings settings)
    {
        var only = settings.Functions.Count > 0 ? new HashSet<string>(settings.Functions, StringComparer.OrdinalIgnoreCase) : null;
        All = [.. catalog.All.Where(f => only is null || only.Contains(f.Name))];
        foreach (var function in All)
        {
            FunctionInvoker.Validate(function);
        }
    }

    public IReadOnlyList<FunctionDescriptor> All { get; }

    public FunctionDescriptor? Find(string name) => All.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
}
