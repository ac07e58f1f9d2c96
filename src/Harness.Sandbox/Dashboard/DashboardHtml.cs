using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Dashboard;

/// <summary>
/// The dashboard's page frame and the few pieces its pages are made of. Every value that came from outside (a merchant's
/// description, a receiver's answer, a query parameter) goes through <see cref="E"/>: a stored payment must not be able to
/// script the page that shows it.
/// </summary>
internal static class DashboardHtml
{
    private const string Style =
        "body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f}main{padding:1rem 2rem 3rem}td:first-child{white-space:nowrap}"
        + "nav{background:#1d2b3a;padding:.6rem 2rem;display:flex;gap:1.2rem;align-items:center;flex-wrap:wrap}nav a{color:#fff;text-decoration:none}"
        + "nav .clock{margin-left:auto;color:#c8d3df;font-size:.9rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}"
        + "table{border-collapse:collapse;margin:.5rem 0;font-size:.92rem}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left;vertical-align:top}td code{overflow-wrap:anywhere}"
        + "th{background:#f4f6f8}pre{background:#f4f6f8;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all;max-width:70rem}"
        + ".notice{background:#fff4d6;padding:.5rem .8rem;max-width:60rem}.error{background:#fde2e1}"
        + ".status{white-space:nowrap;padding:.05rem .45rem;border-radius:.6rem;font-size:.85rem;background:#e8ebef}"
        + ".status-paid,.status-delivered{background:#d9f2df}.status-open,.status-pending{background:#e2ecfb}"
        + ".status-exhausted,.status-dropped,.status-expired{background:#fde2e1}form.inline{display:inline}"
        + "button{font-size:.95rem;padding:.3rem .8rem;margin-right:.3rem}input,select{font-size:.95rem;padding:.25rem}"
        + "dl{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}dt{color:#555}dd{margin:0}.attempt{border-left:3px solid #ccd;padding-left:1rem;margin:1rem 0}";

    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A query value, escaped for a URL and then for the attribute it goes in.</summary>
    public static string Q(string text) => E(Uri.EscapeDataString(text));

    /// <summary>A whole page: the navigation with the sandbox clock, a notice if any, the body.</summary>
    public static IResult Page(SandboxContext context, string title, string body, string? notice = null, bool error = false, int status = StatusCodes.Status200OK)
    {
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)} · Harness sandbox</title>");
        html.Append(CultureInfo.InvariantCulture, $"<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>{Style}</style></head><body><nav>");
        html.Append(CultureInfo.InvariantCulture, $"<a href=\"{DashboardEndpoints.Root}\"><strong>Harness sandbox</strong></a>");
        foreach (var (path, name) in new[] { ("/payments", "Payments"), ("/deliveries", "Deliveries"), ("/subscriptions", "Subscriptions"), ("/faults", "Faults") })
        {
            html.Append(CultureInfo.InvariantCulture, $"<a href=\"{DashboardEndpoints.Root}{path}\">{name}</a>");
        }

        html.Append("<a href=\"/openapi/v1.json\">Control API</a>");
        html.Append(CultureInfo.InvariantCulture, $"<span class=\"clock\" id=\"clock\">Sandbox clock {E(Time(context.Clock.GetUtcNow().UtcDateTime))}{E(Offset(context.Clock.Offset))}</span>");
        html.Append("</nav><main>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice{(error ? " error" : "")}\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(title)}</h1>").Append(body).Append("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    /// <summary>A page that says what is wrong with the request, in the status that says so.</summary>
    public static IResult Problem(SandboxContext context, int status, string message) =>
        Page(context, status == StatusCodes.Status404NotFound ? "Not found" : "Cannot do that", "", message, error: true, status);

    public static string Time(DateTime? utc) =>
        utc is { } at ? at.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    public static string Offset(TimeSpan offset) =>
        offset == TimeSpan.Zero ? "" : string.Create(CultureInfo.InvariantCulture, $" (real time +{Duration((long)offset.TotalSeconds)})");

    /// <summary>Seconds as the largest units that say them: <c>1d 2h</c>, <c>5m</c>, <c>30s</c>.</summary>
    public static string Duration(long seconds)
    {
        var parts = new List<string>();
        foreach (var (unit, size) in new[] { ("d", 86_400L), ("h", 3_600L), ("m", 60L), ("s", 1L) })
        {
            if (seconds >= size && parts.Count < 2)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{seconds / size}{unit}"));
                seconds %= size;
            }
        }

        return parts.Count == 0 ? "0s" : string.Join(' ', parts);
    }

    public static string Status(string status) => $"<span class=\"status status-{E(status)}\">{E(status)}</span>";

    public static string Link(string href, string text) => $"<a href=\"{E(href)}\">{E(text)}</a>";

    /// <summary>A button that posts one named value to <paramref name="action"/>.</summary>
    public static string Button(string action, string label, string? name = null, string? value = null) =>
        $"<form class=\"inline\" method=\"post\" action=\"{E(action)}\"><button type=\"submit\""
        + (name is null ? "" : $" name=\"{E(name)}\" value=\"{E(value)}\"") + $">{E(label)}</button></form>";

    /// <summary>A table whose cells are HTML already (each built with <see cref="E"/> where it shows outside data).</summary>
    public static string Table(string id, IReadOnlyList<string> headings, IEnumerable<IReadOnlyList<string>> rows, string empty)
    {
        var html = new StringBuilder();
        var count = 0;
        html.Append(CultureInfo.InvariantCulture, $"<table id=\"{id}\"><thead><tr>");
        foreach (var heading in headings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th>{E(heading)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            count++;
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append(CultureInfo.InvariantCulture, $"<td>{cell}</td>");
            }

            html.Append("</tr>");
        }

        html.Append("</tbody></table>");
        return count == 0 ? $"<p id=\"{id}\" class=\"empty\">{E(empty)}</p>" : html.ToString();
    }

    /// <summary>A definition list of already-built HTML values.</summary>
    public static string Fields(params (string Name, string Html)[] fields)
    {
        var html = new StringBuilder("<dl>");
        foreach (var (name, value) in fields)
        {
            html.Append(CultureInfo.InvariantCulture, $"<dt>{E(name)}</dt><dd>{value}</dd>");
        }

        return html.Append("</dl>").ToString();
    }

    /// <summary>A drop-down of <paramref name="options"/> with an "any" choice first, <paramref name="selected"/> chosen.</summary>
    public static string Select(string name, string any, IEnumerable<string> options, string? selected)
    {
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<select name=\"{E(name)}\" id=\"{E(name)}\"><option value=\"\">{E(any)}</option>");
        foreach (var option in options)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option{(option == selected ? " selected" : "")}>{E(option)}</option>");
        }

        return html.Append("</select>").ToString();
    }
}
