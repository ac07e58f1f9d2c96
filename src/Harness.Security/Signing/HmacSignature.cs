using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>HMAC-SHA256 as webhook schemes use it: UTF-8 key, raw message bytes, lowercase hex out.</summary>
public static class HmacSignature
{
    public static string Sha256Hex(string key, ReadOnlySpan<byte> message) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), message));

    public static string Sha256Hex(string key, string message) => Sha256Hex(key, Encoding.UTF8.GetBytes(message));
}
