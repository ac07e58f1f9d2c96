using Harness.Http;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.HostedCheckout;

/// <summary>
/// Reading a form without ever failing on it: a body that is no readable form (multipart cut short, a boundary over the
/// reader's limit) is null, which the hosted pages, the portal and the image uploads answer 400.
/// </summary>
public static class HostedForm
{
    public const string Unreadable = "The form could not be read: fill it in and send it again.";

    public static Task<IFormCollection?> ReadAsync(HttpRequest request) => RequestForm.TryReadAsync(request);

    /// <summary>A field's trimmed text, null when absent or blank (a repeated field is refused as absent).</summary>
    public static string? Text(this IFormCollection form, string name) =>
        form[name] is { Count: 1 } values && values[0] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
