using System.Globalization;
using System.Net;
using System.Text;
using Harness.Portaly.Orders;
using Harness.Portaly.Subscriptions;
using Microsoft.AspNetCore.Http;

namespace Harness.Portaly.Portal;

/// <summary>A subscription as the portal page shows it, with its payments.</summary>
public sealed record PortalEntry(Subscription Subscription, IReadOnlyList<Order> Payments);

/// <summary>
/// The portal's HTML, written by hand and kept small: every value from storage or the request is HTML-encoded; the
/// Cancel and Resume buttons are POST forms that carry the session's token.
/// </summary>
public static class PortalPage
{
    public static IResult Html(int status, string body) =>
        TypedResults.Content(Document(body), "text/html; charset=utf-8", Encoding.UTF8, status);

    /// <summary>A page with only a message (a refused link or request).</summary>
    public static IResult Message(int status, string title, string text) =>
        Html(status, $"<h1>{E(title)}</h1><p class=\"message\">{E(text)}</p>");

    public static string Render(PortalSession session, string token, IReadOnlyList<PortalEntry> entries, string? notice)
    {
        var html = new StringBuilder();
        html.Append("<h1>Your subscriptions</h1>");
        if (notice is not null)
        {
            html.Append("<p class=\"message\">").Append(E(notice)).Append("</p>");
        }

        if (entries.Count == 0)
        {
            html.Append("<p>No subscriptions found.</p>");
        }

        foreach (var (s, payments) in entries)
        {
            html.Append("<section class=\"subscription\" id=\"").Append(E(s.Id)).Append("\">")
                .Append("<h2>").Append(E(s.PlanName)).Append("</h2><dl>")
                .Append(Row("Amount", $"{Money(s.AmountOfCharge(s.ChargesMade + 1))} {s.Currency}"))
                .Append(Row("Billing period", s.BillingPeriod))
                .Append(Row("Status", StatusText(s)))
                .Append(Row("Next billing date", s.Status == SubscriptionStatus.Canceled || s.CancelAtPeriodEnd ? "none" : Date(s.NextBillingAt)));
            if (s.CancelAtPeriodEnd && s.Status != SubscriptionStatus.Canceled)
            {
                html.Append(Row("Active until", Date(s.CancelEffectiveAt)));
            }

            html.Append("</dl><h3>Payments</h3>");
            if (payments.Count == 0)
            {
                html.Append("<p>No payments yet.</p>");
            }
            else
            {
                html.Append("<table><tr><th>Date</th><th>Amount</th><th>Status</th></tr>");
                foreach (var p in payments)
                {
                    html.Append("<tr><td>").Append(E(Date(p.PaidAt))).Append("</td><td>").Append(E($"{Money(p.Amount)} {p.Currency}"))
                        .Append("</td><td>").Append(E(p.Status)).Append("</td></tr>");
                }

                html.Append("</table>");
            }

            var action = !s.Recurring || s.Status == SubscriptionStatus.Canceled ? null : s.CancelAtPeriodEnd ? "resume" : "cancel";
            if (action is not null)
            {
                html.Append("<form method=\"post\" action=\"/portal/").Append(E(session.Id)).Append('/').Append(action).Append("\">")
                    .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(E(token)).Append("\">")
                    .Append("<input type=\"hidden\" name=\"subscriptionId\" value=\"").Append(E(s.Id)).Append("\">")
                    .Append("<button type=\"submit\">").Append(action == "cancel" ? "Cancel subscription" : "Resume subscription").Append("</button></form>");
            }

            html.Append("</section>");
        }

        html.Append("<p><a href=\"").Append(E(session.ReturnUrl)).Append("\">Back</a></p>");
        return html.ToString();
    }

    private static string StatusText(Subscription s) => s.Status switch
    {
        SubscriptionStatus.Active when s.CancelAtPeriodEnd => "active (cancels at period end)",
        SubscriptionStatus.PastDue => "past due (payment failed, will retry)",
        _ => s.Status,
    };

    private static string Row(string name, string value) => $"<dt>{E(name)}</dt><dd>{E(value)}</dd>";

    private static string Money(long amount) => amount.ToString(CultureInfo.InvariantCulture);

    private static string Date(DateTimeOffset? at) => at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "none";

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Document(string body) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Subscriptions</title>"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}"
        + "section{border:1px solid #ccc;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}dt{font-weight:bold}"
        + "table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left}.message{background:#eef;padding:.5rem}</style>"
        + "</head><body>" + body + "</body></html>";
}
