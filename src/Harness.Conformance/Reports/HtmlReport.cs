using System.Globalization;
using System.Net;
using System.Text;
using Harness.Conformance.Running;

namespace Harness.Conformance.Reports;

/// <summary>
/// One self-contained HTML page (no scripts, no external files): summary tables, then every scenario with
/// its steps. Written as well-formed XHTML-compatible markup, so tools can parse it as XML too.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d1d1f;padding:0 1rem}
        h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .7rem;border-bottom:1px solid #eee;text-align:right}
        td:first-child,th:first-child{text-align:left}
        details{margin:.3rem 0;padding:.3rem .6rem;border-left:4px solid #ccc;background:#fafafa}
        details.passed{border-color:#2e9d46}details.failed,details.undefined,details.ambiguous{border-color:#d2322d}details.notrun{border-color:#b0a000}
        summary{cursor:pointer}.status{font-weight:600;margin-right:.5rem}.tag{color:#666;font-size:.85em;margin-left:.3rem}
        pre{white-space:pre-wrap;background:#fff;border:1px solid #eee;padding:.5rem;font-size:12px}
        ol{margin:.3rem 0}.step-failed{color:#d2322d}.step-skipped{color:#999}
        """;

    public static string Build(RunResult run)
    {
        var total = RunSummary.Total(run);
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>Conformance report</title><style>")
            .Append(Style).Append("</style></head><body>")
            .Append("<h1>Conformance report</h1><p>Target <code>").Append(E(run.TargetName)).Append("</code>, started ")
            .Append(E(run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture))).Append(", ")
            .Append(run.Duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append(" s. <strong>")
            .Append(total.Passed).Append(" passed, ").Append(total.Failed).Append(" failed, ").Append(total.NotRun).Append(" not run, ")
            .Append(total.Undefined).Append(" undefined</strong> of ").Append(total.Total).Append(" scenarios.</p>");
        Table(html, "By feature", RunSummary.ByFeature(run));
        Table(html, "By tag", RunSummary.ByTag(run));
        foreach (var feature in run.Scenarios.GroupBy(s => s.Scenario.Feature))
        {
            html.Append("<h2>").Append(E(feature.Key.Name)).Append(" <span class=\"tag\">").Append(E(feature.Key.Uri)).Append("</span></h2>");
            foreach (var result in feature)
            {
                Scenario(html, result);
            }
        }

        return html.Append("</body></html>").ToString();
    }

    public static void Write(RunResult run, string path) => File.WriteAllText(path, Build(run), new UTF8Encoding(false));

    private static void Table(StringBuilder html, string title, IEnumerable<SummaryRow> rows)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2><table><tr><th></th><th>passed</th><th>failed</th><th>not run</th><th>undefined</th></tr>");
        foreach (var row in rows)
        {
            html.Append("<tr><td>").Append(E(row.Name)).Append("</td><td>").Append(row.Passed).Append("</td><td>").Append(row.Failed)
                .Append("</td><td>").Append(row.NotRun).Append("</td><td>").Append(row.Undefined).Append("</td></tr>");
        }

        html.Append("</table>");
    }

    private static void Scenario(StringBuilder html, ScenarioResult result)
    {
        var css = result.Status.ToString().ToLowerInvariant();
        html.Append("<details class=\"").Append(css).Append('"').Append(result.Passed ? "" : " open=\"open\"").Append("><summary><span class=\"status\">")
            .Append(E(ScenarioResult.Describe(result.Status))).Append("</span>").Append(E(result.Scenario.DisplayName));
        foreach (var tag in result.Scenario.Tags)
        {
            html.Append("<span class=\"tag\">@").Append(E(tag)).Append("</span>");
        }

        html.Append("</summary><ol>");
        foreach (var step in result.Steps)
        {
            html.Append("<li class=\"step-").Append(step.Status.ToString().ToLowerInvariant()).Append("\"><strong>").Append(E(step.Step.Keyword))
                .Append("</strong> ").Append(E(step.Step.Text)).Append("</li>");
        }

        html.Append("</ol>");
        if (result.Message is not null)
        {
            html.Append("<pre>").Append(E(result.Message)).Append("</pre>");
        }

        html.Append("</details>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
