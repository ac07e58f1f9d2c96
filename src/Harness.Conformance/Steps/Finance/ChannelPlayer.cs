using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Conformance.Steps.Providers;

namespace Harness.Conformance.Steps.Finance;

/// <summary>What is wrong with a notification the runner sends while playing the channel.</summary>
public enum NoticeFlaw
{
    /// <summary>Nothing: signed now with the channel's key, as the channel would send it.</summary>
    None,

    /// <summary>Signed correctly, but 6 minutes ago (outside the 5-minute window).</summary>
    Stale,

    /// <summary>The signature's bytes are corrupted.</summary>
    TamperedSignature,

    /// <summary>Signed over a notification for another order; the order number is swapped in after signing.</summary>
    BodyChangedAfterSigning,
}

/// <summary>One notification as bytes and headers, so the very same one can be sent again.</summary>
public sealed record ChannelNotice(string Channel, string Body, string ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public string Path => "/api/payment/notify/" + Channel;

    public HttpRequestMessage Request()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Path, UriKind.Relative))
        {
            Content = new StringContent(Body, Encoding.UTF8, MediaTypeHeaderValue.Parse(ContentType)),
        };
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}

/// <summary>
/// Plays a payment channel towards the target's notify URLs with the credentials the sandbox publishes: WeChat Pay v3
/// notifications (transaction resource sealed with AEAD_AES_256_GCM under the APIv3 key, associated data
/// <c>transaction</c>, signed with the platform key over <c>ts\nnonce\nbody\n</c>, providers.md §2.5) and Alipay async
/// notifies (form fields signed RSA2 with the Alipay key over the sorted pairs without <c>sign</c> and <c>sign_type</c>,
/// §3.5). Written from the spec, not from the sandbox's code.
/// </summary>
public sealed class ChannelPlayer(SandboxWorld sandbox)
{
    /// <summary>How old a stale notification's timestamp is: one minute past the 5-minute window.</summary>
    public static readonly TimeSpan StaleBy = TimeSpan.FromMinutes(6);

    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>A paid notification, as the channel would send it unless a flaw is asked for.</summary>
    /// <param name="channel"><c>wechat</c> or <c>alipay</c>.</param>
    /// <param name="outTradeNo">The payment order number the notification reports paid.</param>
    /// <param name="fen">The amount it reports paid.</param>
    /// <param name="flaw">What is wrong with it, if anything.</param>
    /// <param name="age">How long ago the channel signed it (a flaw's own age comes on top).</param>
    public Task<ChannelNotice> PaidAsync(string channel, string outTradeNo, long fen, NoticeFlaw flaw, TimeSpan age = default) => channel switch
    {
        "wechat" => WeChatAsync(outTradeNo, fen, flaw, DateTimeOffset.UtcNow - age),
        "alipay" => AlipayAsync(outTradeNo, fen, flaw, DateTimeOffset.UtcNow - age),
        _ => throw new FormatException($"Unknown payment channel \"{channel}\": use wechat or alipay."),
    };

