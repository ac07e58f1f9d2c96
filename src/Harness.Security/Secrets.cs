using System.Security.Cryptography;
using System.Text;

namespace Harness.Security;

/// <summary>Random secrets, and hashes for secrets that only ever need verifying.</summary>
public static class Secrets
{
    /// <summary>A URL-safe random string carrying <paramref name="bytes"/> bytes of entropy.</summary>
    public static string Random(int bytes = 32) =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex of random bytes, for identifiers.</summary>
    public static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    /// <summary>
    /// SHA-256 of a high-entropy secret (API keys, bearer tokens). A slow password hash buys nothing
    /// for 256-bit random secrets and would cost on every request.
    /// </summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool HashMatches(string secret, string expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(expectedHash));
}
