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
/// Plays the providers towards a backend that trusts the sandbox: paid-trade notifications signed with the keys the
/// sandbox publishes (test material), optionally spoiled. WeChat Pay and Alipay for Finance (providers.md §2.5, §3.5);
/// Epay, Stripe and Creem for New-API's top-ups (new-api.md §5.8, §5.11, §5.13).
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

    /// <summary>An Epay <c>TRADE_SUCCESS</c> notify, a form to <c>/api/user/epay/notify</c>: MD5 of the sorted parameters and the merchant key.</summary>
    public HttpRequestMessage EpayPaid(string outTradeNo, string money, string type, Spoil spoil)
    {
        var keys = credentials["epay"];
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["pid"] = keys["pid"],
            ["trade_no"] = "2026" + RandomDigits(16),
            ["out_trade_no"] = outTradeNo,
            ["type"] = type,
            ["name"] = "chaos",
            ["money"] = money,
            ["trade_status"] = "TRADE_SUCCESS",
        };
#pragma warning disable CA5351 // MD5 is Epay's wire contract, not a choice.
        var sign = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => f.Key + "=" + f.Value)) + keys["key"])));
#pragma warning restore CA5351
        fields["sign"] = spoil == Spoil.Signature ? FlipHex(sign) : sign;
        fields["sign_type"] = "MD5";
        if (spoil == Spoil.BodyAfterSigning)
        {
            fields["money"] = "9" + money;
        }

        return new HttpRequestMessage(HttpMethod.Post, new Uri("/api/user/epay/notify", UriKind.Relative)) { Content = new FormUrlEncodedContent(fields) };
    }

    /// <summary>
    /// A Stripe <c>checkout.session.completed</c> event (complete, paid) for the order whose trade number is the session's
    /// <c>client_reference_id</c>, signed <c>t=…,v1=HMAC-SHA256(webhook secret, "t.body")</c>.
    /// </summary>
    public HttpRequestMessage StripePaid(string tradeNo, long amountCents, Spoil spoil)
    {
        var timestamp = (DateTimeOffset.UtcNow - (spoil == Spoil.Stale ? StaleBy : TimeSpan.Zero)).ToUnixTimeSeconds();
        var body = new JsonObject
        {
            ["id"] = "evt_chaos" + RandomDigits(16),
            ["object"] = "event",
            ["api_version"] = "2024-06-20",
            ["created"] = timestamp,
            ["livemode"] = false,
            ["type"] = "checkout.session.completed",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = "cs_test_chaos" + RandomDigits(16),
                    ["object"] = "checkout.session",
                    ["client_reference_id"] = tradeNo,
                    ["customer"] = "cus_chaos" + RandomDigits(8),
                    ["mode"] = "payment",
                    ["status"] = "complete",
                    ["payment_status"] = "paid",
                    ["amount_total"] = amountCents,
                    ["currency"] = "usd",
                },
            },
        }.ToJsonString();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(credentials["stripe"]["webhook_secret"]), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        return Webhook("/api/stripe/webhook", body, spoil, "Stripe-Signature", $"t={timestamp},v1={(spoil == Spoil.Signature ? FlipHex(signature) : signature)}");
    }

    /// <summary>A Creem <c>checkout.completed</c> event (a paid one-time order, <c>request_id</c> = the order), signed with hex HMAC-SHA256 of the body.</summary>
    public HttpRequestMessage CreemPaid(string requestId, Spoil spoil)
    {
        var body = new JsonObject
        {
            ["id"] = "evt_chaos" + RandomDigits(16),
            ["eventType"] = "checkout.completed",
            ["object"] = new JsonObject
            {
                ["request_id"] = requestId,
                ["order"] = new JsonObject { ["id"] = "ord_chaos" + RandomDigits(12), ["status"] = "paid", ["type"] = "onetime", ["amount_paid"] = 1000, ["currency"] = "USD" },
                ["customer"] = new JsonObject { ["email"] = "chaos@example.com", ["name"] = "chaos" },
                ["product"] = new JsonObject { ["name"] = "chaos" },
            },
        }.ToJsonString();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(credentials["creem"]["webhook_secret"]), Encoding.UTF8.GetBytes(body)));
        return Webhook("/api/creem/webhook", body, spoil, "creem-signature", spoil == Spoil.Signature ? FlipHex(signature) : signature);
    }

    /// <summary>A JSON webhook with its signature header; a body spoiled after signing gets a space the signature did not cover.</summary>
    private static HttpRequestMessage Webhook(string path, string body, Spoil spoil, string header, string signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(spoil == Spoil.BodyAfterSigning ? body + " " : body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(header, signature);
        return request;
    }

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

    /// <summary>The same hex signature with its first character changed.</summary>
    private static string FlipHex(string signature) => (signature[0] == 'a' ? 'b' : 'a') + signature[1..];

    private static string RandomDigits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
