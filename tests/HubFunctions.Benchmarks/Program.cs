using BenchmarkDotNet.Running;
using HubFunctions.Benchmarks;

if (args.Contains("--smoke"))
{
    return Smoke.Run(Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
