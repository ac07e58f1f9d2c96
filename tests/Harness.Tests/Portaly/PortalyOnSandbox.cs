using Harness.Tests.Support;

namespace Harness.Tests.Portaly;

/// <summary>
/// A Portaly app whose TapPay is an in-process sandbox, and a merchant's callback receiver: what the tests that pay, renew
/// and refund through TapPay start before each test and stop after it.
/// </summary>
public abstract class PortalyOnSandbox : IAsyncLifetime
{
    protected ChannelSandbox Sandbox { get; private set; } = null!;

    protected PortalyTestApp App { get; private set; } = null!;

    protected CallbackReceiver Receiver { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Sandbox = await ChannelSandbox.StartAsync();
        App = new PortalyTestApp(settings: PortalyTestApp.OnSandbox(Sandbox.Server));
        Receiver = await CallbackReceiver.StartAsync();
        await StartedAsync();
    }

    /// <summary>A test class's own set-up, once the three are running.</summary>
    protected virtual ValueTask StartedAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await DisposingAsync();
        await Receiver.DisposeAsync();
        await App.DisposeAsync();
        await Sandbox.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A test class's own tear-down, before the three stop.</summary>
    protected virtual ValueTask DisposingAsync() => ValueTask.CompletedTask;
}
