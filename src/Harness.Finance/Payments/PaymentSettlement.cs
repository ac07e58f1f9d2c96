using System.Globalization;
using Harness.Finance.Consumption;
using Harness.Finance.Payments.Channels;
using Harness.Ledger;
using Harness.Storage;

namespace Harness.Finance.Payments;

/// <param name="Outcome">A <see cref="NotificationOutcome"/>.</param>
/// <param name="Reason">What an operator or the log needs to know.</param>
public sealed record Settlement(string Outcome, string? Reason);

/// <summary>
/// Applies a channel's "paid" to an order exactly once, whoever reports it first: a notification, a repeat of it,
/// or a status query asking the channel. Everything that touches an order's state holds the order's lock.
/// For a recharge, the ledger entry is the commit point: it is posted with the order number as its idempotency key
/// and reference, after the order durably records that a credit started; an order found with a started credit and
/// no entry id looks the entry up in the ledger before posting, so no crash between the two writes credits twice.
/// </summary>
public sealed class PaymentSettlement(PaymentOrders orders, ILedger ledger, PaymentLog log, KeyedLock locks, TimeProvider clock)
{
    public const string LedgerKind = "recharge";

    public static string LockKey(string outTradeNo) => "payment:" + outTradeNo;

    public async Task<Settlement> SettleAsync(string outTradeNo, ChannelTrade trade, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(LockKey(outTradeNo), cancellationToken))
        {
            return await SettleLockedAsync(outTradeNo, trade, cancellationToken);
        }
    }

    /// <summary>The same, for a caller that holds the order's lock.</summary>
    public async Task<Settlement> SettleLockedAsync(string outTradeNo, ChannelTrade trade, CancellationToken cancellationToken)
    {
        var order = orders.Get(outTradeNo)!;
        if (order.Status == PaymentStatus.Success)
        {
            return new Settlement(NotificationOutcome.Duplicate, $"order {outTradeNo} is already paid");
        }

        var paid = trade.Amount;
        if (paid != order.Amount)
        {
            var detail = $"the channel reports {Fen(paid)} paid for an order of {Fen(order.Amount)}";
            log.Flag(ReviewKind.AmountMismatch, order.Channel, outTradeNo, order, paid, trade.ChannelTradeNo, detail);
            return new Settlement(NotificationOutcome.Flagged, detail);
        }

        if (order.Status != PaymentStatus.NotPay)
        {
            var detail = $"the channel reports a payment for order {outTradeNo}, which is {order.Status}";
            log.Flag(ReviewKind.PaidAfterClose, order.Channel, outTradeNo, order, paid, trade.ChannelTradeNo, detail);
            return new Settlement(NotificationOutcome.Flagged, detail);
        }

        if (order.Recharge is not null)
        {
            var refusal = await CreditAsync(order, trade, cancellationToken);
            if (refusal is not null)
            {
                log.Flag(ReviewKind.CreditRefused, order.Channel, outTradeNo, order, paid, trade.ChannelTradeNo, refusal);
                return new Settlement(NotificationOutcome.Flagged, refusal);
            }
        }

        order.Status = PaymentStatus.Success;
        order.PaidAmount = paid;
        order.PaidAt = clock.GetUtcNow().UtcDateTime;
        order.ChannelPaidAt = trade.PaidAt?.UtcDateTime;
        order.ChannelTradeNo = trade.ChannelTradeNo;
        orders.Save(order);
        return order.Recharge is null
            ? new Settlement(NotificationOutcome.Paid, null)
            : new Settlement(NotificationOutcome.Credited, $"{order.Recharge.TotalCoins()} coins credited (ledger entry {order.LedgerEntryId})");
    }

    /// <summary>Posts the recharge's coins once; null when done, else why the ledger refused.</summary>
    private async Task<string?> CreditAsync(PaymentOrder order, ChannelTrade trade, CancellationToken cancellationToken)
    {
        var terms = order.Recharge!;
        var account = ConsumptionService.AccountOf(order.UserId);
        if (order.CreditStartedAt is not null && FindCredit(account, order.BizOrderNo) is { } earlier)
        {
            order.LedgerEntryId = earlier.Id;
            return null;
        }

        order.CreditStartedAt ??= clock.GetUtcNow().UtcDateTime;
        orders.Save(order);
        var total = terms.TotalCoins();
        var outcome = await ledger.PostAsync(
            new LedgerPosting(account, total, LedgerKind)
            {
                Idempotency = new IdempotencyClaim("finance:recharge:" + order.UserId, order.BizOrderNo, total.ToString(CultureInfo.InvariantCulture)),
                Category = order.Channel,
                Subject = terms.PlanId,
                Reference = order.BizOrderNo,
                Details = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["outTradeNo"] = order.Id,
                    ["payAmount"] = order.Amount.ToString(CultureInfo.InvariantCulture),
                    ["coins"] = terms.Coins.ToString(CultureInfo.InvariantCulture),
                    ["bonusCoins"] = terms.BonusCoins.ToString(CultureInfo.InvariantCulture),
                    ["channelTradeNo"] = trade.ChannelTradeNo ?? "",
                },
            },
            cancellationToken);
        switch (outcome.Status)
        {
            case LedgerStatus.Applied or LedgerStatus.Replayed:
                order.LedgerEntryId = outcome.Entry!.Id;
                return null;
            case LedgerStatus.BalanceLimitExceeded:
                return $"crediting {total} coins would take the balance above its limit";
            default:
                return $"the ledger refused the credit ({outcome.Status})";
        }
    }

    /// <summary>The recharge entry of <paramref name="orderNo"/>, if the ledger has one (recharges per user are few).</summary>
    private LedgerEntry? FindCredit(string account, string orderNo)
    {
        const int PageSize = 200;
        for (var skip = 0; ; skip += PageSize)
        {
            var page = ledger.Query(new LedgerQuery(new LedgerFilter(account) { Kind = LedgerKind }, skip, PageSize));
            if (page.Items.FirstOrDefault(e => e.Reference == orderNo) is { } found)
            {
                return found;
            }

            if (page.Items.Count < PageSize)
            {
                return null;
            }
        }
    }

    private static string Fen(long? amount) => amount is null ? "an unknown amount" : $"{amount} fen";
}
