using Harness.Finance.Consumption;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Ledger;
using QRCoder;

namespace Harness.Finance.Recharge;

/// <summary>Recharges: a plan's terms frozen into a payment order, placed at the chosen channel, credited once paid.</summary>
public sealed class RechargeOrders(PaymentOrders orders, PaymentService payments, ILedger ledger, TimeProvider clock)
{
    public const string BizType = "RECHARGE";

    public RechargePreview Preview(RechargePlanDocument plan, string channel) => new(
        RechargePlanView.From(plan),
        channel,
        plan.Price,
        plan.Currency,
        plan.Coins,
        plan.BonusCoins,
        plan.Coins + plan.BonusCoins,
        (long)payments.OrderLifetime.TotalSeconds);

    /// <summary>Creates the order and places it; throws <see cref="ChannelException"/> when the channel refuses.</summary>
    public async Task<CreatedRecharge> CreateAsync(string userId, RechargePlanDocument plan, string channel, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var order = new PaymentOrder
        {
            Id = PaymentOrders.NewNumber("PAY", now),
            UserId = userId,
            BizType = BizType,
            BizOrderNo = PaymentOrders.NewNumber("RCH", now),
            Channel = channel,
            Amount = plan.Price,
            Description = $"Recharge: {plan.Name}",
            CreatedAt = now.UtcDateTime,
            ExpireAt = (now + payments.OrderLifetime).UtcDateTime,
            Recharge = new RechargeTerms { PlanId = plan.Id, PlanName = plan.Name, Coins = plan.Coins, BonusCoins = plan.BonusCoins },
        };
        order = await payments.PlaceAsync(order, cancellationToken);
        return new CreatedRecharge(
            order.BizOrderNo,
            order.Id,
            order.Channel,
            order.Amount,
            RechargePlans.Currency,
            order.Recharge!.TotalCoins(),
            RechargeStatus.Of(order, now),
            order.CodeUrl,
            order.PayUrl,
            QrCodeDataUrl(order.CodeUrl ?? order.PayUrl),
            order.ExpireAt);
    }

    public PaymentOrder? Find(string userId, string orderNo) => orders.OfBizOrder(userId, BizType, orderNo);

    /// <summary>The order after asking its channel when it is still pending (lost-callback recovery).</summary>
    public async Task<RechargeOrderView> StatusAsync(PaymentOrder order, CancellationToken cancellationToken) =>
        RechargeOrderView.From(await payments.RefreshAsync(order, cancellationToken), clock.GetUtcNow());

    /// <summary>Newest first; <paramref name="userId"/> null means every user's (the admin list).</summary>
    public (IReadOnlyList<RechargeOrderView> Page, long Total) Records(string? userId, RechargeFilter filter)
    {
        var now = clock.GetUtcNow();
        var matching = Matching(userId, filter, now).OrderByDescending(o => o.CreatedAt).ThenByDescending(o => o.Id, StringComparer.Ordinal).ToList();
        return ([.. matching.Skip((filter.PageNumber - 1) * filter.Size).Take(filter.Size).Select(o => RechargeOrderView.From(o, now))], matching.Count);
    }

    public RechargeSummary Summary(string userId, RechargeFilter filter)
    {
        var now = clock.GetUtcNow();
        var matching = Matching(userId, filter, now).ToList();
        var paid = matching.Where(o => o.Status == PaymentStatus.Success).ToList();
        var ledgerTotals = ledger.Summarise(new LedgerFilter(ConsumptionService.AccountOf(userId))
        {
            Kind = PaymentSettlement.LedgerKind,
            Category = filter.Channel,
            From = filter.StartTime?.UtcDateTime,
            To = filter.EndTime?.UtcDateTime,
        });
        return new RechargeSummary(
            matching.Count,
            paid.Count,
            paid.Sum(o => o.Amount),
            paid.Sum(o => o.Recharge!.TotalCoins()),
            ledgerTotals.Amount,
            RechargePlans.Currency,
            [.. matching.GroupBy(o => RechargeStatus.Of(o, now)).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new RechargeStatusCount(g.Key, g.Count()))],
            [.. matching.GroupBy(o => o.Channel).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
            {
                var paidHere = g.Where(o => o.Status == PaymentStatus.Success).ToList();
                return new RechargeChannelTotal(g.Key, g.Count(), paidHere.Count, paidHere.Sum(o => o.Amount), paidHere.Sum(o => o.Recharge!.TotalCoins()));
            })],
            filter.StartTime,
            filter.EndTime);
    }

    private IEnumerable<PaymentOrder> Matching(string? userId, RechargeFilter filter, DateTimeOffset now) =>
        (userId is null ? orders.All() : orders.OfUser(userId)).Where(o => o.BizType == BizType && o.Recharge is not null && filter.Matches(o, now));

    private static string? QrCodeDataUrl(string? content)
    {
        if (string.IsNullOrEmpty(content))
        {
            return null;
        }

        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(6));
    }
}
