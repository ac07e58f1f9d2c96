using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.Payments;
using Harness.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static Harness.Sandbox.Creem.CreemJson;
using static Harness.Sandbox.PayPages.PayPageEndpoints;

namespace Harness.Sandbox.Creem;

/// <summary>
/// The customer portal a billing-portal link opens: a plain page on the Creem listener listing the customer's
/// subscriptions, each active or trialing one with a button that cancels it at the period end through the same
/// engine as <c>POST /v1/subscriptions/{id}/cancel</c> (same state, same webhooks). The link's token is the only
/// key, as a magic link is.
/// </summary>
internal sealed class CreemPortal(ProviderObjects objects, TimeProvider clock, CreemBilling billing)
{
    /// <summary>A new link for the customer's portal on <paramref name="baseUrl"/> (the Creem listener as the merchant reached it).</summary>
    public string Open(string customerId, string baseUrl)
    {
        var token = Secrets.RandomHex(16);
        objects.Put(new JsonObject
        {
            ["id"] = SessionId(token),
            ["object"] = "portal_session",
            ["customer"] = customerId,
            ["created_at"] = Iso(clock.GetUtcNow()),
        });
        return $"{baseUrl}/portal/{token}";
    }

    public void Map(WebApplication app)
    {
        app.MapGet("/portal/{token}", (string token) => Render(token, notice: null)).ExcludeFromDescription();
        app.MapPost("/portal/{token}", async (string token, HttpRequest request) =>
        {
            if (!request.HasFormContentType || objects.Get(SessionId(token), "portal_session") is not { } session)
            {
                return Render(token, notice: null);
            }

            var form = await RequestForm.ReadAsync(request);
            var subscriptionId = form["subscription_id"].ToString();
            var subscription = objects.Get(subscriptionId, "subscription");
            if (form["action"].ToString() != "cancel" || subscription?["customer"].Str("id") != session.Str("customer"))
            {
                return Render(token, "No such subscription of yours.");
            }

            var (_, refusal) = billing.Cancel(subscriptionId, immediately: false, onExecute: "cancel");
            return Render(token, refusal ?? "Your subscription is canceled: it ends at the end of the current period.");
        }).ExcludeFromDescription();
    }

    private IResult Render(string token, string? notice)
    {
        if (objects.Get(SessionId(token), "portal_session") is not { } session || objects.Get(session.Str("customer")!, "customer") is not { } customer)
        {
            return Results.Content(Page("Creem customer portal", "<p>This link is not valid.</p>"), "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status404NotFound);
        }

        var html = new StringBuilder();
        html.Append("<p class=\"merchant\">Creem sandbox customer portal</p>");
        html.Append(CultureInfo.InvariantCulture, $"<h1 id=\"customer\">{E(customer.Str("email")!)}</h1>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        var subscriptions = objects.Newest("subscription").Where(s => s["customer"].Str("id") == customer.Str("id")).ToList();
        if (subscriptions.Count == 0)
        {
            html.Append("<p id=\"none\">You have no subscriptions.</p>");
        }
        else
        {
            html.Append("<table id=\"subscriptions\"><tr><th>Product</th><th>Status</th><th>Current period ends</th><th></th></tr>");
            foreach (var subscription in subscriptions)
            {
                var id = subscription.Str("id")!;
                html.Append(CultureInfo.InvariantCulture, $"<tr id=\"{E(id)}\"><td>{E(subscription["product"].Str("name") ?? "")}</td>");
                html.Append(CultureInfo.InvariantCulture, $"<td class=\"status\">{E(subscription.Str("status")!)}</td><td>{E(subscription.Str("current_period_end_date")!)}</td><td>");
                if (subscription.Str("status") is "active" or "trialing")
                {
                    html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/portal/{E(Uri.EscapeDataString(token))}\">");
                    html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"subscription_id\" value=\"{E(id)}\">");
                    html.Append("<button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></form>");
                }

                html.Append("</td></tr>");
            }

            html.Append("</table>");
        }

        return Results.Content(Page("Creem customer portal", html.ToString()), "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static string SessionId(string token) => "cpl_" + token;
}
