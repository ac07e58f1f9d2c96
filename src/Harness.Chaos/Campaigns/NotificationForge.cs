using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Chaos.Campaigns;

/// <summary>How a forged notification is spoiled.</summary>
public enum Spoil
{
    None,
    Signature,
    BodyAfterSigning,
    Stale,
}

/// <summary>
/// Plays WeChat Pay and Alipay towards a backend that trusts the sandbox: paid-trade notifications signed with the
/// keys the sandbox publishes (test material), optionally spoiled. Written from providers.md §2.5 and §3.5.
/// </summary>
public sealed class NotificationForge(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> credentials)
{
    /// <summary>Older than the 5-minute window every backend must hold notifications to.</summary>
    private static readonly TimeSpan StaleBy = TimeSpan.FromMinutes(6);

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>A notification to POST to <c>/api/payment/notify/{channel}</c>.</summary>
    public HttpRequestMessage Paid(string channel, string outTradeNo, long amountFen, Spoil spoil) => channel switch
    {
        "wechat" => WeChat(credentials["wechatpay"], outTradeNo, amountFen, spoil),
        "alipay" => Alipay(credentials["alipay"], outTradeNo, amountFen, spoil),
        _ => throw new ArgumentException($"no such channel: {channel}", nameof(channel)),
    };

    /// <summary>Whether the answer tells the channel the notification was taken (WeChat: 2xx; Alipay: body <c>success</c>).</summary>
    public static bool Acknowledged(string channel, HttpResponseMessage answer, string body) => channel == "wechat"
        ? answer.IsSuccessStatusCode
        : answer.IsSuccessStatusCode && body == "success";

    private static HttpRequestMessage WeChat(IReadOnlyDictionary<string, string> keys, string outTradeNo, long amountFen, Spoil spoil)
    {
        var now = DateTimeOffset.UtcNow - (spoil == Spoil.Stale ? StaleBy : TimeSpan.Zero);
        var china = now.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var resource = new JsonObject
        {
            ["mchid"] = keys["mchid"],
            ["appid"] = keys["appid"],
            ["out_trade_no"] = outTradeNo,
            ["transaction_id"] = "4200" + RandomDigits(24),
            ["trade_type"] = "NATIVE",
            ["trade_state"] = "SUCCESS",
            ["trade_state_desc"] = "支付成功",
            ["bank_type"] = "OTHERS",
            ["attach"] = "",
            ["success_time"] = china,
            ["payer"] = new JsonObject { ["openid"] = "oChaos" + RandomDigits(10) },
            ["amount"] = new JsonObject { ["total"] = amountFen, ["payer_total"] = amountFen, ["currency"] = "CNY", ["payer_currency"] = "CNY" },
        };
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var plain = Encoding.UTF8.GetBytes(resource.ToJsonString());
        var sealedBytes = new byte[plain.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(keys["apiv3_key"]), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), "transaction"u8);
        }

        var body = new JsonObject
        {
            ["id"] = Guid.NewGuid().ToString(),
            ["create_time"] = china,
            ["resource_type"] = "encrypt-resource",
            ["event_type"] = "TRANSACTION.SUCCESS",
            ["summary"] = "支付成功",
            ["resource"] = new JsonObject
            {
                ["original_type"] = "transaction",
                ["algorithm"] = "AEAD_AES_256_GCM",
                ["ciphertext"] = Convert.ToBase64String(sealedBytes),
                ["associated_data"] = "transaction",
                ["nonce"] = nonce,
            },
        }.ToJsonString();
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signNonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var signature = Rsa(keys["platform_private_key"], $"{timestamp}\n{signNonce}\n{body}\n");
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/payment/notify/wechat", UriKind.Relative))
        {
            Content = new StringContent(spoil == Spoil.BodyAfterSigning ? body.Replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESS ", StringComparison.Ordinal) : body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Wechatpay-Timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("Wechatpay-Nonce", signNonce);
        request.Headers.TryAddWithoutValidation("Wechatpay-Signature", spoil == Spoil.Signature ? Flip(signature) : signature);
        request.Headers.TryAddWithoutValidation("Wechatpay-Serial", keys["platform_serial_no"]);
        return request;
    }

    private static HttpRequestMessage Alipay(IReadOnlyDictionary<string, string> keys, string outTradeNo, long amountFen, Spoil spoil)
    {
        var china = (DateTimeOffset.UtcNow - (spoil == Spoil.Stale ? StaleBy : TimeSpan.Zero)).ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var yuan = (amountFen / 100).ToString(CultureInfo.InvariantCulture) + "." + (amountFen % 100).ToString("D2", CultureInfo.InvariantCulture);
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = china,
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = "chaos" + RandomDigits(20),
            ["app_id"] = keys["app_id"],
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["trade_no"] = "2026" + RandomDigits(24),
            ["out_trade_no"] = outTradeNo,
            ["seller_id"] = keys.GetValueOrDefault("seller_id") ?? "",
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = yuan,
            ["receipt_amount"] = yuan,
            ["buyer_pay_amount"] = yuan,
            ["subject"] = "chaos",
            ["gmt_create"] = china,
            ["gmt_payment"] = china,
        };
        var sign = Rsa(keys["alipay_private_key"], string.Join('&', fields.Select(f => f.Key + "=" + f.Value)));
        fields["sign_type"] = "RSA2";
        fields["sign"] = spoil == Spoil.Signature ? Flip(sign) : sign;
        if (spoil == Spoil.BodyAfterSigning)
        {
            fields["total_amount"] = yuan + "0";
        }

        return new HttpRequestMessage(HttpMethod.Post, new Uri("/api/payment/notify/alipay", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(fields),
        };
    }

    private static string Rsa(string privateKeyPem, string message)
    {
        using var key = RSA.Create();
        key.ImportFromPem(privateKeyPem);
        return Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    /// <summary>The same signature with one base64 character changed: well formed, and wrong.</summary>
    private static string Flip(string signature) => signature[..8] + (signature[8] == 'A' ? 'B' : 'A') + signature[9..];

    private static string RandomDigits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
