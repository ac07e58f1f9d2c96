using Harness.Callbacks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Harness.Portaly.Callbacks;

/// <summary>Time-driven work of a capability (renewals, payments left unfinished), made when due on the injected clock.</summary>
public interface IDueWork
{
    Task RunDueAsync(CancellationToken cancellationToken);
}

/// <summary>
/// Makes what is due happen: each capability's due work, then every callback attempt due. The background loop looks
/// once a second (real time); the test clock's advance runs the same step before it answers, so a caller that moves
/// time sees every renewal and callback it caused.
/// </summary>
public sealed class PortalyScheduler(CallbackDispatcher dispatcher, IEnumerable<IDueWork> work, ILogger<PortalyScheduler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs the due work and then the due callback attempts; one run at a time. Returns the attempts made.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var due in work)
            {
                await due.RunDueAsync(cancellationToken);
            }

            return await dispatcher.RunDueAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
                await Task.Delay(Interval, TimeProvider.System, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A broken store or receiver must not stop the loop for good: the next look tries again.
                logger.LogError(ex, "Portaly scheduler step failed");
                await Task.Delay(Interval, TimeProvider.System, stoppingToken);
            }
        }
    }
}
