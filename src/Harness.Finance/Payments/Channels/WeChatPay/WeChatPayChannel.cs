using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.Security;
using Harness.Security.Signing;
using Microsoft.AspNetCore.Http;

namespace Harness.Finance.Payments.Channels.WeChatPay;

/// <summary>
/// WeChat Pay API v3, Native payment, as a merchant speaks it (providers.md §2): every request signed with the
/// merchant key (<c>WECHATPAY2-SHA256-RSA2048</c>), every answer and notification verified with the platform
/// certificate of its serial, notification resources decrypted with the APIv3 key (AEAD_AES_256_GCM).
/// </summary>
public sealed class WeChatPayChannel(ChannelSettings settings, ChannelClock clock, ChannelHttp http) : IPaymentChannel, IDisposable
{
    /// <summary>Real notifications are about 1 KB; anything far larger is not one.</summary>
    public const int MaxNotificationBytes = 64 * 1024;

    /// <summary>How far a notification's timestamp may be from now, either way, as the official SDKs hold it.</summary>
    public static readonly TimeSpan ReplayWindow = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan ChinaTime = TimeSpan.FromHours(8);

    private readonly PlatformCertificates _certificates = new(clock);
    private (string Pem, RSA Key)? _merchantKey;

    public string Name => "wechat";

    public async Task<ChannelOrder> PlaceAsync(ChannelOrderRequest request, CancellationToken cancellationToken)
    {
        var wechat = settings.WeChatPay();
        var body = new JsonObject
        {
            ["appid"] = wechat.Appid,
            ["mchid"] = wechat.Mchid,
            ["description"] = request.Description,
            ["out_trade_no"] = request.OutTradeNo,
            ["time_expire"] = request.ExpireAt.ToOffset(ChinaTime).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["notify_url"] = request.NotifyUrl,
            ["amount"] = new JsonObject { ["total"] = request.Amount, ["currency"] = "CNY" },
        };
        var answer = await SendAsync(wechat, HttpMethod.Post, "/v3/pay/transactions/native", body, cancellationToken);
        if (answer.Status != 200)
        {
            throw Refusal(answer);
        }

        return new ChannelOrder(Field(answer, "code_url") ?? throw new ChannelException("WeChat Pay's answer has no code_url"), null);
    }

    public async Task<ChannelTrade> QueryAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var wechat = settings.WeChatPay();
        var answer = await SendAsync(wechat, HttpMethod.Get, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}?mchid={Uri.EscapeDataString(wechat.Mchid)}", null, cancellationToken);
        if (answer.Status == 404)
        {
            return new ChannelTrade(outTradeNo, ChannelTradeState.NotFound, null, null, null);
        }

        if (answer.Status != 200)
        {
            throw Refusal(answer);
        }

