using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Harness.Load.Sandbox;

/// <summary>
/// An RSA private key that signs from many threads at once: one imported key per thread, since an
/// <see cref="RSA"/> instance is not documented as safe to share. Written here from the providers'
/// protocols, as <see cref="EpaySign"/>: the runner sees none of the sandbox's code.
/// </summary>
public sealed class RsaSigner(string privateKeyPem) : IDisposable
{
    private readonly ThreadLocal<RSA> _keys = new(() =>
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(privateKeyPem);
        return rsa;
    }, trackAllValues: true);

    /// <summary>RSA-SHA256 with PKCS #1 v1.5 padding over the text's UTF-8 bytes, in base64: WeChat Pay's and Alipay's RSA2.</summary>
    public string Sign(string text) =>
        Convert.ToBase64String(_keys.Value!.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            key.Dispose();
        }

        _keys.Dispose();
    }
}

/// <summary>WeChat Pay API v3's request signature (providers.md §2): the merchant key over method, path, time, nonce and body.</summary>
public static class WeChatPaySign
{
    /// <summary>The signed message: <c>METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n</c>.</summary>
    public static string Message(string method, string pathAndQuery, long timestamp, string nonce, string body) =>
        string.Create(CultureInfo.InvariantCulture, $"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n{body}\n");

    /// <summary>The whole <c>Authorization</c> header value.</summary>
    public static string Authorization(RsaSigner merchantKey, string mchid, string serialNo, string method, string pathAndQuery, long timestamp, string nonce, string body) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"WECHATPAY2-SHA256-RSA2048 mchid=\"{mchid}\",nonce_str=\"{nonce}\",timestamp=\"{timestamp}\",serial_no=\"{serialNo}\",signature=\"{merchantKey.Sign(Message(method, pathAndQuery, timestamp, nonce, body))}\"");
}

/// <summary>Alipay's v2 gateway signature (providers.md §3): RSA2 over every parameter but <c>sign</c>, sorted by name, raw values.</summary>
public static class AlipaySign
{
    public static string Canonical(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Where(p => p.Key != "sign").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
}
