using System.Collections.Concurrent;
using Harness.Finance.Payments.Channels;
using Harness.Ledger;
using Harness.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Harness.Finance.Payments;

/// <summary>What happened to a close request.</summary>
public enum CloseOutcome
{
    Closed,
    AlreadyPaid,
    ChannelUnavailable,
}

/// <summary>
/// The payment orders' life at their channel: placed, polled (asking the channel when no notification came),
/// closed, and settled by notifications. Every state change holds the order's lock.
/// </summary>
public sealed class PaymentService(
    IEnumerable<IPaymentChannel> channels,
    PaymentOrders orders,
    PaymentSettlement settlement,
    PaymentLog log,
    KeyedLock locks,
    TimeProvider clock,
    ChannelClock channelClock,
    IServer server,
    IOptions<FinanceOptions> options)
{
    /// <summary>How often one order's status may ask its channel; polls in between answer what is known.</summary>
    public static readonly TimeSpan ChannelQueryInterval = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, IPaymentChannel> _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastAsked = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> ChannelNames => _channels.Keys;

    public IPaymentChannel? Channel(string name) => _channels.GetValueOrDefault(name);

    public TimeSpan OrderLifetime => options.Value.PaymentOrderLifetime;

    /// <summary>
    /// Stores the order first (so a notification can never find it unknown), then places it at the channel. A refusal
    /// closes it again and is thrown as <see cref="ChannelException"/>.
    /// </summary>
    public async Task<PaymentOrder> PlaceAsync(PaymentOrder order, CancellationToken cancellationToken)
    {
        var channel = ChannelFor(order.Channel);
        if (!orders.TryAdd(order))
        {
            throw new InvalidOperationException($"payment order number {order.Id} is taken");
        }

        try
        {
            // The channel's expiry is on the wall clock (the channel's own), the order's on the backend's.
            var placed = await channel.PlaceAsync(
                new ChannelOrderRequest(order.Id, order.Amount, order.Description, channelClock.Now + OrderLifetime, NotifyUrl(order.Channel)),
                cancellationToken);
            using (await locks.AcquireAsync(PaymentSettlement.LockKey(order.Id), cancellationToken))
            {
                order = orders.Get(order.Id)!;
                order.CodeUrl = placed.CodeUrl;
                order.PayUrl = placed.PayUrl;
                orders.Save(order);
            }

            return order;
        }
        catch (ChannelException)
        {
            order.Status = PaymentStatus.Closed;
            order.CloseReason = CloseReason.ChannelFailed;
            order.ClosedAt = clock.GetUtcNow().UtcDateTime;
            orders.Save(order);
            throw;
        }
    }

    /// <summary>
    /// The order as it stands after asking the channel, when it is unpaid and has not been asked lately: a payment
    /// whose notification was lost is applied here, and an order past its expiry is closed at the channel.
    /// </summary>
    public async Task<PaymentOrder> RefreshAsync(PaymentOrder order, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (order.Status != PaymentStatus.NotPay
            || (_lastAsked.TryGetValue(order.Id, out var asked) && now - asked < ChannelQueryInterval && now < order.ExpireAt))
        {
            return order;
        }

        _lastAsked[order.Id] = now;
        ChannelTrade trade;
        try
        {
            trade = await ChannelFor(order.Channel).QueryAsync(order.Id, cancellationToken);
        }
        catch (ChannelException)
        {
            return order; // the channel cannot tell now; the order stays as it is, and the next poll asks again
        }

        using (await locks.AcquireAsync(PaymentSettlement.LockKey(order.Id), cancellationToken))
        {
            if (trade.State == ChannelTradeState.Paid)
            {
                await settlement.SettleLockedAsync(order.Id, trade, cancellationToken);
            }
            else if (trade.State is ChannelTradeState.Closed or ChannelTradeState.PayError || now >= order.ExpireAt)
            {
                await CloseLockedAsync(order.Id, now >= order.ExpireAt ? CloseReason.Expired : CloseReason.Closed, askChannel: trade.State is ChannelTradeState.NotPaid, cancellationToken);
            }

            _lastAsked.TryRemove(order.Id, out _);
            return orders.Get(order.Id)!;
        }
    }

    /// <summary>Closes an unpaid order here and at its channel; a paid one stays paid.</summary>
    public async Task<(CloseOutcome Outcome, PaymentOrder Order, string? Problem)> CloseAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(PaymentSettlement.LockKey(outTradeNo), cancellationToken))
        {
            var (outcome, problem) = await CloseLockedAsync(outTradeNo, CloseReason.Closed, askChannel: true, cancellationToken);
            return (outcome, orders.Get(outTradeNo)!, problem);
        }
    }

    private async Task<(CloseOutcome Outcome, string? Problem)> CloseLockedAsync(string outTradeNo, string reason, bool askChannel, CancellationToken cancellationToken)
    {
        var order = orders.Get(outTradeNo)!;
        if (order.Status == PaymentStatus.Success)
        {
            return (CloseOutcome.AlreadyPaid, null);
        }

        if (order.Status != PaymentStatus.NotPay)
        {
            return (CloseOutcome.Closed, null);
        }

        if (askChannel)
        {
            try
            {
                await ChannelFor(order.Channel).CloseAsync(outTradeNo, cancellationToken);
            }
            catch (ChannelException closeFailed)
            {
                // Most often the buyer paid a moment ago: then the payment wins and is applied now.
                try
                {
                    var trade = await ChannelFor(order.Channel).QueryAsync(outTradeNo, cancellationToken);
                    if (trade.State == ChannelTradeState.Paid)
                    {
                        await settlement.SettleLockedAsync(outTradeNo, trade, cancellationToken);
                        return (orders.Get(outTradeNo)!.Status == PaymentStatus.Success ? CloseOutcome.AlreadyPaid : CloseOutcome.ChannelUnavailable, closeFailed.Message);
                    }
                }
                catch (ChannelException)
                {
                    // Reported below with the close's own failure.
                }

                return (CloseOutcome.ChannelUnavailable, closeFailed.Message);
            }
        }

        order.Status = PaymentStatus.Closed;
        order.CloseReason = reason;
        order.ClosedAt = clock.GetUtcNow().UtcDateTime;
        orders.Save(order);
        return (CloseOutcome.Closed, null);
    }

    /// <summary>
    /// Verifies a notification and applies it once, answering the channel as it expects: refused ones so it retries,
    /// everything verified (paid, repeated, or flagged for an operator) so it stops.
    /// </summary>
    public async Task<IResult> HandleNotificationAsync(IPaymentChannel channel, HttpRequest request, CancellationToken cancellationToken)
    {
        var notification = await channel.ReadNotificationAsync(request, cancellationToken);
        if (notification.Trade is not { } trade)
        {
            log.Note(channel.Name, notification.NotificationId, null, NotificationOutcome.Refused, notification.Refusal);
            return channel.Refuse(notification.Refusal ?? "notification refused");
        }

        if (trade.State != ChannelTradeState.Paid)
        {
            log.Note(channel.Name, notification.NotificationId, trade.OutTradeNo, NotificationOutcome.Ignored, $"trade state {trade.State}");
            return channel.Acknowledge();
        }

        var order = orders.Get(trade.OutTradeNo);
        if (order is null || order.Channel != channel.Name)
        {
            var detail = $"{channel.Name} reports a payment for {trade.OutTradeNo}, which is no {channel.Name} order here";
            log.Flag(ReviewKind.UnknownOrder, channel.Name, trade.OutTradeNo, null, trade.Amount, trade.ChannelTradeNo, detail);
            log.Note(channel.Name, notification.NotificationId, trade.OutTradeNo, NotificationOutcome.Flagged, detail);
            return channel.Acknowledge();
        }

        Settlement settled;
        try
        {
            settled = await settlement.SettleAsync(order.Id, trade, cancellationToken);
        }
        catch (LedgerUnavailableException unavailable)
        {
            log.Note(channel.Name, notification.NotificationId, trade.OutTradeNo, NotificationOutcome.Failed, unavailable.Message);
            return channel.Refuse("temporarily unable to apply the payment; retry later");
        }

        log.Note(channel.Name, notification.NotificationId, trade.OutTradeNo, settled.Outcome, settled.Reason);
        return channel.Acknowledge();
    }

    private IPaymentChannel ChannelFor(string name) =>
        _channels.GetValueOrDefault(name) ?? throw new ChannelException($"the {name} channel is not available in this backend");

    /// <summary>
    /// Where a channel posts notifications: <c>Harness:PublicBaseUrl</c> when set (a backend behind a proxy or in a
    /// container), else the address the backend listens on.
    /// </summary>
    public string NotifyUrl(string channel) => $"{PublicBaseUrl().TrimEnd('/')}/api/payment/notify/{channel}";

    private string PublicBaseUrl()
    {
        if (!string.IsNullOrEmpty(options.Value.PublicBaseUrl))
        {
            return options.Value.PublicBaseUrl;
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
        return address.Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://*", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://localhost", StringComparison.Ordinal);
    }
}
