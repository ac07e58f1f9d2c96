using System.Globalization;
using System.Net;
using System.Text;

namespace Harness.Chaos.Reports;

/// <summary>The report as one self-contained HTML page.</summary>
public static class HtmlReport
{
    public static string Render(ChaosReport report)
    {
        static string E(string text) => WebUtility.HtmlEncode(text);
        var html = new StringBuilder();
        html.AppendLine("<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Chaos campaign</title>");
        html.AppendLine("<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}.missed{color:#b00;font-weight:bold}.met{color:#070}code{font-size:12px}</style>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<h1>Chaos campaign: <span class=\"{(report.Passed ? "met" : "missed")}\">{(report.Passed ? "PASSED" : "FAILED")}</span></h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>Target: {E(report.Target)}. Seed {report.Seed}. Started {report.StartedAt:u}, took {report.Duration.TotalSeconds:0} s.</p>");
        html.AppendLine("<table><tr><th>goal</th><th>figure</th><th></th></tr>");
        foreach (var (goal, figure, met) in MarkdownReport.Goals(report))
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{E(goal)}</td><td>{E(figure)}</td><td class=\"{(met ? "met" : "missed")}\">{(met ? "met" : "missed")}</td></tr>");
        }

        html.AppendLine("</table><h2>Fuzz</h2><table><tr><th>surface</th><th>operations</th><th>requests</th><th>5xx</th><th>outside the shape</th><th>refused by the web server</th><th>rate-limited (429)</th><th>slowest</th></tr>");
        foreach (var f in report.Fuzz)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{E(f.Surface)}</td><td>{f.Operations}</td><td>{f.Requests}</td><td>{f.ServerErrors}</td><td>{f.WrongShape}</td><td>{f.ServerLevel}</td><td>{f.RateLimited}</td><td>{f.Slowest.TotalMilliseconds:0} ms <code>{E(f.SlowestRequest)}</code></td></tr>");
        }

        html.AppendLine("</table>");
        foreach (var reason in report.NotRun)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<p>Not run: {E(reason)}</p>");
        }

        html.AppendLine(CultureInfo.InvariantCulture, $"<h2>Findings ({report.Findings.Count})</h2><ul>");
        foreach (var finding in report.Findings)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<li><b>{E(finding.Campaign)}: {E(finding.Kind)}</b> <code>{E(finding.Request)}</code> {E(finding.Detail)}</li>");
        }

        html.AppendLine("</ul></html>");
        return html.ToString();
    }
}

public static class ReportWriter
{
    /// <summary>Writes report.md and report.html into a new folder named after the run; returns the folder.</summary>
    public static string Write(ChaosReport report, string root)
    {
        var directory = Path.Combine(root, report.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + report.Seed.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "report.md"), MarkdownReport.Render(report));
        File.WriteAllText(Path.Combine(directory, "report.html"), HtmlReport.Render(report));
        return directory;
    }
}
