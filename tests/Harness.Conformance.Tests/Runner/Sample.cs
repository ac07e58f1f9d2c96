using Harness.Conformance.Binding;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Running;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Tests.Runner;

/// <summary>Feature files written by a test into their own folder, and a target that is never called.</summary>
public sealed class Sample : IDisposable
{
    private readonly string _root = TempDirectory.Create("features");

    public static StepRegistry Registry { get; } = StepRegistry.FromAssemblies(typeof(SampleSteps).Assembly);

    public FeatureCatalog Write(string path, string text)
    {
        var file = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return FeatureCatalog.Load(_root);
    }

    public static Task<ScenarioResult> RunAsync(Scenario scenario, TargetProfile? profile = null) =>
        new ScenarioRunner(Registry).RunAsync(scenario, new OfflineTarget(profile ?? new TargetProfile()), TestContext.Current.CancellationToken);

    public void Dispose() => TempDirectory.TryDelete(_root);

    /// <summary>A target for scenarios that send nothing.</summary>
    public sealed class OfflineTarget(TargetProfile profile) : IConformanceTarget
    {
        public string Name => "offline";

        public TargetProfile Profile { get; } = profile;

        public Uri BaseAddress { get; } = new("http://offline.invalid/");

        public HttpMessageHandler Handler { get; } = new SocketsHttpHandler();

        public bool Offers(Need need) => Profile.Offers(need);

        public bool Serves(Scenario scenario) => true;

        public Task LetTimePassAsync(TimeSpan duration, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
