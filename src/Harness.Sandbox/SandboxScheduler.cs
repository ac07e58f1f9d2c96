using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.Extensions.Logging;

namespace Harness.Sandbox;

/// <summary>
/// Makes time-driven things happen on the sandbox clock: payments expire and callbacks are (re)sent when due.
/// A background loop sleeps until the next due moment; the control API's clock advance runs the same step
/// synchronously, so a test that advances time sees every effect before the call returns.
/// </summary>
public sealed class SandboxScheduler : IDisposable
{
    private readonly SandboxContext _context;
    private readonly IReadOnlyDictionary<string, ISandboxProvider> _providers;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _expiryGate = new(1, 1);
    private readonly object _wakeSync = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SandboxScheduler(SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, ILogger logger)
    {
        _context = context;
        _providers = providers;
        _logger = logger;
        context.Dispatcher.Enqueued += Wake;
        context.Payments.Created += Wake;
    }

    /// <summary>Expires what is due, then sends what is due. Returns how many callback attempts were made.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await ExpireDueAsync(cancellationToken);
        foreach (var provider in _providers.Values)
        {
            await provider.RunDueAsync(cancellationToken);
        }

        return await _context.Dispatcher.RunDueAsync(cancellationToken);
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Task wake;
            lock (_wakeSync)
            {
                wake = _wake.Task;
            }

            try
            {
                await RunDueAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A broken store or provider must not stop the loop for good; it is retried at the next wake-up.
                _logger.LogError(ex, "Sandbox scheduler step failed");
            }

            await _context.Clock.WaitUntilAsync(NextDueAt(), wake, cancellationToken);
        }
    }

    public void Dispose() => _expiryGate.Dispose();

    private DateTimeOffset NextDueAt()
    {
        var now = _context.Clock.GetUtcNow();
        var candidates = new[]
        {
            _context.Dispatcher.NextDueAt(),
            _context.Payments.NextExpiry() is { } expiry ? new DateTimeOffset(expiry, TimeSpan.Zero) : null,
            now.AddMinutes(1), // a periodic look, in case a wake-up was missed
        }.Concat(_providers.Values.Select(p => p.NextDueAt()));
        return candidates.Where(c => c is not null).Min()!.Value;
    }

    private async Task ExpireDueAsync(CancellationToken cancellationToken)
    {
        await _expiryGate.WaitAsync(cancellationToken);
        try
        {
            foreach (var payment in _context.Payments.OpenDueForExpiry(_context.Clock.GetUtcNow().UtcDateTime))
            {
                if (_context.Payments.TryClose(payment.Id, PaymentStatus.Expired))
                {
                    await _providers[payment.Provider].OnExpiredAsync(payment, cancellationToken);
                }
            }
        }
        finally
        {
            _expiryGate.Release();
        }
    }

    private void Wake()
    {
        TaskCompletionSource wake;
        lock (_wakeSync)
        {
            wake = _wake;
            _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        wake.TrySetResult();
    }
}
