using System.Globalization;
using Harness.Finance.Consumption;
using Harness.Finance.Payments;
using Harness.Finance.Payments.Channels;
using Harness.Ledger;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Harness.Conformance.Tests.Faults;

/// <summary>
/// The backend's real payment channels with one deliberate defect in how notifications are read or applied, as a
/// broken implementation might have it; installed around every registered channel, never behind a switch in the backend.
/// </summary>
public abstract class FaultyChannel(IPaymentChannel inner) : IPaymentChannel
{
    protected IPaymentChannel Inner { get; } = inner;

    public string Name => Inner.Name;

    public Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken) => Inner.PlaceAsync(request, cancellationToken);

    public virtual Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken) => Inner.QueryAsync(outTradeNo, cancellationToken);

    public Task CloseAsync(string outTradeNo, CancellationToken cancellationToken) => Inner.CloseAsync(outTradeNo, cancellationToken);

    public virtual Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken) => Inner.ReadNotificationAsync(request, cancellationToken);

    public IResult Acknowledge() => Inner.Acknowledge();

    public IResult Refuse(string reason) => Inner.Refuse(reason);

    /// <summary>Wraps each registered channel (WeChat Pay and Alipay) with <paramref name="fault"/>.</summary>
    public static Action<IServiceCollection> Install(Func<IPaymentChannel, IServiceProvider, IPaymentChannel> fault) => services =>
    {
        for (var i = 0; i < services.Count; i++)
        {
            var original = services[i];
            if (original.ServiceType != typeof(IPaymentChannel) || original.IsKeyedService)
            {
                continue;
            }

            var key = "faulty-channel:" + i;
            services.Add(original switch
            {
                { ImplementationFactory: { } factory } => ServiceDescriptor.KeyedSingleton(typeof(IPaymentChannel), key, (sp, _) => factory(sp)),
                { ImplementationInstance: { } instance } => ServiceDescriptor.KeyedSingleton(typeof(IPaymentChannel), key, instance),
                _ => ServiceDescriptor.KeyedSingleton(typeof(IPaymentChannel), key, original.ImplementationType!),
            });
            services[i] = ServiceDescriptor.Singleton(sp => fault(sp.GetRequiredKeyedService<IPaymentChannel>(key), sp));
        }
    };
}

/// <summary>Takes the amount a notification reports as the order's own: a payment of any amount pays the order.</summary>
public sealed class AmountNotChecked(IPaymentChannel inner, PaymentOrders orders) : FaultyChannel(inner)
{
    public override async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var notification = await Inner.ReadNotificationAsync(request, cancellationToken);
        return notification.Trade is { } trade && orders.Get(trade.OutTradeNo) is { } order
            ? notification with { Trade = trade with { Amount = order.Amount } }
            : notification;
    }
}

/// <summary>Never asks the channel: a status query answers what the backend knows, so a lost notification is never recovered.</summary>
public sealed class ChannelNeverAsked(IPaymentChannel inner) : FaultyChannel(inner)
{
    public override Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken) =>
        Task.FromResult(new ChannelTrade(outTradeNo, ChannelTradeState.NotPaid, null, null, null));
}

/// <summary>
/// Credits a recharge for every verified "paid" notification about an order already paid, as a handler that keys its
/// credit by the notification instead of the order would: repeats, late and concurrent notifications all credit again.
/// </summary>
public sealed class CreditOnEveryNotification(IPaymentChannel inner, PaymentOrders orders, ILedger ledger) : FaultyChannel(inner)
{
    public override async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var notification = await Inner.ReadNotificationAsync(request, cancellationToken);
        if (notification.Trade is { State: ChannelTradeState.Paid } trade && orders.Get(trade.OutTradeNo) is { Status: PaymentStatus.Success, Recharge: { } terms } order)
        {
            await ledger.PostAsync(new LedgerPosting(ConsumptionService.AccountOf(order.UserId), terms.TotalCoins(), PaymentSettlement.LedgerKind), cancellationToken);
        }

        return notification;
    }
}

/// <summary>
/// Judges a notification's timestamp against the time the notification itself claims (<c>Wechatpay-Timestamp</c>,
/// Alipay's <c>notify_time</c>), so every timestamp is "now": the 5-minute replay window is never enforced. A channel
/// decorator reads the claim before the channel does; the channel clock answers it while that request is read.
/// </summary>
public sealed class ReplayWindowIgnored(IHttpContextAccessor http) : TimeProvider
{
    private const string ClaimKey = "fault:claimed-time";
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    public static Action<IServiceCollection> Install => services =>
    {
        services.AddHttpContextAccessor();
        services.Replace(ServiceDescriptor.Singleton(sp => new ChannelClock(new ReplayWindowIgnored(sp.GetRequiredService<IHttpContextAccessor>()))));
        FaultyChannel.Install((inner, _) => new ClaimReader(inner))(services);
    };

    public override DateTimeOffset GetUtcNow() =>
        http.HttpContext?.Items[ClaimKey] is DateTimeOffset claimed ? claimed : System.GetUtcNow();

    /// <summary>Notes the time a notification claims, then lets the channel read it as it came.</summary>
    private sealed class ClaimReader(IPaymentChannel inner) : FaultyChannel(inner)
    {
        public override async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
        {
            request.EnableBuffering();
            using var reader = new StreamReader(request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(cancellationToken);
            request.Body.Position = 0;
            if (Claimed(request.Headers["Wechatpay-Timestamp"].ToString(), body) is { } claimed)
            {
                request.HttpContext.Items[ClaimKey] = claimed;
            }

            return await Inner.ReadNotificationAsync(request, cancellationToken);
        }

        private static DateTimeOffset? Claimed(string wechatTimestamp, string body)
        {
            if (long.TryParse(wechatTimestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            var notifyTime = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).GetValueOrDefault("notify_time").ToString();
            return DateTime.TryParseExact(notifyTime, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var china)
                ? new DateTimeOffset(china, China)
                : null;
        }
    }
}
