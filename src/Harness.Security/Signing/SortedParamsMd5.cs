using System.Security.Cryptography;
using System.Text;

namespace Harness.Security.Signing;

/// <summary>
/// The "sorted k=v plus key, MD5" scheme (Epay / 彩虹易支付 and its relatives): drop the signature fields
/// and every empty value, sort keys by ordinal byte order, join raw values as <c>k=v&amp;k=v</c>, append the
/// key with no separator, and take the lowercase hex MD5.
/// </summary>
public static class SortedParamsMd5
{
    private static readonly string[] SignatureFields = ["sign", "sign_type"];

    /// <summary>The string that gets hashed (without the key); useful for diagnostics.</summary>
    public static string Canonical(IEnumerable<KeyValuePair<string, string?>> parameters) =>
        string.Join('&', parameters
            .Where(p => !string.IsNullOrEmpty(p.Value) && !SignatureFields.Contains(p.Key, StringComparer.Ordinal))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

#pragma warning disable CA5351 // MD5 is the provider's wire contract, not a choice.
    public static string Sign(IEnumerable<KeyValuePair<string, string?>> parameters, string key) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(Canonical(parameters) + key)));
#pragma warning restore CA5351

    /// <summary>Exact, case-sensitive comparison, as the provider's own verifiers do (in constant time).</summary>
    public static bool Verify(IEnumerable<KeyValuePair<string, string?>> parameters, string key, string? signature) =>
        SignatureComparison.Equal(Sign(parameters, key), signature);
}