    /// <summary>An order number no target has: the runner's prefix and random digits.</summary>
    public static string UnknownOrder() => "PAYHARNESSUNKNOWN" + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);

    private async Task<ChannelNotice> WeChatAsync(string outTradeNo, long fen, NoticeFlaw flaw, DateTimeOffset now)
    {
        var apiV3Key = await sandbox.CredentialAsync("wechatpay", "apiv3_key");
        var mchid = await sandbox.CredentialAsync("wechatpay", "mchid");
        var appid = await sandbox.CredentialAsync("wechatpay", "appid");
        var serial = await sandbox.CredentialAsync("wechatpay", "platform_serial_no");
        var platformKey = await sandbox.CredentialAsync("wechatpay", "platform_private_key");

        var transactionId = "4200" + Digits(24);
        string Envelope(string tradeNo) => WeChatEnvelope(apiV3Key, WeChatTransaction(appid, mchid, tradeNo, fen, transactionId, now), now);
        var body = Envelope(outTradeNo);
        var signedBody = flaw == NoticeFlaw.BodyChangedAfterSigning ? Envelope(UnknownOrder()) : body;

        var timestamp = (flaw == NoticeFlaw.Stale ? now - StaleBy : now).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        using var key = RSA.Create();
        key.ImportFromPem(platformKey);
        var signature = key.SignData(Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n{signedBody}\n"), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return new ChannelNotice("wechat", body, "application/json", [
            new("Wechatpay-Timestamp", timestamp),
            new("Wechatpay-Nonce", nonce),
            new("Wechatpay-Signature", Convert.ToBase64String(flaw == NoticeFlaw.TamperedSignature ? Corrupted(signature) : signature)),
            new("Wechatpay-Serial", serial),
            new("Wechatpay-Signature-Type", "WECHATPAY2-SHA256-RSA2048"),
        ]);
    }

    /// <summary>The decrypted resource of a paid Native transaction (§2.5).</summary>
    private static JsonObject WeChatTransaction(string appid, string mchid, string outTradeNo, long fen, string transactionId, DateTimeOffset paidAt) => new()
    {
        ["appid"] = appid,
        ["mchid"] = mchid,
        ["out_trade_no"] = outTradeNo,
        ["transaction_id"] = transactionId,
        ["trade_type"] = "NATIVE",
        ["trade_state"] = "SUCCESS",
        ["trade_state_desc"] = "支付成功",
        ["bank_type"] = "OTHERS",
        ["success_time"] = paidAt.ToOffset(ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        ["payer"] = new JsonObject { ["openid"] = "oHarnessConformancePlayer" },
        ["amount"] = new JsonObject { ["total"] = fen, ["payer_total"] = fen, ["currency"] = "CNY", ["payer_currency"] = "CNY" },
    };

    private static string WeChatEnvelope(string apiV3Key, JsonObject transaction, DateTimeOffset now)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)); // 12 characters, the IV's bytes
        var plain = Encoding.UTF8.GetBytes(transaction.ToJsonString());
        var sealedBytes = new byte[plain.Length + 16];
        using (var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16))
        {
            aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), Encoding.UTF8.GetBytes("transaction"));
        }

        var china = now.ToOffset(ChinaOffset);
        return new JsonObject
        {
            ["id"] = "EV-" + china.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + Digits(8),
            ["create_time"] = china.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
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
    }

    private async Task<ChannelNotice> AlipayAsync(string outTradeNo, long fen, NoticeFlaw flaw, DateTimeOffset now)
    {
        var appId = await sandbox.CredentialAsync("alipay", "app_id");
        var alipayKey = await sandbox.CredentialAsync("alipay", "alipay_private_key");
        var amount = (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        var china = (DateTimeOffset at) => at.ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["notify_time"] = china(flaw == NoticeFlaw.Stale ? now - StaleBy : now),
            ["notify_type"] = "trade_status_sync",
            ["notify_id"] = "2026" + Digits(28),
            ["app_id"] = appId,
            ["auth_app_id"] = appId,
            ["charset"] = "utf-8",
            ["version"] = "1.0",
            ["trade_no"] = "2026" + Digits(24),
            ["out_trade_no"] = flaw == NoticeFlaw.BodyChangedAfterSigning ? UnknownOrder() : outTradeNo,
            ["buyer_id"] = "2088102177846880",
            ["buyer_logon_id"] = "har***@sandbox.example",
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = amount,
            ["receipt_amount"] = amount,
            ["invoice_amount"] = amount,
            ["buyer_pay_amount"] = amount,
            ["point_amount"] = "0.00",
            ["subject"] = "Harness recharge",
            ["gmt_create"] = china(now.AddSeconds(-30)),
            ["gmt_payment"] = china(now),
        };
        var signature = ProviderSignatures.AlipayRsa2Sign(alipayKey, ProviderSignatures.AlipayContent(fields, withSignType: false));
        if (flaw == NoticeFlaw.BodyChangedAfterSigning)
        {
            fields["out_trade_no"] = outTradeNo;
        }

        fields["sign_type"] = "RSA2";
        fields["sign"] = flaw == NoticeFlaw.TamperedSignature ? Convert.ToBase64String(Corrupted(Convert.FromBase64String(signature))) : signature;
        return new ChannelNotice("alipay", FormText.Encode(fields), "application/x-www-form-urlencoded", []);
    }

    /// <summary>The same signature with some of its bits flipped: still base64 of the right length, no longer valid.</summary>
    private static byte[] Corrupted(byte[] signature)
    {
        var copy = (byte[])signature.Clone();
        for (var i = 0; i < 8; i++)
        {
            copy[i * 3] ^= 0x5A;
        }

        return copy;
    }

    private static string Digits(int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + RandomNumberGenerator.GetInt32(10))));
}
