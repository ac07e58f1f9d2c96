using Harness.Portaly.Callbacks;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// Finishes card payments the page started but never recorded (the process stopped between TapPay's charge and the
/// completion, or TapPay did not answer): a marker older than <see cref="After"/> on the injected clock is settled from
/// TapPay's records by <see cref="CardPayment.RecoverAsync"/>. Running it twice changes nothing more.
/// </summary>
public sealed class PaymentRecovery(BuyerProgressStore progress, IServiceProvider services, TimeProvider clock) : IDueWork
{
    /// <summary>Long enough for a live charge to have answered (TapPay's client gives up after 30 seconds).</summary>
    public static readonly TimeSpan After = TimeSpan.FromMinutes(2);

    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var due = progress.Payments().Where(p => clock.GetUtcNow() - p.StartedAt >= After).ToList();
        if (due.Count == 0)
        {
            return;
        }

        // CardPayment holds a TapPay client, which the HTTP client factory hands out per use.
        var payment = services.GetRequiredService<CardPayment>();
        foreach (var marker in due)
        {
            await payment.RecoverAsync(marker.Id, cancellationToken);
        }
    }
}
