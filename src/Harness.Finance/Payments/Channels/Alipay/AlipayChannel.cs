using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Finance.Payments.Channels.Alipay;

/// <summary>
/// Alipay face-to-face (QR) payment as the merchant backend speaks it over the v2 openapi gateway: precreate, query
/// and close, signed RSA2 with the app key and checked against Alipay's key, plus the async notify.
/// </summary>
public sealed class AlipayChannel : IPaymentChannel
{
    private const string Precreate = "alipay.trade.precreate";
    private const string Query = "alipay.trade.query";
    private const string Close = "alipay.trade.close";

    private readonly ChannelSettings _settings;
    private readonly AlipayGateway _gateway;
    private readonly AlipayNotifications _notifications;

    public AlipayChannel(ChannelSettings settings, ChannelClock clock, ChannelHttp http)
    {
        _settings = settings;
        _gateway = new AlipayGateway(clock, http, new AlipayCertificateTrust(clock));
        _notifications = new AlipayNotifications(settings, clock, _gateway);
    }

    public string Name => "alipay";

    public async Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.Amount, 1);
        var bizContent = new JsonObject
        {
            ["out_trade_no"] = request.OutTradeNo,
            ["total_amount"] = AlipayWire.FormatYuan(request.Amount),
            ["subject"] = request.Description,
            ["time_expire"] = AlipayWire.FormatTime(request.ExpireAt),
        };
        var answer = await _gateway.CallAsync(_settings.Alipay(), Precreate, bizContent, request.NotifyUrl, cancellationToken);
        if (!answer.IsSuccess)
        {
            throw answer.Refusal();
        }

        return answer.Text("qr_code") is { Length: > 0 } qrCode
            ? new ChannelOrder(qrCode, PayUrl: null)
            : throw new ChannelException($"Alipay {Precreate}: the answer has no qr_code");
    }

    public async Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var answer = await _gateway.CallAsync(_settings.Alipay(), Query, new JsonObject { ["out_trade_no"] = outTradeNo }, null, cancellationToken);
        if (answer.SubCode == AlipayAnswer.TradeNotExist)
        {
            return new ChannelTrade(outTradeNo, ChannelTradeState.NotFound, null, null, null);
        }

        if (!answer.IsSuccess)
        {
            throw answer.Refusal();
        }

        if (answer.Text("out_trade_no") is { } answered && answered != outTradeNo)
        {
            throw new ChannelException($"Alipay {Query}: asked about {outTradeNo}, answered about {answered}");
        }

        var state = answer.Text("trade_status") switch
        {
            "WAIT_BUYER_PAY" => ChannelTradeState.NotPaid,
            "TRADE_SUCCESS" or "TRADE_FINISHED" => ChannelTradeState.Paid,
            "TRADE_CLOSED" => ChannelTradeState.Closed,
            var other => throw new ChannelException($"Alipay {Query}: unknown trade_status '{other}'"),
        };
        var amountText = answer.Text("total_amount") ?? answer.Text("buyer_pay_amount");
        long? amount = amountText is null
            ? null
            : AlipayWire.ParseFen(amountText) ?? throw new ChannelException($"Alipay {Query}: total_amount '{amountText}' is not an amount in yuan");
        var paidAtText = answer.Text("send_pay_date");
        DateTimeOffset? paidAt = paidAtText is null
            ? null
            : AlipayWire.ParseTime(paidAtText) ?? throw new ChannelException($"Alipay {Query}: send_pay_date '{paidAtText}' is not a China time");
        return new ChannelTrade(outTradeNo, state, amount, answer.Text("trade_no"), paidAt);
    }

    public async Task CloseAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var answer = await _gateway.CallAsync(_settings.Alipay(), Close, new JsonObject { ["out_trade_no"] = outTradeNo }, null, cancellationToken);

        // A precreated trade nobody scanned does not exist at Alipay: there is nothing to close.
        if (answer.IsSuccess || answer.SubCode == AlipayAnswer.TradeNotExist)
        {
            return;
        }

        throw answer.SubCode == "ACQ.TRADE_STATUS_ERROR"
            ? new ChannelException($"Alipay {Close}: trade {outTradeNo} cannot be closed, it is paid (ACQ.TRADE_STATUS_ERROR)")
            : answer.Refusal();
    }

    public Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _notifications.ReadAsync(request, cancellationToken);

    /// <summary>Alipay stops retrying only on a body of exactly <c>success</c>.</summary>
    public IResult Acknowledge() => Results.Text("success", "text/plain", statusCode: StatusCodes.Status200OK);

    /// <summary>Anything but <c>success</c> makes Alipay retry; the reason stays in the backend's log, not on the wire.</summary>
    public IResult Refuse(string reason) => Results.Text("fail", "text/plain", statusCode: StatusCodes.Status400BadRequest);
}