        return ParseTransaction(answer.Text) ?? throw new ChannelException("WeChat Pay's answer is not a transaction");
    }

    public async Task CloseAsync(string outTradeNo, CancellationToken cancellationToken)
    {
        var wechat = settings.WeChatPay();
        var answer = await SendAsync(wechat, HttpMethod.Post, $"/v3/pay/transactions/out-trade-no/{Uri.EscapeDataString(outTradeNo)}/close", new JsonObject { ["mchid"] = wechat.Mchid }, cancellationToken);
        if (answer.Status is not (204 or 200 or 404))
        {
            throw Refusal(answer);
        }
    }

    public async Task<ChannelNotification> ReadNotificationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await ReadBoundedAsync(request, cancellationToken);
        if (body is null)
        {
            return ChannelNotification.Refused($"a notification is at most {MaxNotificationBytes} bytes");
        }

        var notification = new WireAnswer(200, body, name => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null);
        foreach (var header in new[] { "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial" })
        {
            if (string.IsNullOrEmpty(notification.Header(header)))
            {
                return ChannelNotification.Refused($"the {header} header is missing");
            }
        }

        if (notification.Timestamp is not { } timestamp || timestamp > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (clock.Now - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > ReplayWindow)
        {
            return ChannelNotification.Refused($"Wechatpay-Timestamp '{notification.Header("Wechatpay-Timestamp")}' is outside the {ReplayWindow.TotalMinutes:0}-minute window");
        }

        WeChatPaySettings wechat;
        RSA? platformKey;
        try
        {
            wechat = settings.WeChatPay();
            platformKey = await _certificates.FindAsync(notification.Header("Wechatpay-Serial")!, wechat, ct => DownloadCertificatesAsync(wechat, ct), cancellationToken);
        }
        catch (ChannelException e)
        {
            return ChannelNotification.Refused("the platform certificates are not available: " + e.Message);
        }

        if (platformKey is null)
        {
            return ChannelNotification.Refused($"Wechatpay-Serial '{notification.Header("Wechatpay-Serial")}' is no platform certificate of this merchant");
        }

        if (!notification.IsSignedBy(platformKey))
        {
            return ChannelNotification.Refused("Wechatpay-Signature does not verify with the platform certificate");
        }

        return Decrypted(notification.Text, wechat);
    }

    public IResult Acknowledge() => Results.NoContent();

    public void Dispose()
    {
        _certificates.Dispose();
        _merchantKey?.Key.Dispose();
    }

    public IResult Refuse(string reason) => Results.Json(new FailAnswer("FAIL", reason), statusCode: StatusCodes.Status400BadRequest);

    /// <summary>The body of a refusal, as WeChat Pay expects it.</summary>
    public sealed record FailAnswer(string Code, string Message);

    /// <summary>The envelope's resource decrypted and checked to be this merchant's transaction.</summary>
    private static ChannelNotification Decrypted(string body, WeChatPaySettings wechat)
    {
        string? id;
        string? plain;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            id = root.TryGetProperty("id", out var idValue) && idValue.ValueKind == JsonValueKind.String ? idValue.GetString() : null;
            if (!root.TryGetProperty("resource", out var resource) || resource.ValueKind != JsonValueKind.Object
                || Text(resource, "algorithm") != "AEAD_AES_256_GCM")
            {
                return ChannelNotification.Refused("the notification has no AEAD_AES_256_GCM resource");
            }

            plain = AesGcmText.TryDecrypt(wechat.ApiV3Key, Text(resource, "associated_data") ?? "", Text(resource, "ciphertext") ?? "", Text(resource, "nonce") ?? "");
        }
        catch (JsonException)
        {
            return ChannelNotification.Refused("the notification is not JSON");
        }

        if (plain is null)
        {
            return ChannelNotification.Refused("the resource does not decrypt with the APIv3 key");
        }

        var trade = ParseTransaction(plain, wechat);
        return trade is null
            ? ChannelNotification.Refused("the resource is not a transaction of this merchant and app")
            : ChannelNotification.Verified(trade, id);
    }

    /// <summary>A transaction object, or null when it is not one (or, given settings, not this merchant's).</summary>
    private static ChannelTrade? ParseTransaction(string json, WeChatPaySettings? owner = null)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || Text(root, "out_trade_no") is not { } outTradeNo
                || (owner is not null && (Text(root, "mchid") != owner.Mchid || Text(root, "appid") != owner.Appid)))
            {
                return null;
            }

            long? amount = null;
            if (root.TryGetProperty("amount", out var amounts) && amounts.ValueKind == JsonValueKind.Object)
            {
                amount = Number(amounts, "payer_total") ?? Number(amounts, "total");
            }

            var state = Text(root, "trade_state") switch
            {
                "SUCCESS" => ChannelTradeState.Paid,
                "NOTPAY" or "USERPAYING" => ChannelTradeState.NotPaid,
                "CLOSED" or "REVOKED" => ChannelTradeState.Closed,
                "PAYERROR" => ChannelTradeState.PayError,
                "REFUND" => ChannelTradeState.Refunded,
                _ => (ChannelTradeState?)null,
            };
            DateTimeOffset? paidAt = DateTimeOffset.TryParse(Text(root, "success_time"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : null;
            return state is null ? null : new ChannelTrade(outTradeNo, state.Value, amount, Text(root, "transaction_id"), paidAt);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<WireAnswer> SendAsync(WeChatPaySettings wechat, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        var answer = await SendUnverifiedAsync(wechat, method, pathAndQuery, body, cancellationToken);
        if (answer.Status >= 500 && answer.Header("Wechatpay-Signature") is null)
        {
            throw new ChannelException($"WeChat Pay answered HTTP {answer.Status}");
        }

        var platformKey = await _certificates.FindAsync(answer.Header("Wechatpay-Serial") ?? "", wechat, ct => DownloadCertificatesAsync(wechat, ct), cancellationToken);
        return answer.IsSignedBy(platformKey)
            ? answer
            : throw new ChannelException($"WeChat Pay's answer to {method} {pathAndQuery.Split('?')[0]} does not carry a valid platform signature");
    }

    private Task<WireAnswer> DownloadCertificatesAsync(WeChatPaySettings wechat, CancellationToken cancellationToken) =>
        SendUnverifiedAsync(wechat, HttpMethod.Get, "/v3/certificates", null, cancellationToken);

    private async Task<WireAnswer> SendUnverifiedAsync(WeChatPaySettings wechat, HttpMethod method, string pathAndQuery, JsonObject? body, CancellationToken cancellationToken)
    {
        var text = body?.ToJsonString() ?? "";
        using var request = new HttpRequestMessage(method, new Uri(wechat.BaseUrl.TrimEnd('/') + pathAndQuery));
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(wechat, method.Method, pathAndQuery, text));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Harness-Finance", "1.0"));
        if (body is not null)
        {
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.Client.SendAsync(request, cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var headers = response.Headers;
            return new WireAnswer((int)response.StatusCode, bytes, name => headers.TryGetValues(name, out var values) ? string.Join(",", values) : null);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new ChannelException($"WeChat Pay at {wechat.BaseUrl} could not be reached: {e.Message}", e);
        }
    }

    /// <summary><c>WECHATPAY2-SHA256-RSA2048</c> over <c>METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>.</summary>
    private string Authorization(WeChatPaySettings wechat, string method, string pathAndQuery, string body)
    {
        var timestamp = clock.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Secrets.RandomHex(16).ToUpperInvariant();
        var signature = RsaSignature.Sign(MerchantKey(wechat), $"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n{body}\n");
        return $"WECHATPAY2-SHA256-RSA2048 mchid=\"{wechat.Mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{wechat.SerialNo}\",signature=\"{signature}\"";
    }

    private RSA MerchantKey(WeChatPaySettings wechat)
    {
        if (_merchantKey is { } cached && cached.Pem == wechat.PrivateKeyPem)
        {
            return cached.Key;
        }

        try
        {
            var key = RsaKeys.ImportPrivate(wechat.PrivateKeyPem);
            _merchantKey = (wechat.PrivateKeyPem, key);
            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw new ChannelException("WECHAT_PAY_PRIVATE_KEY is not an RSA private key in PEM", e);
        }
    }

    private static ChannelException Refusal(WireAnswer answer)
    {
        var code = Field(answer, "code");
        var message = Field(answer, "message");
        return new ChannelException(code is null ? $"WeChat Pay answered HTTP {answer.Status}" : $"{code}: {message}");
    }

    private static string? Field(WireAnswer answer, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(answer.Body);
            return document.RootElement.ValueKind == JsonValueKind.Object ? Text(document.RootElement, name) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxNotificationBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxNotificationBytes)
            {
                return null;
            }
        }

        return buffer.ToArray();
    }
}
