using System.Security.Cryptography;
using System.Text;

namespace Harness.Load.Sandbox;

/// <summary>
/// Epay's request signature (providers.md §4): the non-empty parameters but <c>sign</c> and <c>sign_type</c>,
/// sorted by name, joined as <c>k=v&amp;…</c>, the merchant key appended, MD5 in lowercase hex. Written here
/// from the protocol: the runner sees none of the sandbox's code.
/// </summary>
public static class EpaySign
{
#pragma warning disable CA5351 // MD5 is Epay's wire contract, not a choice.
    public static string Of(IEnumerable<KeyValuePair<string, string>> parameters, string key)
    {
        var canonical = string.Join('&', parameters
            .Where(p => p.Value.Length > 0 && p.Key is not ("sign" or "sign_type"))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));
        return Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(canonical + key)));
    }
#pragma warning restore CA5351
}
