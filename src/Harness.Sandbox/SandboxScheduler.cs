using Harness.Clock;
using Harness.Sandbox.Payments;
using Harness.Sandbox.Providers;
using Microsoft.Extensions.Logging;

namespace Harness.Sandbox;

/// <summary>
/// Makes time-driven things happen on the sandbox clock: payments expire and callbacks are (re)sent when due.
/// Two background loops sleep until their next due moment, one for expiries and the providers' own due work and
/// one for callback delivery, so a stream of callbacks never holds up an expiry; the control API's clock advance
/// runs every step synchronously, so a test that advances time sees every effect before the call returns.
/// </summary>
public sealed class SandboxScheduler : IDisposable
{
    private readonly SandboxContext _context;
    private readonly IReadOnlyDictionary<string, ISandboxProvider> _providers;
    private readonly ILogger _logger;
    // One payments step at a time: a clock advance that finds the loop mid-step waits for it, so the callbacks the
    // loop's step enqueues are there for the advance's own delivery step (else they would go out just after it answered).
    private readonly SemaphoreSlim _paymentsGate = new(1, 1);
    private readonly Signal _paymentsChanged = new();
    private readonly Signal _deliveryEnqueued = new();

    // Until when the payments loop sleeps (ticks; MaxValue while it works): only a payment expiring before
    // then needs to wake it. Every create used to, and each wake-up read every open payment from the store.
    private long _paymentsSleepUntil = long.MaxValue;

    public SandboxScheduler(SandboxContext context, IReadOnlyDictionary<string, ISandboxProvider> providers, ILogger logger)
    {
        _context = context;
        _providers = providers;
        _logger = logger;
        context.Dispatcher.Enqueued += _deliveryEnqueued.Fire;
        context.Payments.Created += payment =>
        {
            if (payment.ExpiresAt.Ticks < Interlocked.Read(ref _paymentsSleepUntil))
            {
                _paymentsChanged.Fire();
            }
        };
    }

    /// <summary>Expires what is due, then sends what is due. Returns how many callback attempts were made.</summary>
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        await RunPaymentsDueAsync(cancellationToken);
        return await _context.Dispatcher.RunDueAsync(cancellationToken);
    }

    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        LoopAsync("payments", RunPaymentsDueAsync, PaymentsNextDueAt, _paymentsChanged, until => Interlocked.Exchange(ref _paymentsSleepUntil, until?.UtcTicks ?? long.MaxValue), cancellationToken),
        LoopAsync("callbacks", _context.Dispatcher.RunDueAsync, () => _context.Dispatcher.NextDueAt(), _deliveryEnqueued, _ => { }, cancellationToken));

    public void Dispose() => _paymentsGate.Dispose();

    /// <summary>
    /// Runs <paramref name="step"/>, then sleeps until <paramref name="nextDueAt"/> (a minute at most) or <paramref name="wake"/>;
    /// <paramref name="sleeping"/> is told until when before each sleep, and null when it wakes (what arrives while it works must wake it).
    /// </summary>
    private async Task LoopAsync(string name, Func<CancellationToken, Task> step, Func<DateTimeOffset?> nextDueAt, Signal wake, Action<DateTimeOffset?> sleeping, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var woken = wake.Next; // taken first: what arrives during the step wakes the wait below
            sleeping(null);
            try
            {
                await step(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A broken store or provider must not stop the loop for good; it is retried at the next wake-up.
                _logger.LogError(ex, "Sandbox scheduler step ({Loop}) failed", name);
            }

            // A periodic look as well, in case a wake-up was missed.
            var lookAgain = _context.Clock.GetUtcNow().AddMinutes(1);
            var until = nextDueAt() is { } due && due < lookAgain ? due : lookAgain;
            sleeping(until);
            await _context.Clock.WaitUntilAsync(until, woken, cancellationToken);
        }
    }

    private async Task RunPaymentsDueAsync(CancellationToken cancellationToken)
    {
        await _paymentsGate.WaitAsync(cancellationToken);
        try
        {
            ExpireDue(cancellationToken);
            foreach (var provider in _providers.Values)
            {
                await provider.RunDueAsync(cancellationToken);
            }
        }
        finally
        {
            _paymentsGate.Release();
        }
    }

    private DateTimeOffset? PaymentsNextDueAt() =>
        new[] { _context.Payments.NextExpiry() is { } expiry ? new DateTimeOffset(expiry, TimeSpan.Zero) : (DateTimeOffset?)null }
            .Concat(_providers.Values.Select(p => p.NextDueAt()))
            .Where(c => c is not null)
            .Min();

    private void ExpireDue(CancellationToken cancellationToken)
    {
        var now = _context.Clock.GetUtcNow().UtcDateTime;
        IReadOnlyList<SandboxPayment> due;
        do
        {
            due = _context.Payments.OpenDueForExpiry(now);
            foreach (var payment in due)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var provider = _providers[payment.Provider];
                _context.Payments.TryClose(payment.Id, PaymentStatus.Expired, card: null, closed =>
                {
                    provider.OnExpired(closed);
                    return closed;
                });
            }
        }
        while (due.Count == PaymentBook.ExpiryBatch); // a clock advance sees every expiry before it returns
    }
}
