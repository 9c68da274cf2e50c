namespace HubFunctions.Infra.Tests;

/// <summary>Paths in the repository, found by walking up from the test assembly to HubFunctions.sln.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    public static string Root => RootPath.Value;

    public static string Infra => Path.Combine(Root, "infra");

    public static string MainBicep => Path.Combine(Infra, "main.bicep");

    public static string MainParams => Path.Combine(Infra, "main.bicepparam");

    /// <summary>Every Bicep source the template is made of (main, modules, parameters), not infra/local.</summary>
    public static IReadOnlyList<string> BicepSources()
    {
        var files = new List<string> { MainBicep, MainParams };
        files.AddRange(Directory.GetFiles(Path.Combine(Infra, "modules"), "*.bicep").Order(StringComparer.Ordinal));
        return files;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HubFunctions.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No HubFunctions.sln above {AppContext.BaseDirectory}.");
    }
}
