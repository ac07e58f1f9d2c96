namespace Harness.Sandbox;

/// <summary>
/// The one rule for URLs the sandbox will call or send a browser to (notify, webhook and return URLs): absolute
/// http or https. Anything else (ftp:, mailto:, file:, a relative path) cannot be delivered to, so it is refused
/// where the merchant gives it, in the provider's own words.
/// </summary>
public static class HttpUrl
{
    public static bool IsValid(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
