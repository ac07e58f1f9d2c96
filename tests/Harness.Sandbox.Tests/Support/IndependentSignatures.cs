using System.Security.Cryptography;
using System.Text;

namespace Harness.Sandbox.Tests.Support;

/// <summary>
/// The providers' signature schemes written again from providers.md, independently of the sandbox's signing code,
/// and pinned to the spec's test vectors (see <see cref="Core.IndependentSignatureVectorTests"/>).
/// </summary>
public static class IndependentSignatures
{
    /// <summary>Stripe v1: hex HMAC-SHA256, key = the whole whsec_ secret, message = "t.body" (§5.6).</summary>
    public static string StripeV1(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>Creem: hex HMAC-SHA256 of the raw body with the webhook secret (§6.3).</summary>
    public static string Creem(string secret, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Epay: non-empty params except sign/sign_type, sorted, k=v joined by &amp;, key appended, MD5 lowercase hex (§4.2).</summary>
    public static string EpayMd5(IEnumerable<KeyValuePair<string, string>> parameters, string key)
    {
        var canonical = string.Join("&", parameters
            .Where(p => p.Key is not ("sign" or "sign_type") && p.Value.Length > 0)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
#pragma warning disable CA5351 // MD5 is Epay's wire contract.
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(canonical + key)));
#pragma warning restore CA5351
    }
}
