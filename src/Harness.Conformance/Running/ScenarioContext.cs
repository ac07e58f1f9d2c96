using System.Collections.Concurrent;
using Harness.Conformance.Gherkin;
using Harness.Conformance.Http;
using Harness.Conformance.Targets;

namespace Harness.Conformance.Running;

/// <summary>
/// Everything one scenario owns: its HTTP client (recorded), its step-class instances and shared state,
/// and a prefix that makes its keys and names unique, so scenarios never depend on each other or on order.
/// </summary>
public sealed class ScenarioContext : IDisposable
{
    private readonly ConcurrentDictionary<Type, object> _instances = new();
    private readonly ExchangeRecorder _recorder;

    public ScenarioContext(Scenario scenario, IConformanceTarget target, CancellationToken cancellationToken)
    {
        Scenario = scenario;
        Target = target;
        CancellationToken = cancellationToken;
        _recorder = new ExchangeRecorder(target.Handler);
        Http = new HttpClient(_recorder, disposeHandler: false) { BaseAddress = target.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        foreach (var secret in target.Profile.Secrets)
        {
            Masker.Add(secret);
        }
    }

    public Scenario Scenario { get; }

    public IConformanceTarget Target { get; }

    public TargetProfile Profile => Target.Profile;

    public HttpClient Http { get; }

    public SecretMasker Masker { get; } = new();

    public CancellationToken CancellationToken { get; }

    /// <summary>Short and unique per scenario run: prefixes idempotency keys, names and phone numbers.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    public IReadOnlyList<HttpExchange> Exchanges => _recorder.Exchanges;

    /// <summary>A value that no other scenario (or earlier run against the same target) uses.</summary>
    public string Unique(string label) => $"{RunId}-{label}";

    /// <summary>
    /// The scenario's one instance of <typeparamref name="T"/>: step classes and the state they share. Created
    /// with a constructor taking this context, or a parameterless one.
    /// </summary>
    public T Get<T>()
        where T : class => (T)Get(typeof(T));

    public object Get(Type type) => _instances.GetOrAdd(type, t =>
        t.GetConstructor([typeof(ScenarioContext)]) is { } withContext
            ? withContext.Invoke([this])
            : Activator.CreateInstance(t) ?? throw new InvalidOperationException($"Cannot create {t.Name}."));

    public void Dispose()
    {
        Http.Dispose();
        foreach (var disposable in _instances.Values.OfType<IDisposable>())
        {
            disposable.Dispose();
        }
    }
}
