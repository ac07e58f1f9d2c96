using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.HostedCheckout;

/// <summary>The hosted pages' frame: plain server-rendered HTML, every value HTML-escaped, no script.</summary>
public static class HostedPage
{
    public static IResult Html(string title, string body, int status = StatusCodes.Status200OK) =>
        Results.Content(Document(title, body), "text/html; charset=utf-8", Encoding.UTF8, status);

    public static string Document(string title, string body) =>
        $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title>"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
        + "<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}"
        + ".merchant{color:#555}.merchant img{max-height:2.5rem;vertical-align:middle;margin-right:.5rem}.amount{font-size:2rem;margin:.5rem 0}"
        + ".amount s{color:#888;font-size:1.2rem;margin-right:.5rem}.notice{background:#fff4d6;padding:.5rem}.status{font-size:1.3rem}"
        + "label{display:block;margin:.75rem 0 .25rem}input{font-size:1rem;padding:.4rem;width:18rem}input[readonly]{background:#eee}"
        + "button,.button{font-size:1rem;padding:.5rem 1rem;margin:1rem .5rem 0 0;display:inline-block}.link{background:none;border:0;color:#06c;text-decoration:underline;padding:0;cursor:pointer}"
        + ".description img{max-width:100%}.plan-image{max-width:100%;max-height:12rem}</style>"
        + $"</head><body>{body}</body></html>";

    /// <summary>
    /// A merchant's URL as a browser would send it (host in punycode, the rest percent-encoded): a response header
    /// carries ASCII only.
    /// </summary>
    public static string Location(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? new UriBuilder(uri) { Host = uri.IdnHost }.Uri.AbsoluteUri : url;

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Amounts are whole units of the currency (TWD has no minor unit in use), grouped by thousands.</summary>
    public static string Money(long amount, string currency) =>
        string.Create(CultureInfo.InvariantCulture, $"{currency.ToUpperInvariant()} {amount:N0}");

    public static string Period(string billingPeriod) => billingPeriod switch
    {
        "monthly" => " / month",
        "yearly" => " / year",
        _ => "",
    };

    public static void Notice(StringBuilder html, string? notice)
    {
        if (!string.IsNullOrEmpty(notice))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }
    }

    /// <summary>A labelled input; <paramref name="type"/> "email", "text", "tel".</summary>
    public static void Field(StringBuilder html, string name, string label, string? value, string type, bool required, bool readOnly = false, string? autocomplete = null)
    {
        html.Append(CultureInfo.InvariantCulture, $"<label for=\"{name}\">{E(label)}</label><input id=\"{name}\" name=\"{name}\" type=\"{type}\" value=\"{E(value)}\"");
        html.Append(required ? " required" : "").Append(readOnly ? " readonly" : "");
        if (autocomplete is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $" autocomplete=\"{autocomplete}\"");
        }

        html.Append('>');
    }
}
