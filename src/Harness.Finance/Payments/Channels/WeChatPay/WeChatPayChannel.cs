using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// WeChat Pay API v3, Native (QR) payments, as the merchant speaks it (providers.md §2): orders placed, queried and
/// closed with requests signed by the merchant key, every answer's platform signature verified before it is believed,
/// and notifications verified and decrypted. Settings are read on each use, so new keys need no restart.
/// </summary>
public sealed class WeChatPayChannel : IPaymentChannel
{
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    private readonly ChannelSettings _settings;
    private readonly WeChatPayApi _api;
    private readonly WeChatPayNotifications _notifications;

    public WeChatPayChannel(ChannelSettings settings, ChannelClock clock, ChannelHttp http)
    {
        _settings = settings;
        _api = new WeChatPayApi(clock, http);
        _notifications = new WeChatPayNotifications(settings, clock, _api.Certificates);
    }

    public string Name => "wechat";

    public async Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken)
    {
        var settings = _settings.WeChatPay();
        var order = new JsonObject
        {
            ["appid"] = settings.Appid,
            ["mchid"] = settings.Mchid,
            ["description"] = request.Description,
            ["out_trade_no"] = request.OutTradeNo,
            ["time_expire"] = request.ExpireAt.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["notify_url"] = request.NotifyUrl,
            ["amount"] = new JsonObject { ["total"] = request.Amount, ["currency"] = "CNY" },
        };
        var answer = await _api.CallAsync(settings, HttpMethod.Post, "/v3/pay/transactions/native", order, cancellationToken);
        if (answer.Status != 200)
        {
            throw new ChannelException($"WeChat Pay refused order {request.OutTradeNo}: {answer.Describe()}");
        }

        var codeUrl = Parsed(answer, root => WeChatPayJson.Text(root, "code_url"));
        return codeUrl is { Length: > 0 }
            ? new ChannelOrder(codeUrl, null)
            : throw new ChannelException($"WeChat Pay placed order {request.OutTradeNo} but answered no code_url");
    }

    public async Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var settings = _settings.WeChatPay();
        var path = $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(settings.Mchid)}";
        var answer = await _api.CallAsync(settings, HttpMethod.Get, path, null, cancellationToken);
        if (answer.Status == 404 && answer.Code() is "ORDER_NOT_EXIST" or "RESOURCE_NOT_EXISTS")
        {
            return new ChannelTrade(outTradeNo, ChannelTradeState.NotFound, null, null, null);
        }

        if (answer.Status != 200)
        {
            throw new ChannelException($"WeChat Pay refused the query of {outTradeNo}: {answer.Describe()}");
        }

        var (trade, problem) = Parsed(answer, WeChatPayTransactions.Read);
        if (trade is null)
        {
            throw new ChannelException($"WeChat Pay's answer to the query of {outTradeNo} is unusable: {problem}");
        }

        // A signed answer about another order is still no answer to this query.
        return trade.OutTradeNo == outTradeNo
            ? trade
            : throw new ChannelException($"WeChat Pay answered the query of {outTradeNo} with order {WeChatPayJson.Shown(trade.OutTradeNo)}");
    }

    public async Task CloseAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var settings = _settings.WeChatPay();
        var path = $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close";
        var answer = await _api.CallAsync(settings, HttpMethod.Post, path, new JsonObject { ["mchid"] = settings.Mchid }, cancellationToken);

        // 204 is closed (again, for an order already closed); an order WeChat never saw cannot be paid either.
        var closed = answer.Status is 200 or 204 || (answer.Status == 404 && answer.Code() is "ORDER_NOT_EXIST" or "RESOURCE_NOT_EXISTS");
        if (!closed)
        {
            throw new ChannelException($"WeChat Pay did not close {outTradeNo}: {answer.Describe()}");
        }
    }

    public Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _notifications.ReadAsync(request, cancellationToken);

    /// <summary>204 with no body: WeChat takes 200 or 204 as received and stops retrying.</summary>
    public IResult Acknowledge() => Results.NoContent();

    /// <summary>
    /// 400 with APIv3's failure shape, for every refusal (signature, timestamp, malformed alike): any 4xx makes WeChat
    /// retry, and one status keeps the answer from telling a prober which check failed.
    /// </summary>
    public IResult Refuse(string reason) =>
        Results.Text(new JsonObject { ["code"] = "FAIL", ["message"] = reason }.ToJsonString(), "application/json; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    /// <summary>Reads a verified answer's JSON; a body that is not JSON is the channel's failure, not ours.</summary>
    private static T Parsed<T>(WeChatPayAnswer answer, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(answer.Body, WeChatPayJson.Strict);
            return read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ChannelException($"WeChat Pay's answer ({answer.Status}) is not well-formed JSON", e);
        }
    }
}
