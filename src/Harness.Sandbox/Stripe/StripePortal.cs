using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Http;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The hosted customer portal a portal session's <c>url</c> opens, on the control listener beside the pay pages and in
/// their style: the customer's subscriptions, payment methods, billing details and invoices, as the session's
/// configuration allows. Its forms post back here and act through the same code as the API (<see cref="StripeSubscriptions"/>,
/// <see cref="StripePaymentMethods"/>, <see cref="StripeCustomers"/>), so they send the same events.
/// </summary>
public sealed partial class StripePortal(
    SandboxContext context, ProviderObjects objects, StripePortalSessions sessions, StripePortalConfigurations configurations,
    StripeCustomers customers, StripeSubscriptions subscriptions, StripePaymentMethods methods)
{
    private const string Html = "text/html; charset=utf-8";

    public void Map(IEndpointRouteBuilder routes)
    {
        const string path = StripePortalSessions.PagePath + "/{id}/{secret}";
        routes.MapGet(path, (string id, string secret) => Show(id, secret)).ExcludeFromDescription();
        routes.MapPost(path, async (string id, string secret, HttpRequest request) =>
            Act(id, secret, request.HasFormContentType ? await RequestForm.ReadAsync(request) : null)).ExcludeFromDescription();
    }

    private IResult Show(string id, string secret)
    {
        var (session, live) = sessions.Find(id, secret);
        if (session is null || !live)
        {
            return Gone(session);
        }

        sessions.Touch(session);
        return Render(session, notice: null, StatusCodes.Status200OK);
    }

    /// <summary>An unknown session is a 404, an expired one a 410, each a page that says so.</summary>
    private static IResult Gone(JsonObject? session)
    {
        if (session is null)
        {
            return Page("Portal session not found", "<h1>Portal session not found</h1><p id=\"notice\">No such customer portal session. Ask the merchant for a new link.</p>", StatusCodes.Status404NotFound);
        }

        var back = session.Str("return_url") is { } url ? $"<p><a id=\"return\" href=\"{E(url)}\">Return to the merchant</a></p>" : "";
        return Page("Portal session expired",
            $"<h1>This portal session has expired</h1><p id=\"notice\">Portal sessions end after {StripePortalSessions.IdleLifetime.TotalMinutes:0} minutes without activity. Return to the merchant and open the portal again.</p>{back}",
            StatusCodes.Status410Gone);
    }

    private IResult Render(JsonObject session, string? notice, int status)
    {
        var configuration = configurations.Find(session.Str("configuration")!)!;
        var features = (JsonObject)configuration["features"]!;
        var customer = objects.Get(session.Str("customer")!, "customer")!;
        var html = new StringBuilder();
        var headline = configuration["business_profile"].Str("headline");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"merchant\">Stripe sandbox customer portal</p><h1>{E(headline ?? "Manage your billing")}</h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>Customer <code id=\"customer\">{E(customer.Str("id")!)}</code> {E(customer.Str("name") ?? customer.Str("email") ?? "")}</p>");
        if (notice is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"notice\" id=\"notice\" role=\"status\">{E(notice)}</p>");
        }

        if (ActiveFlow(session) is { } flow)
        {
            RenderFlow(html, session, features, flow);
        }
        else
        {
            Subscriptions(html, session, features);
            PaymentMethods(html, session, features, customer);
            BillingDetails(html, session, features, customer);
            Invoices(html, features, customer.Str("id")!);
        }

        if (session.Str("return_url") is { } url)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p><a id=\"return\" href=\"{E(url)}\">Return to the merchant</a></p>");
        }

        foreach (var (field, label) in new[] { ("privacy_policy_url", "Privacy policy"), ("terms_of_service_url", "Terms of service") })
        {
            if (configuration["business_profile"].Str(field) is { } link)
            {
                html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{E(link)}\">{label}</a></p>");
            }
        }

        return Page("Customer portal", html.ToString(), status);
    }

    /// <summary>The session's flow while it is not done yet; null on the home page.</summary>
    private static JsonObject? ActiveFlow(JsonObject session) =>
        session["flow"] is JsonObject flow && session["_flow_done"]?.GetValue<bool>() != true ? flow : null;

    private void RenderFlow(StringBuilder html, JsonObject session, JsonObject features, JsonObject flow)
    {
        var type = flow.Str("type")!;
        var subscription = flow[type].Str("subscription") is { } id ? objects.Get(id, "subscription") : null;
        switch (type)
        {
            case "subscription_cancel":
                html.Append("<h2>Cancel your subscription</h2>");
                SubscriptionRow(html, session, features, subscription!, update: false);
                break;
            case "subscription_update":
                html.Append("<h2>Update your subscription</h2>");
                SubscriptionRow(html, session, features, subscription!, update: true, cancel: false);
                break;
            case "subscription_update_confirm":
                var item = flow[type]!["items"]![0]!;
                html.Append("<h2>Confirm your update</h2>");
                html.Append(CultureInfo.InvariantCulture,
                    $"<p id=\"confirm-change\">Switch {E(subscription!.Str("id")!)} to {E(Describe(item.Str("price")!))} × {item["quantity"]!.GetValue<long>()}</p>");
                html.Append(Form(session, "confirm_update", "", "Confirm"));
                break;
            default:
                html.Append("<h2>Add a payment method</h2>");
                html.Append(CardForm(session));
                break;
        }
    }

    private void Subscriptions(StringBuilder html, JsonObject session, JsonObject features)
    {
        html.Append("<h2>Subscriptions</h2><div id=\"subscriptions\">");
        foreach (var subscription in objects.Newest("subscription").Where(s => s.Str("customer") == session.Str("customer")))
        {
            SubscriptionRow(html, session, features, subscription, update: true);
        }

        html.Append("</div>");
    }

    private void SubscriptionRow(StringBuilder html, JsonObject session, JsonObject features, JsonObject subscription, bool update, bool cancel = true)
    {
        var id = subscription.Str("id")!;
        var item = subscription["items"]!["data"]!.AsArray().FirstOrDefault();
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"subscription\" id=\"{E(id)}\"><p><code>{E(id)}</code> ");
        if (item is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"{E(Describe(item["price"].Str("id")!))} × {item["quantity"]?.GetValue<long>() ?? 1} ");
        }

        html.Append(CultureInfo.InvariantCulture, $"— <strong class=\"status\">{E(subscription.Str("status")!)}</strong></p>");
        if (subscription["cancel_at_period_end"]?.GetValue<bool>() == true)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"cancels\">Cancels on {Date(subscription["current_period_end"]!.GetValue<long>())}</p>");
        }

        var open = subscription.Str("status") is not ("canceled" or "incomplete_expired" or "incomplete");
        var cancelFeature = (JsonObject)features["subscription_cancel"]!;
        if (cancel && open && cancelFeature["enabled"]!.GetValue<bool>() && subscription["cancel_at_period_end"]?.GetValue<bool>() != true)
        {
            var fields = new StringBuilder(Hidden("subscription", id));
            var reason = (JsonObject)cancelFeature["cancellation_reason"]!;
            if (reason["enabled"]!.GetValue<bool>())
            {
                fields.Append(CultureInfo.InvariantCulture, $"<p><label for=\"reason-{E(id)}\">Why are you canceling?</label><br><select id=\"reason-{E(id)}\" name=\"reason\"><option value=\"\"></option>");
                foreach (var option in reason["options"]!.AsArray().Select(o => o!.ToString()))
                {
                    fields.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(option)}\">{E(option.Replace('_', ' '))}</option>");
                }

                fields.Append("</select></p>");
            }

            html.Append(Form(session, "cancel", fields.ToString(), cancelFeature.Str("mode") == "immediately" ? "Cancel subscription now" : "Cancel subscription"));
        }

        var updateFeature = (JsonObject)features["subscription_update"]!;
        if (update && updateFeature["enabled"]!.GetValue<bool>() && StripePortalFlows.NotUpdatable(subscription, features) is null)
        {
            html.Append(Form(session, "update", Hidden("subscription", id) + UpdateFields(updateFeature, features, item!, id), "Update subscription"));
        }

        html.Append("</div>");
    }

    private string UpdateFields(JsonObject updateFeature, JsonObject features, JsonNode item, string id)
    {
        var allowed = updateFeature["default_allowed_updates"]!.AsArray().Select(a => a!.ToString()).ToList();
        var current = item["price"].Str("id")!;
        var fields = new StringBuilder();
        if (allowed.Contains("price"))
        {
            fields.Append(CultureInfo.InvariantCulture, $"<p><label for=\"price-{E(id)}\">Plan</label><br><select id=\"price-{E(id)}\" name=\"price\">");
            foreach (var price in StripePortalFlows.AllowedPrices(features).Distinct())
            {
                var selected = price == current ? " selected" : "";
                fields.Append(CultureInfo.InvariantCulture, $"<option value=\"{E(price)}\"{selected}>{E(Describe(price))}</option>");
            }

            fields.Append("</select></p>");
        }

        if (allowed.Contains("quantity"))
        {
            CardCheckout.Field(fields, $"quantity-{id}", "quantity", "Quantity", item["quantity"]?.GetValue<long>().ToString(CultureInfo.InvariantCulture), "off", "1");
        }

        return fields.ToString();
    }

    private void PaymentMethods(StringBuilder html, JsonObject session, JsonObject features, JsonObject customer)
    {
        var enabled = features["payment_method_update"]!["enabled"]!.GetValue<bool>();
        var defaultMethod = customer["invoice_settings"].Str("default_payment_method");
        html.Append("<h2>Payment methods</h2><ul id=\"payment-methods\">");
        foreach (var method in objects.Newest(StripePaymentMethods.Type).Where(m => m.Str("customer") == customer.Str("id")))
        {
            var id = method.Str("id")!;
            var card = method["card"]!;
            html.Append(CultureInfo.InvariantCulture,
                $"<li id=\"{E(id)}\">{E(card.Str("brand") ?? "card")} •••• {E(card.Str("last4") ?? "")} expires {card["exp_month"]}/{card["exp_year"]}");
            html.Append(id == defaultMethod ? " <strong class=\"default\">Default</strong>"
                : enabled ? Form(session, "set_default", Hidden("payment_method", id), "Make default") : "");
            html.Append("</li>");
        }

        html.Append("</ul>");
        if (enabled)
        {
            html.Append(CardForm(session));
        }
    }

    private static string CardForm(JsonObject session)
    {
        var fields = new StringBuilder();
        CardCheckout.Field(fields, "card-number", "card_number", "Card number", null, "cc-number", "1234 1234 1234 1234");
        CardCheckout.Field(fields, "card-expiry", "card_expiry", "Expiry", null, "cc-exp", "MM / YY");
        CardCheckout.Field(fields, "card-cvc", "card_cvc", "CVC", null, "cc-csc", "CVC");
        return Form(session, "add_card", fields.ToString(), "Add card")
            + CardCheckout.TestCardTable(StripeTestCards.Subscription, "Use any future expiry and any 3-digit CVC; the new card becomes the default.");
    }

    private static void BillingDetails(StringBuilder html, JsonObject session, JsonObject features, JsonObject customer)
    {
        var feature = features["customer_update"]!;
        var allowed = feature["allowed_updates"]!.AsArray().Select(a => a!.ToString()).ToList();
        if (!feature["enabled"]!.GetValue<bool>() || allowed.Count == 0)
        {
            return;
        }

        var fields = new StringBuilder();
        foreach (var (name, label, autocomplete) in new[] { ("email", "Email", "email"), ("name", "Name", "name"), ("phone", "Phone", "tel") }.Where(f => allowed.Contains(f.Item1)))
        {
            CardCheckout.Field(fields, $"customer-{name}", name, label, customer.Str(name), autocomplete, "");
        }

        if (allowed.Contains("address"))
        {
            foreach (var part in AddressParts)
            {
                CardCheckout.Field(fields, $"address-{part}", $"address_{part}", $"Address {part.Replace('_', ' ')}", customer["address"].Str(part), "off", "");
            }
        }

        html.Append("<h2>Billing information</h2>").Append(Form(session, "update_customer", fields.ToString(), "Save"));
    }

    private void Invoices(StringBuilder html, JsonObject features, string customerId)
    {
        if (!features["invoice_history"]!["enabled"]!.GetValue<bool>())
        {
            return;
        }

        html.Append("<h2>Invoice history</h2><table id=\"invoices\"><thead><tr><th>Invoice</th><th>Date</th><th>Amount</th><th>Status</th><th></th></tr></thead><tbody>");
        foreach (var invoice in objects.Newest("invoice").Where(i => i.Str("customer") == customerId && i.Str("status") != "draft"))
        {
            var link = invoice.Str("hosted_invoice_url") is { } url ? $"<a href=\"{E(url)}\">View</a>" : "";
            html.Append(CultureInfo.InvariantCulture,
                $"<tr id=\"{E(invoice.Str("id")!)}\"><td>{E(invoice.Str("number") ?? invoice.Str("id")!)}</td><td>{Date(invoice["created"]!.GetValue<long>())}</td>"
                + $"<td>{E(PayPageEndpoints.FormatAmount(invoice["amount_due"]!.GetValue<long>(), invoice.Str("currency")!))}</td><td>{E(invoice.Str("status")!)}</td><td>{link}</td></tr>");
        }

        html.Append("</tbody></table>");
    }

    /// <summary>A price as the portal names it: product, amount and interval.</summary>
    private string Describe(string priceId)
    {
        if (objects.Get(priceId, "price") is not { } price)
        {
            return priceId;
        }

        var product = objects.Get(price.Str("product")!, "product").Str("name") ?? price.Str("product");
        var amount = price["unit_amount"] is JsonValue unit ? PayPageEndpoints.FormatAmount(unit.GetValue<long>(), price.Str("currency")!)
            : price.Str("billing_scheme") == "tiered" ? $"{price.Str("tiers_mode")} tiers" : "metered";
        return $"{product}, {amount} per {price["recurring"].Str("interval") ?? "payment"}";
    }

    /// <summary>A form that posts one action back with the page's single-use token.</summary>
    private static string Form(JsonObject session, string action, string fields, string button) =>
        $"<form method=\"post\" class=\"{action.Replace('_', '-')}\" action=\"{StripePortalSessions.PagePath}/{E(session.Str("id")!)}/{E(session.Str("_secret")!)}\">"
        + Hidden("token", session.Str("_form_token")!) + Hidden("action", action) + fields
        + $"<button type=\"submit\">{E(button)}</button></form>";

    private static string Hidden(string name, string value) => $"<input type=\"hidden\" name=\"{name}\" value=\"{E(value)}\">";

    private static string Date(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IResult Page(string title, string body, int status) =>
        Results.Content(PayPageEndpoints.Page(title, body), Html, Encoding.UTF8, status);

    private static string E(string text) => PayPageEndpoints.E(text);
}
