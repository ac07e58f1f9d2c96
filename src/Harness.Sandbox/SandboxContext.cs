using Harness.Callbacks;
using Harness.Clock;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Keys;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Storage;

namespace Harness.Sandbox;

/// <summary>The shared machinery every provider is built on; one instance per running sandbox.</summary>
public sealed class SandboxContext(
    IDocumentStore store,
    AdjustableClock clock,
    TimeProvider wallClock,
    PaymentBook payments,
    FaultBook faults,
    CallbackDispatcher dispatcher,
    ProviderSettings settings,
    Notifier notifier,
    ProviderKeys keys,
    SandboxOptions options)
{
    public IDocumentStore Store => store;

    /// <summary>The sandbox's (advanceable) "now": expiry, retries, object timestamps.</summary>
    public AdjustableClock Clock => clock;

    /// <summary>Real time, for signature timestamps that third-party verifiers compare with their own clock.</summary>
    public TimeProvider WallClock => wallClock;

    public PaymentBook Payments => payments;

    public FaultBook Faults => faults;

    public CallbackDispatcher Dispatcher => dispatcher;

    public ProviderSettings Settings => settings;

    public Notifier Notifier => notifier;

    /// <summary>Key pairs and certificates a provider created on first start and keeps across restarts.</summary>
    public ProviderKeys Keys => keys;

    public SandboxOptions Options => options;

    /// <summary>Identifies this run of the sandbox; a restart gets a new one.</summary>
    public string Instance { get; } = Secrets.RandomHex(8);

    /// <summary>Set once every listener is up; until then the control API's health says "starting".</summary>
    public bool Ready { get; internal set; }

    /// <summary>Real time when this run started.</summary>
    public DateTime StartedAt { get; } = wallClock.GetUtcNow().UtcDateTime;

    /// <summary>Base URL of the control listener, which also serves the hosted pay pages; set once listening.</summary>
    public string ControlBaseUrl { get; internal set; } = "";

    public string PayPageUrl(string paymentId) => $"{ControlBaseUrl}/pay/{Uri.EscapeDataString(paymentId)}";
}
