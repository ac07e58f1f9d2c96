using Harness.Sandbox;

namespace Harness.Host;

/// <summary>
/// Runs the provider sandbox beside the backend (section <c>Harness:Sandbox</c>: <c>Enabled</c>, <c>Port</c>,
/// <c>PublicHost</c>). The sandbox is another company: its own listeners and its own store file.
/// </summary>
public sealed class SandboxHosting(IConfiguration configuration) : IHostedService, IAsyncDisposable
{
    public SandboxServer? Server { get; private set; }

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Harness:Sandbox:Enabled", true);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Server = await SandboxServer.StartAsync(
            new SandboxOptions
            {
                DataDirectory = configuration["Harness:DataDirectory"] ?? "data",
                BasePort = configuration.GetValue("Harness:Sandbox:Port", 8100),
                PublicHost = configuration["Harness:Sandbox:PublicHost"] ?? "127.0.0.1",
            },
            cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (Server is { } server)
        {
            Server = null;
            await server.DisposeAsync();
        }
    }
}
