using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// A WeChat Pay API v3 merchant client written from providers.md §2.3–§2.6 (not from the sandbox): it signs each
/// request with the merchant key, checks every answer's signature (the platform certificate's, or the WeChat Pay public
/// key's when <c>Wechatpay-Serial</c> names its <c>PUB_KEY_ID_…</c>), and verifies and decrypts notifications.
/// </summary>
public sealed class WeChatPayWire : IDisposable
{
    private readonly RSA _merchantKey;
    private readonly RSA _platformKey;
    private readonly RSA? _publicKey;

    /// <param name="baseUrl">The API host (the sandbox's WeChat Pay listener).</param>
    /// <param name="credentials">What the sandbox publishes: mchid, merchant_serial_no, merchant_private_key, platform_certificate, apiv3_key; and, where offered, wechatpay_public_key and its id.</param>
    public WeChatPayWire(string baseUrl, IReadOnlyDictionary<string, string> credentials)
    {
        BaseUrl = baseUrl.TrimEnd('/');
        Mchid = credentials["mchid"];
        Appid = credentials["appid"];
        SerialNo = credentials["merchant_serial_no"];
        ApiV3Key = credentials["apiv3_key"];
        PlatformSerialNo = credentials["platform_serial_no"];
        _merchantKey = RSA.Create();
        _merchantKey.ImportFromPem(credentials["merchant_private_key"]);
        using var platform = X509Certificate2.CreateFromPem(credentials["platform_certificate"]);
        _platformKey = platform.GetRSAPublicKey()!;
        if (credentials.TryGetValue("wechatpay_public_key", out var publicKey) && credentials.TryGetValue("wechatpay_public_key_id", out var publicKeyId))
        {
            _publicKey = RSA.Create();
            _publicKey.ImportFromPem(publicKey);
            PublicKeyId = publicKeyId;
        }
    }

    public string BaseUrl { get; }

    public string Mchid { get; }

    public string Appid { get; }

    public string SerialNo { get; set; }

    public string ApiV3Key { get; }

    public string PlatformSerialNo { get; }

    /// <summary>The WeChat Pay public key's id (<c>PUB_KEY_ID_…</c>); null when the implementation offers none.</summary>
    public string? PublicKeyId { get; }

    /// <summary>
    /// A sensitive request field (a bank account, a name) as the merchant sends it: RSA-OAEP (SHA-1, MGF1) with the
    /// platform certificate's key, or the WeChat Pay public key's, base64; the request's <c>Wechatpay-Serial</c> names
    /// which (<see cref="PlatformSerialNo"/> or <see cref="PublicKeyId"/>).
    /// </summary>
    public string EncryptSensitive(string text, bool withPublicKey = false) =>
        Convert.ToBase64String((withPublicKey ? _publicKey ?? throw new InvalidOperationException("no WeChat Pay public key was published") : _platformKey)
            .Encrypt(Encoding.UTF8.GetBytes(text), RSAEncryptionPadding.OaepSHA1));

