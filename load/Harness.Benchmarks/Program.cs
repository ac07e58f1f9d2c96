using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

using Harness.Benchmarks.Engines;

if (args.Length > 0 && args[0] == "engines")
{
    // Not BenchmarkDotNet: memory and open time are figures of a whole process per engine.
    return EngineComparison.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "journal")
{
    return Harness.Benchmarks.JournalMemory.Run(args[1..]);
}

// In-process: BenchmarkDotNet's generated project would not build under the repository's
// warnings-as-errors and analyzer settings, and nothing here needs process isolation.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
        .WithInvocationCount(1).WithUnrollFactor(1) // one invocation is already thousands of postings
        .WithWarmupCount(1).WithIterationCount(6))
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "harness-benchmarks"));
BenchmarkSwitcher.FromAssembly(typeof(Harness.Benchmarks.LedgerBenchmarks).Assembly).Run(args, config);
return 0;
