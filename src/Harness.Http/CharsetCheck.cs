using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Harness.Http;

/// <summary>
/// Refuses a body whose <c>Content-Type</c> names a charset no decoder exists for. The framework's body
/// readers throw on it (a 500), while the one-pass reader ignores it; either way the client deserves a
/// clear 415 in the app's envelope before anything reads the body.
/// </summary>
public static class CharsetCheckExtensions
{
    /// <summary>Refuses an unknown charset (415); place after the guards, so credentials are checked first.</summary>
    public static IApplicationBuilder UseCharsetCheck(this IApplicationBuilder app) => app.UseMiddleware<CharsetCheck>();
}

internal sealed class CharsetCheck(RequestDelegate next, ErrorEnvelopes envelopes)
{
    public Task InvokeAsync(HttpContext context) =>
        UnknownCharset(context.Request) is { } charset
            ? envelopes.For(context).Error(ApiErrorKind.UnsupportedMediaType, $"charset '{charset}' is not supported; send the body as UTF-8").ExecuteAsync(context)
            : next(context);

    private static string? UnknownCharset(HttpRequest request)
    {
        if (request.ContentType is not { } contentType
            || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.Charset.HasValue)
        {
            return null;
        }

        var charset = mediaType.Charset.Value!.Trim('"');
        try
        {
            _ = Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            return charset;
        }
    }
}
