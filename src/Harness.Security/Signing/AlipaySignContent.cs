namespace Harness.Security.Signing;

/// <summary>
/// Alipay's signing string (providers.md §3.2, §3.5): the parameters sorted by key in byte order, raw (decoded)
/// values, joined as <c>k=v&amp;k=v</c>. Which parameters take part (all but <c>sign</c> for requests, also without
/// <c>sign_type</c> for notifications) is the caller's choice.
/// </summary>
public static class AlipaySignContent
{
    public static string Of(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value));
}
