using Ganss.Xss;

namespace Harness.Portaly.Plans;

/// <summary>
/// Cleans a plan's rich-text description on write: HtmlSanitizer's allowlist (no scripts, no event
/// handlers, no <c>javascript:</c>), and an image only from an https URL (its <c>src</c> is dropped otherwise).
/// </summary>
public sealed class PlanDescriptions
{
    private readonly HtmlSanitizer _sanitizer = new();

    public PlanDescriptions()
    {
        _sanitizer.FilterUrl += (_, e) =>
        {
            if (e.Tag.LocalName == "img" && !e.OriginalUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            {
                e.SanitizedUrl = null;
            }
        };
    }

    public string? Clean(string? html) => html is null ? null : _sanitizer.Sanitize(html);
}
