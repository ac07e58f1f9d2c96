using Microsoft.AspNetCore.Http;

namespace Harness.Finance.Payments.Channels;

/// <summary>
/// A payment channel as the backend's merchant side speaks it (WeChat Pay v3, Alipay): signed requests out, signed
/// answers and notifications verified in. The payment orders and recharge credits above it never see the wire.
/// </summary>
public interface IPaymentChannel
{
    /// <summary>The channel's name in routes and requests: <c>wechat</c> or <c>alipay</c>.</summary>
    string Name { get; }

    /// <summary>Places an order at the channel; throws <see cref="ChannelException"/> when the channel refuses or is unreachable.</summary>
    Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken);

    /// <summary>The channel's view of a trade (lost-callback recovery); <see cref="ChannelTradeState.NotFound"/> when it has none.</summary>
    Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken);

    /// <summary>Closes an unpaid order at the channel; an order the channel never saw counts as closed.</summary>
    Task CloseAsync(string outTradeNo, CancellationToken cancellationToken);

    /// <summary>Reads and verifies a notification; never throws for bad input, answers a refusal instead.</summary>
    Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary>The answer that tells the channel the notification was taken (it stops retrying).</summary>
    IResult Acknowledge();

    /// <summary>The answer that tells the channel the notification was refused (it retries later).</summary>
    IResult Refuse(string reason);
}

/// <param name="OutTradeNo">The merchant's payment order number.</param>
/// <param name="Amount">Integer fen (CNY).</param>
/// <param name="Description">What the buyer sees.</param>
/// <param name="ExpireAt">When the channel should stop taking payment.</param>
/// <param name="NotifyUrl">Where the channel posts its notification.</param>
public sealed record ChannelOrderRequest(string OutTradeNo, long Amount, string Description, DateTimeOffset ExpireAt, string NotifyUrl);

/// <summary>What the buyer is sent to: a QR code's content (<c>weixin://…</c>, Alipay's <c>qr_code</c>) or a page.</summary>
public sealed record ChannelOrder(string? CodeUrl, string? PayUrl);

public enum ChannelTradeState
{
    NotFound,
    NotPaid,
    Paid,
    Closed,
    PayError,
    Refunded,
}

/// <param name="OutTradeNo">The merchant's order number as the channel knows it.</param>
/// <param name="State">The channel's trade state, mapped.</param>
/// <param name="Amount">What the buyer paid (fen) when paid; the order total otherwise, when known.</param>
/// <param name="ChannelTradeNo">WeChat's <c>transaction_id</c>, Alipay's <c>trade_no</c>.</param>
/// <param name="PaidAt">When the channel says it was paid.</param>
public sealed record ChannelTrade(string OutTradeNo, ChannelTradeState State, long? Amount, string? ChannelTradeNo, DateTimeOffset? PaidAt);

/// <summary>A notification read from the wire: verified with its trade, or refused with the reason.</summary>
/// <param name="Trade">The trade the notification reports (verified notifications only).</param>
/// <param name="NotificationId">WeChat's notification <c>id</c>, Alipay's <c>notify_id</c>, for the log.</param>
/// <param name="Refusal">Why it is refused (bad signature, stale timestamp, undecryptable, malformed); null when verified.</param>
public sealed record ChannelNotification(ChannelTrade? Trade, string? NotificationId, string? Refusal)
{
    public static ChannelNotification Verified(ChannelTrade trade, string? notificationId) => new(trade, notificationId, null);

    public static ChannelNotification Refused(string reason) => new(null, null, reason);
}

/// <summary>The channel refused a request, answered unverifiably, or could not be reached.</summary>
public sealed class ChannelException(string message, Exception? inner = null) : Exception(message, inner);
