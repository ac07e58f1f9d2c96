using System.Text;

namespace Harness.Load.Reports;

public static class MarkdownReport
{
    public static string Render(LoadReport report)
    {
        var md = new StringBuilder();
        md.AppendLine("# Load run " + report.RunId).AppendLine();
        foreach (var (label, value) in ReportTables.Summary(report))
        {
            md.AppendLine($"- **{label}**: {value}");
        }

        md.AppendLine();
        Append(md, ReportTables.Scenarios(report));
        Append(md, ReportTables.Ratios(report));
        Append(md, ReportTables.Floors(report));
        if (report.Soak is { } soak)
        {
            SoakReport.AppendMarkdown(md, soak);
            Append(md, SoakReport.Samples(soak));
        }

        Append(md, ReportTables.Steps(report));
        Append(md, ReportTables.RunnerHealth(report));
        md.AppendLine("## Thresholds").AppendLine();
        md.AppendLine(report.ThresholdFailures.Count == 0 ? "All thresholds held (or none were set)." : string.Join(Environment.NewLine, report.ThresholdFailures.Select(f => "- " + f)));
        md.AppendLine();
        if (report.Webhooks is { } webhooks)
        {
            Append(md, WebhookReport.Figures(webhooks));
            md.AppendLine("## Delivery audit").AppendLine().AppendLine(webhooks.Delivery.Verdict()).AppendLine();
            Append(md, WebhookReport.Findings(webhooks));
        }
        else if (report.AuditsLedger)
        {
            md.AppendLine("## Ledger audit").AppendLine().AppendLine(ReportTables.AuditVerdict(report)).AppendLine();
            Append(md, ReportTables.Findings(report));
            Append(md, ReportTables.AuditUsers(report));
        }

        md.AppendLine("Raw interval histograms (HdrHistogram log, microseconds): `histograms.hlog`. Charts: `report.html`.");
        return md.ToString();
    }

    private static void Append(StringBuilder md, Table table)
    {
        if (table.Rows.Count == 0)
        {
            return;
        }

        md.AppendLine("## " + table.Title).AppendLine();
        md.AppendLine("| " + string.Join(" | ", table.Header) + " |");
        md.AppendLine("|" + string.Concat(table.Header.Select(_ => " --- |")));
        foreach (var row in table.Rows)
        {
            md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        md.AppendLine();
    }
}
