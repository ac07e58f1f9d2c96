using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Harness.Conformance.Http;

/// <summary>One request and its response, kept as sent and received; rendered with secrets masked.</summary>
public sealed record HttpExchange(
    HttpMethod Method,
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> RequestHeaders,
    string? RequestBody,
    HttpStatusCode? Status,
    IReadOnlyList<KeyValuePair<string, string>> ResponseHeaders,
    string? ResponseBody,
    string? Error)
{
    /// <summary>Headers worth showing when a step fails; the rest is noise.</summary>
    private static readonly HashSet<string> ShownHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "X-API-Key", "Cookie", "Content-Type", "Idempotency-Key", "New-Api-User", "Location", "Retry-After", "WWW-Authenticate",
    };

    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase) { "Authorization", "X-API-Key", "Cookie", "Set-Cookie" };

    private const int MaxBodyLength = 4000;

    public string Render(SecretMasker masker)
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(masker.Mask(Url.ToString())).AppendLine();
        AppendHeaders(text, RequestHeaders, masker);
        AppendBody(text, RequestBody, masker);
        if (Error is not null)
        {
            text.Append("→ no response: ").AppendLine(Error);
            return text.ToString();
        }

        text.Append("→ HTTP ").Append((int)Status!.Value).Append(' ').Append(Status).AppendLine();
        AppendHeaders(text, ResponseHeaders, masker);
        AppendBody(text, ResponseBody, masker);
        return text.ToString();
    }

    private static void AppendHeaders(StringBuilder text, IEnumerable<KeyValuePair<string, string>> headers, SecretMasker masker)
    {
        foreach (var (name, value) in headers.Where(h => ShownHeaders.Contains(h.Key)))
        {
            text.Append("  ").Append(name).Append(": ").AppendLine(SecretHeaders.Contains(name) ? SecretMasker.MaskCredential(value) : masker.Mask(value));
        }
    }

    private static void AppendBody(StringBuilder text, string? body, SecretMasker masker)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        var masked = masker.Mask(body);
        text.Append("  ").AppendLine(masked.Length > MaxBodyLength ? masked[..MaxBodyLength] + $"… ({masked.Length} characters)" : masked);
    }
}

/// <summary>
/// Hides credentials in anything shown to people: every secret the scenario knows (profile values, tokens
/// it received), and JSON fields whose names say they hold one.
/// </summary>
public sealed partial class SecretMasker
{
    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);

    public void Add(string? secret)
    {
        // Short values would mask ordinary text; real tokens and keys are long.
        if (secret is { Length: >= 8 })
        {
            lock (_secrets)
            {
                _secrets.Add(secret);
            }
        }
    }

    public string Mask(string text)
    {
        string[] secrets;
        lock (_secrets)
        {
            secrets = [.. _secrets.OrderByDescending(s => s.Length)];
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, MaskCredential(secret), StringComparison.Ordinal);
        }

        return SecretField().Replace(text, m => m.Groups[1].Value + MaskCredential(m.Groups[2].Value) + "\"");
    }

    /// <summary>Keeps the scheme and the first characters, so a reader can tell which credential was sent.</summary>
    public static string MaskCredential(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        var (scheme, secret) = space > 0 ? (value[..(space + 1)], value[(space + 1)..]) : ("", value);
        return secret.Contains('…', StringComparison.Ordinal) ? value : scheme + (secret.Length <= 8 ? "***" : secret[..4] + "…***");
    }

    [GeneratedRegex("(\"(?:token|accessToken|apiKey|key|secret|password|jwt|userJwt|adminJwt|callbackSecret)\"\\s*:\\s*\")([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex SecretField();
}
