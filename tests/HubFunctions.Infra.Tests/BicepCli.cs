using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace HubFunctions.Infra.Tests;

/// <summary>The result of one run of the bicep binary.</summary>
public sealed record BicepRun(string Arguments, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>Exit code 0 and nothing on stderr: bicep writes every diagnostic (error, warning, info) there.</summary>
    public bool IsClean => ExitCode == 0 && StdErr.Trim().Length == 0;

    public override string ToString() =>
        $"bicep {Arguments} -> exit {ExitCode} in {Elapsed.TotalSeconds:0.0} s{Environment.NewLine}stderr:{Environment.NewLine}{StdErr}";
}

/// <summary>
/// Runs the Bicep CLI that restore downloaded (PackageDownload of Azure.Bicep.CommandLine.linux-x64)
/// with no network: every command that can restore registry modules gets <c>--no-restore</c>, and
/// the HTTP(S) proxy is pointed at a closed loopback port, so anything bicep still tries to fetch
/// (it looks up the public module index, e.g. in <c>snapshot</c>, which has no --no-restore) fails
/// at once on this machine instead of reaching out or waiting for DNS.
/// </summary>
public static class BicepCli
{
    private const string DeadProxy = "http://127.0.0.1:9";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly Lazy<string> PathValue = new(Locate);
    private static readonly SemaphoreSlim Gate = new(Math.Max(1, Environment.ProcessorCount));

    public static string Path => PathValue.Value;

    public static string ExpectedVersion => Metadata("BicepCliVersion");

    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "NO_PROXY", "no_proxy" })
        {
            start.Environment.Remove(name);
        }

        foreach (var name in new[] { "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy" })
        {
            start.Environment[name] = DeadProxy;
        }

        // One bicep process per core: each is a self-contained .NET app that spends its few
        // seconds starting up and compiling; more at once only slows them all down.
        await Gate.WaitAsync();
        try
        {
            return await RunNowAsync(start, arguments);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<BicepRun> RunNowAsync(ProcessStartInfo start, string[] arguments)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout.TotalMinutes} minutes.");
        }

        return new BicepRun(string.Join(' ', arguments), process.ExitCode, await stdout, await stderr, stopwatch.Elapsed);
    }

    private static string Locate()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            throw new PlatformNotSupportedException(
                $"These tests run the linux-x64 Bicep CLI (Azure.Bicep.CommandLine.linux-x64); this is {RuntimeInformation.RuntimeIdentifier}.");
        }

        var path = Metadata("BicepCliPath");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Bicep CLI is not at {path}. It comes from the PackageDownload of Azure.Bicep.CommandLine.linux-x64 in HubFunctions.Infra.Tests.csproj: run 'dotnet restore'.",
                path);
        }

        // NuGet extracts the binary with the mode stored in the package; make sure it can run.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }

        return path;
    }

    private static string Metadata(string key) =>
        typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"Assembly metadata '{key}' is missing (set in HubFunctions.Infra.Tests.csproj).");
}