    /// <summary>
    /// An encrypted bill file (申请单个子商户资金账单) opened as the merchant opens it: <paramref name="encryptKey"/> decrypted
    /// with the merchant's private key (RSA-OAEP, SHA-1) is the AES-256-GCM key; the file is ciphertext ‖ tag under
    /// <paramref name="nonce"/>, with no associated data. Null when it does not open.
    /// </summary>
    public byte[]? OpenBill(byte[] file, string encryptKey, string nonce)
    {
        const int TagBytes = 16;
        if (file.Length < TagBytes)
        {
            return null;
        }

        try
        {
            var key = _merchantKey.Decrypt(Convert.FromBase64String(encryptKey), RSAEncryptionPadding.OaepSHA1);
            var plain = new byte[file.Length - TagBytes];
            using var aes = new AesGcm(key, TagBytes);
            aes.Decrypt(Encoding.UTF8.GetBytes(nonce), file.AsSpan(0, plain.Length), file.AsSpan(plain.Length), plain);
            return plain;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The <c>Authorization</c> value for one request: RSA-SHA256 over <c>METHOD\nTARGET\nTS\nNONCE\nBODY\n</c>.</summary>
    public string Authorization(string method, string target, string body, long? timestamp = null, RSA? key = null) =>
        Authorization(method, target, Encoding.UTF8.GetBytes(body), timestamp, key);

    /// <summary>The same over a body's exact bytes, whatever they are.</summary>
    public string Authorization(string method, string target, byte[] body, long? timestamp = null, RSA? key = null)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        byte[] message = [.. Encoding.UTF8.GetBytes($"{method}\n{target}\n{ts}\n{nonce}\n"), .. body, (byte)'\n'];
        var signature = Convert.ToBase64String((key ?? _merchantKey).SignData(message, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        return $"WECHATPAY2-SHA256-RSA2048 mchid=\"{Mchid}\",nonce_str=\"{nonce}\",timestamp=\"{ts}\",serial_no=\"{SerialNo}\",signature=\"{signature}\"";
    }

    /// <summary>Sends a signed request; the answer's platform signature is checked by the caller through <see cref="AnswerIsSigned"/>.</summary>
    public HttpRequestMessage Request(HttpMethod method, string target, JsonObject? body = null, long? timestamp = null, RSA? key = null)
    {
        var text = body?.ToJsonString() ?? "";
        var request = new HttpRequestMessage(method, BaseUrl + target);
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(method.Method, target, text, timestamp, key));
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        if (body is not null)
        {
            request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>
    /// What the merchant's page hands <c>wx.requestPayment</c> for a JSAPI <paramref name="prepayId"/>: <c>paySign</c> is
    /// RSA-SHA256 with the merchant key over <c>appId\ntimeStamp\nnonceStr\npackage\n</c>, base64.
    /// </summary>
    public JsonObject JsapiPayParameters(string prepayId, string? appid = null, RSA? key = null)
    {
        var (timestamp, nonce) = (DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var app = appid ?? Appid;
        return new JsonObject
        {
            ["appId"] = app,
            ["timeStamp"] = timestamp,
            ["nonceStr"] = nonce,
            ["package"] = "prepay_id=" + prepayId,
            ["signType"] = "RSA",
            ["paySign"] = PaySign($"{app}\n{timestamp}\n{nonce}\nprepay_id={prepayId}\n", key),
        };
    }

    /// <summary>The APP SDK's PayReq for <paramref name="prepayId"/>: <c>sign</c> over <c>appid\ntimestamp\nnoncestr\nprepayid\n</c>.</summary>
    public JsonObject AppPayParameters(string prepayId)
    {
        var (timestamp, nonce) = (DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        return new JsonObject
        {
            ["appid"] = Appid,
            ["partnerid"] = Mchid,
            ["prepayid"] = prepayId,
            ["package"] = "Sign=WXPay",
            ["noncestr"] = nonce,
            ["timestamp"] = timestamp,
            ["sign"] = PaySign($"{Appid}\n{timestamp}\n{nonce}\n{prepayId}\n", key: null),
        };
    }

    /// <summary>True when the four <c>Wechatpay-*</c> headers sign <c>timestamp\nnonce\nbody\n</c> with the key the serial names.</summary>
    public bool AnswerIsSigned(Func<string, string?> header, string body) =>
        Verify(header("Wechatpay-Timestamp"), header("Wechatpay-Nonce"), body, header("Wechatpay-Signature"), header("Wechatpay-Serial"));

    /// <summary>
    /// The signature checked with the key <paramref name="serial"/> names: the platform certificate's serial or the
    /// public key's id, as a merchant looks the key up; without a serial, the platform certificate's key.
    /// </summary>
    public bool Verify(string? timestamp, string? nonce, string body, string? signature, string? serial = null)
    {
        var key = serial is null || serial == PlatformSerialNo ? _platformKey
            : serial == PublicKeyId ? _publicKey
            : null;
        if (timestamp is null || nonce is null || signature is null || key is null)
        {
            return false;
        }

        var bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && key.VerifyData(Encoding.UTF8.GetBytes($"{timestamp}\n{nonce}\n{body}\n"), bytes.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private string PaySign(string message, RSA? key) =>
        Convert.ToBase64String((key ?? _merchantKey).SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>AEAD_AES_256_GCM: key = the APIv3 key's bytes, IV = the nonce's bytes, the last 16 bytes the tag.</summary>
    public string Decrypt(string ciphertext, string nonce, string associatedData)
    {
        var sealedBytes = Convert.FromBase64String(ciphertext);
        var plain = new byte[sealedBytes.Length - 16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(ApiV3Key), 16);
        aes.Decrypt(Encoding.UTF8.GetBytes(nonce), sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), plain, Encoding.UTF8.GetBytes(associatedData));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The decrypted <c>resource</c> of a notification body.</summary>
    public JsonObject Resource(string notificationBody)
    {
        var resource = JsonNode.Parse(notificationBody)!["resource"]!;
        return (JsonObject)JsonNode.Parse(Decrypt((string)resource["ciphertext"]!, (string)resource["nonce"]!, (string?)resource["associated_data"] ?? ""))!;
    }

    public void Dispose()
    {
        _merchantKey.Dispose();
        _platformKey.Dispose();
        _publicKey?.Dispose();
    }
}
