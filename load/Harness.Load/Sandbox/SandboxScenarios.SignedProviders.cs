using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Load.Engine;
using Harness.Load.Target;

namespace Harness.Load.Sandbox;

/// <summary>The creates of WeChat Pay and Alipay, which the merchant signs with its RSA key, and TapPay's charge.</summary>
public sealed partial class SandboxScenarios
{
    /// <summary>Where the orders say they would be notified: nothing pays them, so nothing is ever sent there.</summary>
    private const string WeChatPayNotifyUrl = "http://127.0.0.1:9/wechatpay/notify";

    private const string AlipayNotifyUrl = "http://127.0.0.1:9/alipay/notify";

    private const string NativeOrderPath = "/v3/pay/transactions/native";

    private readonly Lazy<RsaSigner> _weChatPayKey = new(() => new RsaSigner(target.WeChatPay.Credential("merchant_private_key")));
    private readonly Lazy<RsaSigner> _alipayKey = new(() => new RsaSigner(target.Alipay.Credential("app_private_key")));

    public void Dispose()
    {
        if (_weChatPayKey.IsValueCreated)
        {
            _weChatPayKey.Value.Dispose();
        }

        if (_alipayKey.IsValueCreated)
        {
            _alipayKey.Value.Dispose();
        }
    }

    private async Task<StepOutcome> WeChatPayCreateAsync(string scenario, StepContext ctx)
    {
        var provider = target.WeChatPay;
        var mchid = provider.Credential("mchid");
        var body = JsonSerializer.Serialize(new
        {
            appid = provider.Credential("appid"),
            mchid,
            description = "Harness load",
            out_trade_no = OrderNumber(scenario, ctx.Iteration, 32),
            notify_url = WeChatPayNotifyUrl,
            amount = new { total = 1, currency = "CNY" },
        });
        var authorization = WeChatPaySign.Authorization(
            _weChatPayKey.Value, mchid, provider.Credential("merchant_serial_no"), "POST", NativeOrderPath, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), RandomNumberGenerator.GetHexString(32), body);
        var answer = await target.WeChatPayApi.SendAsync(new LoadCall("POST", NativeOrderPath, Encoding.UTF8.GetBytes(body), authorization) { KeepBody = true }, ctx.Cancellation);
        return answer.Status == HttpStatusCode.OK && StringField(answer.Body, "code_url") is { } codeUrl && codeUrl.StartsWith("weixin://", StringComparison.Ordinal)
            ? StepOutcome.Success
            : Http(answer);
    }

    private async Task<StepOutcome> AlipayCreateAsync(string scenario, StepContext ctx)
    {
        var provider = target.Alipay;
        var outTradeNo = OrderNumber(scenario, ctx.Iteration, 64);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["app_id"] = provider.Credential("app_id"),
            ["method"] = "alipay.trade.precreate",
            ["format"] = "JSON",
            ["charset"] = "utf-8",
            ["sign_type"] = "RSA2",
            ["timestamp"] = DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), // the SDK sends local time
            ["version"] = "1.0",
            ["notify_url"] = AlipayNotifyUrl,
            ["biz_content"] = JsonSerializer.Serialize(new { out_trade_no = outTradeNo, total_amount = "0.01", subject = "Harness load" }),
        };
        parameters["sign"] = _alipayKey.Value.Sign(AlipaySign.Canonical(parameters));
        var body = string.Join('&', parameters.Select(p => p.Key + "=" + Form(p.Value)));
        var answer = await target.AlipayApi.SendAsync(
            new LoadCall("POST", provider.Credential("gateway_path"), Encoding.ASCII.GetBytes(body)) { ContentType = LoadCall.FormContentType + "; charset=utf-8", KeepBody = true },
            ctx.Cancellation);
        return answer.Status == HttpStatusCode.OK && AlipayAnswer(answer.Body, "alipay_trade_precreate_response") is ("10000", { Length: > 0 })
            ? StepOutcome.Success
            : StepOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)answer.Status} code {AlipayAnswer(answer.Body, "alipay_trade_precreate_response").Code ?? "none"}"));
    }

    private async Task<StepOutcome> TapPayChargeAsync(string scenario, StepContext ctx)
    {
        var provider = target.TapPay;
        var partnerKey = provider.Credential("partner_key");
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            prime = provider.Credential("test_prime"),
            partner_key = partnerKey,
            merchant_id = provider.Credential("merchant_id"),
            amount = 1,
            details = "Harness load",
            order_number = OrderNumber(scenario, ctx.Iteration, 50),
            cardholder = new { phone_number = "+886923456789", name = "Harness Load", email = "load@example.com" },
        });
        var answer = await target.TapPayApi.SendAsync(
            new LoadCall("POST", "/tpc/payment/pay-by-prime", body) { Headers = [new("x-api-key", partnerKey)], KeepBody = true },
            ctx.Cancellation);
        // TapPay answers every outcome with HTTP 200: success is status 0 with the trade's rec_trade_id.
        var status = IntField(answer.Body, "status");
        return answer.Status == HttpStatusCode.OK && status == 0 && StringField(answer.Body, "rec_trade_id") is { Length: > 0 }
            ? StepOutcome.Success
            : StepOutcome.Failure(string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)answer.Status} status {status?.ToString(CultureInfo.InvariantCulture) ?? "none"}"));
    }

    /// <summary>The iteration's order number within the provider's length and alphabet (letters, digits, <c>_</c>).</summary>
    private string OrderNumber(string scenario, long iteration, int maxLength)
    {
        var number = KeyOf(scenario, iteration).Replace('-', '_');
        return number.Length <= maxLength ? number : number[^maxLength..];
    }

    /// <summary>The <c>code</c> and <c>qr_code</c> of an Alipay gateway answer's <paramref name="member"/>.</summary>
    private static (string? Code, string? QrCode) AlipayAnswer(byte[]? body, string member) =>
        ReadAnswer<(string?, string?)>(
            body,
            root => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(member, out var response) ? (Text(response, "code"), Text(response, "qr_code")) : (null, null),
            (null, null));

    /// <summary>A top-level integer field of a JSON answer, or null.</summary>
    private static int? IntField(byte[]? body, string name) =>
        ReadAnswer(body, root => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : (int?)null, null);
}
