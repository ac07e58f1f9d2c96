using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: BenchmarkDotNet's generated project would not build under the repository's
// warnings-as-errors and analyzer settings, and nothing here needs process isolation.
var config = DefaultConfig.Instance
    .AddJob(Job.Default
        .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
        .WithInvocationCount(1).WithUnrollFactor(1) // one invocation is already thousands of postings
        .WithWarmupCount(1).WithIterationCount(6))
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "harness-benchmarks"));
BenchmarkSwitcher.FromAssembly(typeof(Harness.Benchmarks.LedgerBenchmarks).Assembly).Run(args, config);
