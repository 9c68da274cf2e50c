using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace HubFunctions.Infra.Tests;

/// <summary>The Bicep sources build, lint and format cleanly, offline, with the pinned CLI.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class BicepBuildTests(InfraFixture infra, ITestOutputHelper output)
{
    [Fact]
    public async Task The_CLI_is_the_pinned_version_from_NuGet()
    {
        var run = await infra.Version;

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Bicep CLI version {BicepCli.ExpectedVersion} ", run.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Main_builds_with_no_error_and_no_warning()
    {
        var run = await infra.Build;
        output.WriteLine(run.ToString());

        Assert.True(run.IsClean, run.ToString());
        var template = await infra.Template;
        Assert.StartsWith("https://schema.management.azure.com/schemas/", template.Str("$schema"), StringComparison.Ordinal);
        Assert.Equal(BicepCli.ExpectedVersion, template.Str("metadata", "_generator", "version")![..BicepCli.ExpectedVersion.Length]);
    }

    [Fact]
    public async Task Lint_reports_nothing()
    {
        var run = await infra.Lint;
        output.WriteLine(run.ToString());

        Assert.True(run.IsClean, run.ToString());
        Assert.Equal(string.Empty, run.StdOut.Trim());
    }

    [Fact]
    public async Task The_parameters_file_builds_cleanly_against_main()
    {
        var run = await infra.BuildParams;
        output.WriteLine(run.ToString());

        Assert.True(run.IsClean, run.ToString());
        var built = JsonNode.Parse(run.StdOut)!;
        var parameters = JsonNode.Parse(built.Str("parametersJson")!)!;
        Assert.Equal("hub-dev", parameters.Str("parameters", "environmentName", "value"));
    }

    [Fact]
    public async Task Sources_are_formatted_as_bicep_format_writes_them()
    {
        var run = await infra.Format;
        Assert.True(run.IsClean, run.ToString());

        var unformatted = RepoPaths.BicepSources()
            .Where(source => File.ReadAllText(source) != File.ReadAllText(infra.FormattedCopy(source)))
            .Select(source => Path.GetRelativePath(RepoPaths.Root, source))
            .ToList();
        Assert.True(unformatted.Count == 0, $"Run 'bicep format' on: {string.Join(", ", unformatted)}");
    }

    [Fact]
    public void No_module_comes_from_a_registry()
    {
        // Registry modules (br:, br/public:, ts:) need the network to restore; builds run with
        // --no-restore, so one would fail the build too, but this names the culprit.
        var offenders = RepoPaths.BicepSources()
            .SelectMany(file => File.ReadLines(file).Select((line, i) => (file, line, number: i + 1)))
            .Where(x => RegistryReference().IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(RepoPaths.Root, x.file)}:{x.number}: {x.line.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, string.Join(Environment.NewLine, offenders));
        Assert.Contains(RepoPaths.BicepSources(), f => f.Contains("modules", StringComparison.Ordinal));
    }

    [Fact]
    public void The_linter_config_switches_no_rule_off()
    {
        var config = File.ReadAllText(Path.Combine(RepoPaths.Infra, "bicepconfig.json"));

        Assert.DoesNotContain("\"off\"", config, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"info\"", config, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"enabled\": false", config, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^\s*(module|using|import|extension)\b.*'(br[:/]|ts[:/])", RegexOptions.IgnoreCase)]
    private static partial Regex RegistryReference();
}
