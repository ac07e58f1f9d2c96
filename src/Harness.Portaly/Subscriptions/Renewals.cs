using System.Globalization;
using Harness.Portaly.Callbacks;
using Harness.Portaly.Orders;
using Harness.Portaly.Payments;
using Harness.Security;
using Harness.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Harness.Portaly.Subscriptions;

/// <summary>
/// Renews recurring subscriptions on the injected clock. A live subscription is due at <c>nextBillingAt</c> (at
/// <c>nextRetryAt</c> while past due); each due one is handled in turn, oldest first, and catches up every period that
/// fell due while the clock jumped. A pending cancellation whose time has come ends it without a charge; otherwise the
/// stored card is charged by token for the next charge number (discounted while the code's cycles last). A success
/// advances the period; a failure makes it past due and retries a day later; the third failure in a row cancels it.
/// </summary>
public sealed class Renewals(
    IDocumentStore store,
    SubscriptionStore subscriptions,
    OrderStore orders,
    PortalyCallbacks callbacks,
    SubscriptionLifecycle lifecycle,
    IServiceProvider services,
    IKeyedLock locks,
    IOptions<PortalyOptions> options,
    TimeProvider clock,
    ILogger<Renewals> logger) : IDueWork
{
    public const string NoStoredCard = "no stored payment method";
    public const string NotConfigured = "card payments are not configured (Portaly:TapPay)";
    public static readonly TimeSpan RetryAfter = TimeSpan.FromDays(1);

    /// <summary>When the subscription next needs the renewals: its next charge or retry; null when it never does.</summary>
    public static DateTimeOffset? DueAt(Subscription s) => !s.Recurring ? null : s.Status switch
    {
        SubscriptionStatus.Active => s.NextBillingAt,
        SubscriptionStatus.PastDue => s.NextRetryAt,
        _ => null,
    };

    public async Task RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = subscriptions.Live()
            .Where(s => DueAt(s) <= now)
            .OrderBy(s => DueAt(s)).ThenBy(s => s.Id, StringComparer.Ordinal)
            .Select(s => s.Id)
            .ToList();
        foreach (var id in due)
        {
            try
            {
                await RenewAsync(id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One broken subscription must not hold up the others, nor the callbacks that run after due work.
                logger.LogError(ex, "Renewal of Portaly subscription {SubscriptionId} failed", id);
            }
        }
    }

    private async Task RenewAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await locks.AcquireAsync(SubscriptionLifecycle.LockOf(id), cancellationToken);
        while (subscriptions.Get(id) is { } s && DueAt(s) is { } due && due <= clock.GetUtcNow())
        {
            if (s.CancelAtPeriodEnd && s.CancelEffectiveAt <= clock.GetUtcNow())
            {
                End(s);
                return;
            }

            if (s.Mode == "test" && !options.Value.RenewTestSubscriptions)
            {
                return;
            }

            if (!await ChargeAsync(s, cancellationToken))
            {
                return; // TapPay's record is not final yet: the next run asks again
            }
        }
    }

    /// <summary>The period paid for is over and the subscriber asked to stop: canceled then, no charge.</summary>
    private void End(Subscription s)
    {
        var ended = SubscriptionLifecycle.Ended(s, s.CancelEffectiveAt!.Value, clock.GetUtcNow());
        store.InTransaction(() =>
        {
            subscriptions.Put(ended);
            callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.Canceled, ended));
        });
    }

    /// <summary>One charge attempt for the next charge number, recorded; false when its outcome cannot be known yet.</summary>
    private async Task<bool> ChargeAsync(Subscription s, CancellationToken cancellationToken)
    {
        var number = s.ChargesMade + 1;
        var amount = s.AmountOfCharge(number);
        var orderNumber = $"{s.Id}-{number}";
        if (amount == 0)
        {
            Succeed(s, number, amount, null, "free");
            return true;
        }

        if (s.Card is not { } card)
        {
            Fail(s, amount, NoStoredCard, null);
            return true;
        }

        // The gateway is a typed HttpClient (transient): one per charge, so a long-lived singleton does not pin its handler.
        var tappay = services.GetRequiredService<TapPayGateway>();
        if (!tappay.Settings.Configured)
        {
            Fail(s, amount, NotConfigured, null);
            return true;
        }

        if (s.ChargeUnderWay == number)
        {
            // An earlier run sent this charge and stopped before recording it: TapPay's record says whether it went through.
            var records = await tappay.RecordsOfOrderAsync(orderNumber, cancellationToken);
            if (records is null || records.Any(r => r.RecordStatus == 4))
            {
                return false; // TapPay cannot say yet, or the charge is still pending: charging again could charge twice
            }

            if (records.FirstOrDefault(r => r.RecordStatus >= 0) is { } record)
            {
                Succeed(s, number, amount, record.RecTradeId, TapPayGateway.PaymentMethod);
                return true;
            }
        }
        else
        {
            subscriptions.Put(s with { ChargeUnderWay = number });
        }

        var details = string.Create(CultureInfo.InvariantCulture, $"{s.PlanName} #{number}");
        var charge = await tappay.PayByTokenAsync(card, amount, s.Currency, details, orderNumber, cancellationToken);
        if (charge.Succeeded)
        {
            Succeed(s, number, amount, charge.RecTradeId, TapPayGateway.PaymentMethod);
        }
        else if (charge.Unanswered)
        {
            return false; // the marker stays: the next run asks TapPay's record before charging again
        }
        else
        {
            Fail(s, amount, charge.FailureReason, charge.RecTradeId);
        }

        return true;
    }

    private void Succeed(Subscription s, int number, long amount, string? reference, string method)
    {
        var now = clock.GetUtcNow();
        var renewed = s with
        {
            Status = SubscriptionStatus.Active,
            ChargesMade = number,
            LastChargedAt = now,
            LastPaymentReference = reference,
            NextBillingAt = s.PeriodEnd(number),
            FailureCount = 0,
            NextRetryAt = null,
            ChargeUnderWay = null,
            UpdatedAt = now,
        };
        var order = new Order(
            Order.IdOf(s.Id, number), s.ProfileId, s.Mode, "pay_" + Secrets.RandomHex(12), reference, number, amount, amount,
            0m, 0, 0m, 0, s.Currency, OrderStatus.Paid, s.CustomerName, s.CustomerEmail, method, s.MerchantOrderNumber, s.Id, s.PlanId,
            null, null, null, null, null, null, null, now, now);
        store.InTransaction(() =>
        {
            subscriptions.Put(renewed);
            if (!orders.TryInsert(order))
            {
                return; // recorded before: the charge and its callbacks exist already
            }

            orders.Record(InvoiceOf(s, amount, "SUCCESS", now));
            callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.PaymentSucceeded(renewed, order));
            if (s.Status == SubscriptionStatus.PastDue)
            {
                callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.Active, renewed));
            }
        });
    }

    private void Fail(Subscription s, long amount, string reason, string? reference)
    {
        var now = clock.GetUtcNow();
        var failures = s.FailureCount + 1;
        var failed = s with
        {
            Status = SubscriptionStatus.PastDue,
            FailureCount = failures,
            LastFailureReason = reason,
            LastFailureAt = now,
            NextRetryAt = now + RetryAfter,
            ChargeUnderWay = null,
            UpdatedAt = now,
        };
        if (failures >= SubscriptionStatus.MaxFailures)
        {
            failed = SubscriptionLifecycle.Ended(failed, now, now) with
            {
                CancelEffectiveAt = now,
                CancelReason = CancelReasons.PaymentFailures,
                CancelRequestedBy = CancelRequesters.System,
            };
        }

        store.InTransaction(() =>
        {
            subscriptions.Put(failed);
            orders.Record(InvoiceOf(s, amount, "FAILED", now));
            callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.PaymentFailed(failed, amount, reference));
            if (failed.Status == SubscriptionStatus.Canceled)
            {
                callbacks.Enqueue(s.KeyId, s.LifecycleUrl, s.Id, CallbackPayloads.Lifecycle(PortalyEvents.Canceled, failed));
                lifecycle.SendCanceledEmail(failed);
            }
        });
    }

    private static InvoiceRecord InvoiceOf(Subscription s, long amount, string status, DateTimeOffset now) => new(
        "inv_" + Secrets.RandomHex(12), s.ProfileId, s.Mode, s.Id, s.Id, s.PlanId, s.PlanName, amount, s.Currency, status,
        s.CustomerName, s.CustomerEmail, null, "not_applicable", null, null, null, now.ToUnixTimeMilliseconds(), null,
        s.Discount is { } d && (d.Cycles is null || s.ChargesMade + 1 <= d.Cycles) ? new InvoiceDiscount(d.CodeId, d.Code, d.AppliedRule, d.Source) : null,
        now, now);
}
