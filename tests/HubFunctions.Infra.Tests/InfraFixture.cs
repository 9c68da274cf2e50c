using System.Text.Json.Nodes;

namespace HubFunctions.Infra.Tests;

/// <summary>
/// Runs the Bicep CLI once per command for the whole test run, all started at once (each takes
/// a few seconds), and keeps the results. Tests await the one they need, so a failure in one
/// command fails only the tests about it.
/// </summary>
public sealed class InfraFixture : IDisposable
{
    /// <summary>Values the snapshot (a local what-if) is evaluated with.</summary>
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string ResourceGroup = "rg-hub-test";
    public const string Location = "chinanorth3";

    private readonly DirectoryInfo formatDir;
    private readonly DirectoryInfo snapshotDir;

    public InfraFixture()
    {
        formatDir = CopyInfra("hub-infra-format-");
        snapshotDir = CopyInfra("hub-infra-snapshot-");

        Version = BicepCli.RunAsync(RepoPaths.Infra, "--version");
        Build = BicepCli.RunAsync(RepoPaths.Infra, "build", RepoPaths.MainBicep, "--stdout", "--no-restore");
        Lint = BicepCli.RunAsync(RepoPaths.Infra, "lint", RepoPaths.MainBicep, "--no-restore");
        BuildParams = BicepCli.RunAsync(RepoPaths.Infra, "build-params", RepoPaths.MainParams, "--stdout", "--no-restore");
        Format = BicepCli.RunAsync(formatDir.FullName, "format", "--pattern", "**/*.bicep*");
        Snapshot = BicepCli.RunAsync(
            snapshotDir.FullName,
            "snapshot", "main.bicepparam", "--mode", "overwrite",
            "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", Location,
            "--deployment-name", "hubfunctions");
        Template = ParseAsync(Build, run => run.StdOut);
        Predicted = ParseAsync(Snapshot, _ => File.ReadAllText(Path.Combine(snapshotDir.FullName, "main.snapshot.json")));
    }

    public Task<BicepRun> Version { get; }

    /// <summary><c>bicep build infra/main.bicep</c>: the ARM template on stdout, diagnostics on stderr.</summary>
    public Task<BicepRun> Build { get; }

    public Task<BicepRun> Lint { get; }

    public Task<BicepRun> BuildParams { get; }

    /// <summary><c>bicep format</c> over a copy of infra/; compare with <see cref="FormattedCopy"/>.</summary>
    public Task<BicepRun> Format { get; }

    /// <summary><c>bicep snapshot infra/main.bicepparam</c> (on a copy): the resources a deployment would create.</summary>
    public Task<BicepRun> Snapshot { get; }

    /// <summary>The compiled ARM template (languageVersion 2.0: resources keyed by symbolic name).</summary>
    public Task<JsonObject> Template { get; }

    /// <summary>The snapshot: <c>predictedResources</c> with every expression that can be evaluated before deployment resolved.</summary>
    public Task<JsonObject> Predicted { get; }

    public string FormattedCopy(string source) =>
        Path.Combine(formatDir.FullName, Path.GetRelativePath(RepoPaths.Infra, source));

    public void Dispose()
    {
        // Every run has finished or timed out before the temporary copies go.
        Task.WhenAll(Version, Build, Lint, BuildParams, Format, Snapshot).ContinueWith(_ => { }).Wait(TimeSpan.FromMinutes(4));
        formatDir.Delete(recursive: true);
        snapshotDir.Delete(recursive: true);
    }

    private static async Task<JsonObject> ParseAsync(Task<BicepRun> run, Func<BicepRun, string> json)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(json(result))?.AsObject() ?? throw new InvalidOperationException("Empty JSON.");
    }

    /// <summary>main.bicep, main.bicepparam, bicepconfig.json and modules/ (not infra/local) in a temporary folder.</summary>
    private static DirectoryInfo CopyInfra(string prefix)
    {
        var dir = Directory.CreateTempSubdirectory(prefix);
        var sources = RepoPaths.BicepSources().Append(Path.Combine(RepoPaths.Infra, "bicepconfig.json"));
        foreach (var source in sources)
        {
            var target = Path.Combine(dir.FullName, Path.GetRelativePath(RepoPaths.Infra, source));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
        }

        return dir;
    }
}

[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>
{
    public const string Name = "infra";
}
