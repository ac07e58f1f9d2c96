using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// The providers' signature schemes written from providers.md, so the steps check the sandbox's signatures
/// independently of its own signing code.
/// </summary>
public static class ProviderSignatures
{
    /// <summary>How far a Stripe-Signature timestamp may be from the verifier's clock (the SDKs' default tolerance).</summary>
    public static readonly TimeSpan StripeTolerance = TimeSpan.FromSeconds(300);

    /// <summary>Stripe v1 (§5.6): hex HMAC-SHA256 keyed by the whole <c>whsec_</c> secret over <c>"t.body"</c>.</summary>
    public static string StripeV1(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>The <c>t</c> and <c>v1</c> of a <c>Stripe-Signature</c> header (<c>t=…,v1=…</c>).</summary>
    public static (long Timestamp, string V1) ParseStripeHeader(string header)
    {
        var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1], StringComparer.Ordinal);
        return parts.TryGetValue("t", out var t) && parts.TryGetValue("v1", out var v1) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            ? (timestamp, v1)
            : throw new Running.AssertionException($"Stripe-Signature \"{header}\" lacks t= or v1=");
    }

    /// <summary>Creem (§6.3): <c>creem-signature</c> is the hex HMAC-SHA256 of the raw body with the webhook secret.</summary>
    public static string Creem(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Creem's return URL: SHA-256 hex of the parameters as <c>k=v</c> joined by <c>|</c>, with <c>salt=&lt;api key&gt;</c> last.</summary>
    public static string CreemReturn(IEnumerable<KeyValuePair<string, string>> parameters, string apiKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('|', parameters.Select(p => $"{p.Key}={p.Value}").Append("salt=" + apiKey)))));

    /// <summary>Epay (§4.2): non-empty params except sign/sign_type, sorted by byte order, <c>k=v&amp;k=v</c>, key appended, MD5 lowercase hex.</summary>
    public static string EpayMd5(IEnumerable<KeyValuePair<string, string>> parameters, string key)
    {
        var canonical = string.Join('&', parameters
            .Where(p => p.Key is not ("sign" or "sign_type") && p.Value.Length > 0)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
#pragma warning disable CA5351 // MD5 is Epay's wire contract.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(canonical + key)));
#pragma warning restore CA5351
    }

    /// <summary>
    /// Alipay's signing string (§3.2, §3.5): the pairs sorted by key in byte order, raw values, <c>k=v&amp;k=v</c>.
    /// Requests leave out only <c>sign</c>; notifies and returns leave out <c>sign</c> and <c>sign_type</c>.
    /// </summary>
    public static string AlipayContent(IEnumerable<KeyValuePair<string, string>> parameters, bool withSignType) =>
        string.Join('&', parameters
            .Where(p => p.Key != "sign" && (withSignType || p.Key != "sign_type"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));

    /// <summary>RSA2: RSA-SHA256 with PKCS#1 v1.5 padding, base64, with a PKCS#8 or PKCS#1 PEM private key.</summary>
    public static string AlipayRsa2Sign(string privateKeyPem, string content) => AlipaySign(privateKeyPem, content, "RSA2");

    /// <summary>Checks an RSA2 signature with an SPKI PEM public key; false for anything that is not a matching base64 signature.</summary>
    public static bool AlipayRsa2Verify(string publicKeyPem, string content, string? signature) => AlipayVerify(publicKeyPem, content, signature, "RSA2");

    /// <summary>Alipay's <c>sign_type</c>: <c>RSA2</c> is RSA-SHA256, the legacy <c>RSA</c> the same with SHA-1.</summary>
    public static string AlipaySign(string privateKeyPem, string content, string signType)
    {
        using var key = RSA.Create();
        key.ImportFromPem(privateKeyPem);
        return Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(content), AlipayHash(signType), RSASignaturePadding.Pkcs1));
    }

    /// <summary>Checks an RSA2 or RSA signature with an SPKI PEM public key; false for anything that is not a matching base64 signature.</summary>
    public static bool AlipayVerify(string publicKeyPem, string content, string? signature, string signType)
    {
        using var key = RSA.Create();
        key.ImportFromPem(publicKeyPem);
        var bytes = new byte[signature?.Length ?? 0];
        return signature is { Length: > 0 } && Convert.TryFromBase64String(signature, bytes, out var length)
            && key.VerifyData(Encoding.UTF8.GetBytes(content), bytes.AsSpan(0, length), AlipayHash(signType), RSASignaturePadding.Pkcs1);
    }

    /// <summary>
    /// The exact text a v2 answer is signed over (§3.3): the value of <paramref name="responseKey"/>, from its
    /// opening brace to the matching one, cut from the raw body the way alipay-sdk does; null when the key is absent.
    /// </summary>
    public static string? AlipayResponseContent(string body, string responseKey)
    {
        var keyAt = body.IndexOf($"\"{responseKey}\"", StringComparison.Ordinal);
        var signAt = body.LastIndexOf("\"sign\"", StringComparison.Ordinal);
        if (keyAt < 0 || signAt < keyAt)
        {
            return null;
        }

        var slice = body[(keyAt + responseKey.Length + 2)..signAt];
        var open = slice.IndexOf('{', StringComparison.Ordinal);
        var close = slice.LastIndexOf('}');
        return open < 0 || close < open ? null : slice[open..(close + 1)];
    }

    /// <summary>
    /// The v3 request's <c>authorization</c> header (§3.4): <c>authString\nMETHOD\npath\nbody\n</c> signed with the app
    /// key; in certificate mode the app certificate's SN follows <c>app_id</c>.
    /// </summary>
    public static string AlipayV3Authorization(string appId, string privateKeyPem, string method, string pathAndQuery, string body, string? appCertSn = null)
    {
        var certificate = appCertSn is null ? "" : $",app_cert_sn={appCertSn}";
        var authString = $"app_id={appId}{certificate},nonce={Guid.NewGuid()},timestamp={DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}";
        return $"ALIPAY-SHA256withRSA {authString},sign={AlipayRsa2Sign(privateKeyPem, $"{authString}\n{method}\n{pathAndQuery}\n{body}\n")}";
    }

#pragma warning disable CA5350 // Alipay's legacy RSA sign type is SHA-1: checking it is the point.
    private static HashAlgorithmName AlipayHash(string signType) => signType == "RSA" ? HashAlgorithmName.SHA1 : HashAlgorithmName.SHA256;
#pragma warning restore CA5350
}
