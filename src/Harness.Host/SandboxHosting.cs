using Harness.Sandbox;

namespace Harness.Host;

/// <summary>
/// Runs the provider sandbox beside the backend (section <c>Harness:Sandbox</c>: <c>Enabled</c>, and what
/// <see cref="SandboxConfiguration"/> reads). The sandbox is another company: its own listeners and its own store file.
/// </summary>
public sealed class SandboxHosting(IConfiguration configuration, ILogger<SandboxHosting> logger) : IHostedService, IAsyncDisposable
{
    private readonly SemaphoreSlim _restarting = new(1, 1);

    public SandboxServer? Server { get; private set; }

    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Harness:Sandbox:Enabled", true);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Server = await SandboxServer.StartAsync(SandboxConfiguration.Options(configuration), cancellationToken);
        Server.RestartRequested += Restart;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        await _restarting.WaitAsync();
        try
        {
            if (Server is { } server)
            {
                Server = null;
                await server.DisposeAsync();
            }
        }
        finally
        {
            _restarting.Release();
        }
    }

    /// <summary>The control API asked for a restart (serve --test-restart): the same data folder, the same ports.</summary>
    private void Restart() => _ = Task.Run(async () =>
    {
        await _restarting.WaitAsync();
        try
        {
            if (Server is { } running)
            {
                Server = null;
                Server = await SandboxServer.RestartAsync(running);
                Server.RestartRequested += Restart;
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            logger.LogError(e, "The sandbox could not restart");
        }
        finally
        {
            _restarting.Release();
        }
    });
}
