using BenchmarkDotNet.Running;
using HubFunctions.Benchmarks;

if (args.Contains("--smoke"))
{
    return Smoke.Run(Console.Out);
}

if (args.Contains("--sweep"))
{
    return await SweepCommand.RunAsync(args, Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Smoke).Assembly).Run(args);
return 0;
