using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Harness.Security.Signing;
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

    /// <summary>
    /// Alipay in public-key mode, or in certificate mode (公钥证书模式) when <c>ALIPAY_APP_CERT</c> is set: then
    /// <c>ALIPAY_PUBLIC_CERT</c> and <c>ALIPAY_ROOT_CERT</c> are required, the Alipay key is the one in
    /// <c>ALIPAY_PUBLIC_CERT</c>, and requests name the certificates by their SNs.
    /// </summary>
    public AlipaySettings Alipay()
    {
        var gateway = Value("ALIPAY_GATEWAY") ?? "http://127.0.0.1:8105/gateway.do";
        var appId = Value("ALIPAY_APP_ID") ?? AlipaySandboxAppId;
        var privateKey = Value("ALIPAY_PRIVATE_KEY") ?? SandboxFile("alipay", "app_private_key.pem") ?? throw NotConfigured("Alipay", "ALIPAY_PRIVATE_KEY");
        if (Value("ALIPAY_APP_CERT") is not { } appCert)
        {
            return new AlipaySettings(gateway, appId, privateKey, Value("ALIPAY_PUBLIC_KEY") ?? SandboxFile("alipay", "alipay_public_key.pem") ?? throw NotConfigured("Alipay", "ALIPAY_PUBLIC_KEY"));
        }

        var publicCert = Value("ALIPAY_PUBLIC_CERT") ?? throw NotConfigured("Alipay in certificate mode", "ALIPAY_PUBLIC_CERT");
        var rootCert = Value("ALIPAY_ROOT_CERT") ?? throw NotConfigured("Alipay in certificate mode", "ALIPAY_ROOT_CERT");
        try
        {
            using var alipayCertificate = X509Certificate2.CreateFromPem(publicCert);
            var alipayKey = alipayCertificate.GetRSAPublicKey() ?? throw new ChannelException("ALIPAY_PUBLIC_CERT holds no RSA key");
            var certificates = new AlipayCertificateMode(
                AlipayCertSerial.OfPem(appCert) ?? throw new ChannelException("ALIPAY_APP_CERT is not a certificate in PEM form"),
                AlipayCertSerial.Of(alipayCertificate),
                AlipayCertSerial.OfRootBundle(rootCert) is { Length: > 0 } root ? root : throw new ChannelException("ALIPAY_ROOT_CERT holds no RSA-signed certificate"),
                rootCert);
            return new AlipaySettings(gateway, appId, privateKey, alipayKey.ExportSubjectPublicKeyInfoPem(), certificates);
        }
        catch (CryptographicException e)
        {
            throw new ChannelException("ALIPAY_PUBLIC_CERT or ALIPAY_ROOT_CERT is not a certificate in PEM form", e);
        }
    }

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
/// <param name="AlipayPublicKeyPem">Alipay's public key that signs answers and notifications (in certificate mode, its certificate's).</param>
/// <param name="Certificates">Certificate mode's serials; null in public-key mode.</param>
public sealed record AlipaySettings(string GatewayUrl, string AppId, string AppPrivateKeyPem, string AlipayPublicKeyPem, AlipayCertificateMode? Certificates = null);

/// <param name="AppCertSn">The app certificate's SN, sent as <c>app_cert_sn</c>.</param>
/// <param name="AlipayCertSn">The configured Alipay certificate's SN; an answer naming another is trusted only once that certificate chains to the root.</param>
/// <param name="RootCertSn">The root bundle's SN, sent as <c>alipay_root_cert_sn</c>.</param>
/// <param name="RootCertPem">The root bundle itself, which a rotated Alipay certificate must chain to.</param>
public sealed record AlipayCertificateMode(string AppCertSn, string AlipayCertSn, string RootCertSn, string RootCertPem);
