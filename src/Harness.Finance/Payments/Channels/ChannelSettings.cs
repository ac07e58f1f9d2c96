using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Harness.Finance.Payments.Channels;

/// <summary>
/// The merchant credentials of the two channels, under the seed's names (<c>WECHAT_PAY_*</c>, <c>ALIPAY_*</c>, as
/// environment variables or configuration keys). Whatever is not set defaults to the provider sandbox's published
/// credentials: its fixed ids and the key files it writes to <c>&lt;data&gt;/keys/&lt;provider&gt;/</c>
/// (<c>Harness:Payments:SandboxKeys</c> moves that folder). Read on each use, so a sandbox started after the backend,
/// or new keys, are picked up without a restart.
/// </summary>
public sealed class ChannelSettings(IConfiguration configuration, IOptions<FinanceOptions> options)
{
    public const string WeChatSandboxMchid = "1900000109";
    public const string WeChatSandboxAppid = "wxd678efh567hg6787";
    public const string AlipaySandboxAppId = "2021000000000001";

    public WeChatPaySettings WeChatPay()
    {
        var privateKey = Value("WECHAT_PAY_PRIVATE_KEY") ?? SandboxFile("wechatpay", "apiclient_key.pem");
        var serialNo = Value("WECHAT_PAY_SERIAL_NO") ?? SandboxCertificateSerial("wechatpay", "apiclient_cert.pem");
        var apiV3Key = Value("WECHAT_PAY_API_V3_KEY") ?? SandboxFile("wechatpay", "apiv3_key.txt");
        return new WeChatPaySettings(
            Value("WECHAT_PAY_BASE_URL") ?? "http://127.0.0.1:8104",
            Value("WECHAT_PAY_MCH_ID") ?? WeChatSandboxMchid,
            Value("WECHAT_PAY_APP_ID") ?? WeChatSandboxAppid,
            serialNo ?? throw NotConfigured("WeChat Pay", "WECHAT_PAY_SERIAL_NO"),
            privateKey ?? throw NotConfigured("WeChat Pay", "WECHAT_PAY_PRIVATE_KEY"),
            apiV3Key?.Trim() ?? throw NotConfigured("WeChat Pay", "WECHAT_PAY_API_V3_KEY"),
            (Value("WECHAT_PAY_PUBLIC_KEY_ID") ?? SandboxFile("wechatpay", "pub_key_id.txt"))?.Trim(),
            Value("WECHAT_PAY_PUBLIC_KEY") ?? SandboxFile("wechatpay", "pub_key.pem"));
    }

    public AlipaySettings Alipay() => new(
        Value("ALIPAY_GATEWAY") ?? "http://127.0.0.1:8105/gateway.do",
        Value("ALIPAY_APP_ID") ?? AlipaySandboxAppId,
        Value("ALIPAY_PRIVATE_KEY") ?? SandboxFile("alipay", "app_private_key.pem") ?? throw NotConfigured("Alipay", "ALIPAY_PRIVATE_KEY"),
        Value("ALIPAY_PUBLIC_KEY") ?? SandboxFile("alipay", "alipay_public_key.pem") ?? throw NotConfigured("Alipay", "ALIPAY_PUBLIC_KEY"));

    /// <summary>A configured value; a value naming an existing file stands for the file's text (PEM files, key files).</summary>
    private string? Value(string name)
    {
        var value = configuration[name];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return !value.Contains('\n', StringComparison.Ordinal) && value.Length < 1024 && File.Exists(value) ? File.ReadAllText(value) : value;
    }

    private string? SandboxFile(string provider, string name)
    {
        var folder = configuration["Harness:Payments:SandboxKeys"] ?? Path.Combine(options.Value.DataDirectory, "keys");
        var path = Path.Combine(folder, provider, name);
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }

    private string? SandboxCertificateSerial(string provider, string name)
    {
        var pem = SandboxFile(provider, name);
        if (pem is null)
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(pem);
        return certificate.SerialNumber;
    }

    private static ChannelException NotConfigured(string channel, string setting) =>
        new($"{channel} is not configured: set {setting}, or start the provider sandbox on the backend's data folder so its published keys are used");
}

/// <param name="BaseUrl">The API host, e.g. <c>https://api.mch.weixin.qq.com</c> or the sandbox's WeChat Pay listener.</param>
/// <param name="Mchid">Merchant id.</param>
/// <param name="Appid">The app id orders are placed for.</param>
/// <param name="SerialNo">Serial number of the merchant certificate (uppercase hex).</param>
/// <param name="PrivateKeyPem">The merchant private key (<c>apiclient_key.pem</c>).</param>
/// <param name="ApiV3Key">32 characters: decrypts notification resources and downloaded certificates.</param>
/// <param name="PublicKeyId">The WeChat Pay public key's id (<c>PUB_KEY_ID_…</c>), for a merchant WeChat signs for with it.</param>
/// <param name="PublicKeyPem">The WeChat Pay public key (<c>pub_key.pem</c>) that <paramref name="PublicKeyId"/> names.</param>
public sealed record WeChatPaySettings(string BaseUrl, string Mchid, string Appid, string SerialNo, string PrivateKeyPem, string ApiV3Key, string? PublicKeyId = null, string? PublicKeyPem = null);

/// <param name="GatewayUrl">The openapi gateway, e.g. <c>https://openapi.alipay.com/gateway.do</c> or the sandbox's.</param>
/// <param name="AppId">The app id.</param>
/// <param name="AppPrivateKeyPem">The app private key (PKCS#8 or PKCS#1 PEM, or bare base64).</param>
/// <param name="AlipayPublicKeyPem">Alipay's public key that signs answers and notifications.</param>
public sealed record AlipaySettings(string GatewayUrl, string AppId, string AppPrivateKeyPem, string AlipayPublicKeyPem);
