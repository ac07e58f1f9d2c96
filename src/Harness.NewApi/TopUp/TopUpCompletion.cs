using System.Globalization;
using Harness.Ledger;
using Harness.NewApi.Quota;
using Harness.Storage;

namespace Harness.NewApi.TopUp;

public enum CompletionResult
{
    Completed,

    /// <summary>Already successful: nothing more is credited (upstream answers success).</summary>
    AlreadyDone,
    NotFound,
    WrongProvider,
    NotPending,
    NoQuota,
    Refused,
}

/// <summary>
/// Completes a pending top-up once, however many notifies, resends and admins race for it: the order's lock, then
/// the credit as a ledger entry keyed by the trade number, then the order marked <c>success</c>. The order records
/// that its credit started, so after a crash between the two writes the ledger says whether it was posted.
/// </summary>
public sealed class TopUpCompletion(TopUpOrders orders, QuotaAccounts quota, IKeyedLock locks, TimeProvider clock)
{
    public const string LedgerKind = "topup";

    /// <param name="tradeNo">The order.</param>
    /// <param name="provider">The provider the completion comes from; null for an admin's manual completion.</param>
    /// <param name="actualMethod">The payment type the gateway reports, recorded when it differs from the order's.</param>
    /// <param name="quotaOf">The quota the order is worth.</param>
    /// <param name="check">A last check of the locked order (the paid amount); its refusal is returned as is.</param>
    /// <param name="cancellationToken">Stops waiting for the order's lock.</param>
    public async Task<CompletionResult> CompleteAsync(
        string tradeNo, string? provider, string? actualMethod, Func<TopUpOrder, long> quotaOf, Func<TopUpOrder, CompletionResult?>? check, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync("newapi:topup:" + tradeNo, cancellationToken))
        {
            if (orders.Find(tradeNo) is not { } order)
            {
                return CompletionResult.NotFound;
            }

            if (provider is not null && order.PaymentProvider != provider)
            {
                return CompletionResult.WrongProvider;
            }

            if (order.CreditStarted && order.Status == "pending" && quota.Find(order.UserId, LedgerKind, tradeNo) is { } earlier)
            {
                MarkDone(order, actualMethod, earlier.CreatedAt);
            }

            if (order.Status == "success")
            {
                return CompletionResult.AlreadyDone;
            }

            if (order.Status != "pending")
            {
                return CompletionResult.NotPending;
            }

            if (check?.Invoke(order) is { } refusal)
            {
                return refusal;
            }

            var amount = quotaOf(order);
            if (amount <= 0)
            {
                return CompletionResult.NoQuota;
            }

            order.CreditStarted = true;
            orders.Save(order);
            var outcome = await quota.CreditAsync(
                order.UserId, amount, LedgerKind, "newapi:topup", tradeNo, amount.ToString(CultureInfo.InvariantCulture), tradeNo, cancellationToken);
            if (outcome.Status is not (LedgerStatus.Applied or LedgerStatus.Replayed))
            {
                return CompletionResult.Refused;
            }

            MarkDone(order, actualMethod, outcome.Entry!.CreatedAt);
            return CompletionResult.Completed;
        }
    }

    /// <summary>A pending order of <paramref name="provider"/> ends unpaid (<c>failed</c>, <c>expired</c>); any other is left as it is.</summary>
    public async Task EndAsync(string tradeNo, string provider, string status, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync("newapi:topup:" + tradeNo, cancellationToken))
        {
            if (orders.Find(tradeNo) is { Status: "pending", CreditStarted: false } order && order.PaymentProvider == provider)
            {
                order.Status = status;
                orders.Save(order);
            }
        }
    }

    private void MarkDone(TopUpOrder order, string? actualMethod, DateTime creditedAt)
    {
        if (actualMethod is { Length: > 0 } && actualMethod != order.PaymentMethod)
        {
            order.PaymentMethod = actualMethod;
        }

        order.Status = "success";
        order.CompleteTime = Math.Max(clock.GetUtcNow().ToUnixTimeSeconds(), new DateTimeOffset(DateTime.SpecifyKind(creditedAt, DateTimeKind.Utc)).ToUnixTimeSeconds());
        orders.Save(order);
    }
}
