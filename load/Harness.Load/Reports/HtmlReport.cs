using System.Globalization;
using System.Net;
using System.Text;
using Harness.Load.Engine;

namespace Harness.Load.Reports;

/// <summary>A self-contained page (inline CSS and SVG, no scripts) with the tables and three charts.</summary>
public static class HtmlReport
{
    private static readonly string[] Palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
    private static readonly double[] Percentiles = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99];

    public static string Render(LoadReport report)
    {
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Load run " + E(report.RunId) + "</title>");
        html.AppendLine("<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}table{border-collapse:collapse;margin:8px 0 24px}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
            + ".pass{color:#1a7f37;font-weight:bold}.fail{color:#cf222e;font-weight:bold}svg{background:#fafafa;border:1px solid #ddd;margin:8px 0 24px}</style></head><body>");
        html.AppendLine("<h1>Load run " + E(report.RunId) + "</h1><ul>");
        foreach (var (label, value) in ReportTables.Summary(report))
        {
            var css = label == "Verdict" ? $" class=\"{(report.Passed ? "pass" : "fail")}\"" : "";
            html.AppendLine($"<li><b>{E(label)}</b>: <span{css}>{E(value)}</span></li>");
        }

        html.AppendLine("</ul>");
        Append(html, ReportTables.Scenarios(report));
        Append(html, ReportTables.Ratios(report));
        Append(html, ReportTables.Floors(report));
        if (report.Soak is { } soak)
        {
            SoakReport.AppendHtml(html, soak);
            Append(html, SoakReport.Samples(soak));
        }

        html.AppendLine("<h2>Throughput per second (ok)</h2>");
        html.AppendLine(Chart("seconds", "ok/s", false, report.Scenarios.Select(s => (s.Name, FullSeconds(s).Select(p => (p.Second, p.OkPerSecond)).ToList())).ToList()));
        html.AppendLine("<h2>p99 latency per second (ms)</h2>");
        html.AppendLine(Chart("seconds", "p99 ms", false, report.Scenarios.Select(s => (s.Name, FullSeconds(s).Where(p => p.Histogram.TotalCount > 0).Select(p => (p.Second, p.P99Ms)).ToList())).ToList()));
        html.AppendLine("<h2>Latency by percentile (ms, whole measurement)</h2>");
        html.AppendLine(Chart("percentile", "ms", true, [.. report.Scenarios.SelectMany(PercentileSeries)]));
        Append(html, ReportTables.Steps(report));
        Append(html, ReportTables.RunnerHealth(report));
        html.AppendLine("<h2>Thresholds</h2><p>" + (report.ThresholdFailures.Count == 0 ? "All thresholds held (or none were set)." : string.Join("<br>", report.ThresholdFailures.Select(E))) + "</p>");
        if (report.Webhooks is { } webhooks)
        {
            Append(html, WebhookReport.Figures(webhooks));
            html.AppendLine($"<h2>Delivery audit</h2><p class=\"{(webhooks.Delivery.Passed ? "pass" : "fail")}\">{E(webhooks.Delivery.Verdict())}</p>");
            Append(html, WebhookReport.Findings(webhooks));
        }
        else if (report.AuditsLedger)
        {
            html.AppendLine($"<h2>Ledger audit</h2><p class=\"{(report.Audit.Passed ? "pass" : "fail")}\">{E(ReportTables.AuditVerdict(report))}</p>");
            Append(html, ReportTables.Findings(report));
            Append(html, ReportTables.AuditUsers(report));
        }

        html.AppendLine("<p>Raw interval histograms: <code>histograms.hlog</code> (HdrHistogram log format, microseconds).</p></body></html>");
        return html.ToString();
    }

    /// <summary>The run's final sliver of a second would plot as a spike; its counts are in the totals and the log.</summary>
    private static IEnumerable<IntervalSample> FullSeconds(ScenarioResult scenario) => scenario.Samples.Where(p => p.IntervalSeconds >= 0.5);

    /// <summary>A scenario's latency by percentile; in the open model also timed from the send, so the runner's share shows as the gap.</summary>
    private static IEnumerable<(string Name, List<(double X, double Y)> Points)> PercentileSeries(ScenarioResult scenario) => scenario.OpenModel
        ? [(scenario.Name, PercentileCurve(scenario.Main.Latency)), (scenario.Name + " (from send)", PercentileCurve(scenario.Main.FromSend))]
        : [(scenario.Name, PercentileCurve(scenario.Main.Latency))];

    /// <summary>Percentile x positions on the usual HdrHistogram scale: log10(1 / (1 − p)).</summary>
    private static List<(double X, double Y)> PercentileCurve(HdrHistogram.HistogramBase latency) =>
        latency.TotalCount == 0 ? [] : [.. Percentiles.Select(p => (PercentileX(p), latency.GetValueAtPercentile(p) / 1000.0))];

    private static double PercentileX(double percentile) => Math.Log10(1 / (1 - (percentile / 100)));

    /// <summary>A line chart of the series from 0 on both axes, legend on the right.</summary>
    internal static string Chart(string xLabel, string yLabel, bool percentileAxis, IReadOnlyList<(string Name, List<(double X, double Y)> Points)> series)
    {
        const double width = 900, height = 330, left = 70, right = 170, top = 30, bottom = 40;
        var points = series.SelectMany(s => s.Points).ToList();
        if (points.Count == 0)
        {
            return "<p>No data.</p>";
        }

        var (maxX, maxY) = (Math.Max(points.Max(p => p.X), 1e-9), Math.Max(points.Max(p => p.Y), 1e-9) * 1.1);
        double Px(double x) => left + (x / maxX * (width - left - right));
        double Py(double y) => height - bottom - (y / maxY * (height - top - bottom));
        var svg = new StringBuilder(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-size=\"11\">"));
        for (var i = 0; i <= 4; i++)
        {
            var y = maxY * i / 4;
            svg.Append(Invariant($"<line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Py(y):0.#}\" y2=\"{Py(y):0.#}\" stroke=\"#e5e5e5\"/><text x=\"{left - 6}\" y=\"{Py(y) + 4:0.#}\" text-anchor=\"end\">{y.ToString(maxY >= 100 ? "0" : "0.##", CultureInfo.InvariantCulture)}</text>"));
        }

        var xTicks = percentileAxis
            ? Percentiles.Where(p => p is 50 or 90 or 99 or 99.9 or 99.99).Select(p => (PercentileX(p), p.ToString("0.##", CultureInfo.InvariantCulture) + "%"))
            : Enumerable.Range(0, 6).Select(i => (maxX * i / 5, (maxX * i / 5).ToString("0.#", CultureInfo.InvariantCulture)));
        foreach (var (x, label) in xTicks)
        {
            svg.Append(Invariant($"<text x=\"{Px(x):0.#}\" y=\"{height - bottom + 16}\" text-anchor=\"middle\">{label}</text>"));
        }

        svg.Append(Invariant($"<text x=\"{(width - right + left) / 2}\" y=\"{height - 6}\" text-anchor=\"middle\">{E(xLabel)}</text>"));
        svg.Append(Invariant($"<text x=\"{left}\" y=\"{top - 6}\" text-anchor=\"middle\">{E(yLabel)}</text>"));
        for (var i = 0; i < series.Count; i++)
        {
            var color = Palette[i % Palette.Length];
            var path = string.Join(" ", series[i].Points.Select(p => Invariant($"{Px(p.X):0.#},{Py(p.Y):0.#}")));
            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>"));
            svg.Append(Invariant($"<rect x=\"{width - right + 12}\" y=\"{top + (i * 18)}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{width - right + 30}\" y=\"{top + (i * 18) + 10}\">{E(series[i].Name)}</text>"));
        }

        return svg.Append("</svg>").ToString();
    }

    private static void Append(StringBuilder html, Table table)
    {
        if (table.Rows.Count == 0)
        {
            return;
        }

        html.AppendLine("<h2>" + E(table.Title) + "</h2><table><tr>" + string.Concat(table.Header.Select(h => "<th>" + E(h) + "</th>")) + "</tr>");
        foreach (var row in table.Rows)
        {
            html.AppendLine("<tr>" + string.Concat(row.Select(c => "<td>" + E(c) + "</td>")) + "</tr>");
        }

        html.AppendLine("</table>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
