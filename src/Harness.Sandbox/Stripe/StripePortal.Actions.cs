using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.PayPages;
using Harness.Sandbox.Payments;
using Microsoft.AspNetCore.Http;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// What the portal's forms do. Each POST first uses up the page's form token (a replayed or stale form is a 409), then
/// acts through the API's own code; a refusal shows the page again with the API's message and status. An action that
/// finishes the session's flow goes where <c>after_completion</c> says.
/// </summary>
public sealed partial class StripePortal
{
    private static readonly string[] AddressParts = ["line1", "line2", "city", "state", "postal_code", "country"];

    private static readonly string[] ContactFields = ["email", "name", "phone"];

    /// <summary>An action's result: a refusal (message and status), or the notice of what was done and the flow it completes.</summary>
    private sealed record Outcome(string Message, int Status = StatusCodes.Status200OK, string? Completes = null)
    {
        public bool Refused => Status >= 400;

        public static Outcome Refuse(string message, int status = StatusCodes.Status400BadRequest) => new(message, status);

        public static Outcome? From(StripeResponse response) =>
            response.Status >= 400 ? Refuse(response.Body["error"].Str("message") ?? "Refused.", response.Status) : null;
    }

    private IResult Act(string id, string secret, IFormCollection? form)
    {
        var (session, live) = sessions.Find(id, secret);
        if (session is null || !live)
        {
            return Gone(session);
        }

        if (!sessions.Redeem(id, form?["token"].ToString()))
        {
            var url = session.Str("url")!;
            return Page("Form already used",
                $"<h1>This form was already submitted or is out of date</h1><p id=\"notice\">Nothing was changed. <a href=\"{E(url)}\">Reload the portal</a> and try again.</p>",
                StatusCodes.Status409Conflict);
        }

        session = sessions.Reload(id);
        var configuration = configurations.Find(session.Str("configuration")!)!;
        var features = (JsonObject)configuration["features"]!;
        var flow = ActiveFlow(session);
        var action = form!["action"].ToString();
        var outcome = flow is not null && !FlowAllows(flow.Str("type")!, action)
            ? Outcome.Refuse($"This portal session is for {flow.Str("type")}: {action} is not part of it.")
            : action switch
            {
                "cancel" => Cancel(session, features, flow, form),
                "update" => Update(session, features, flow, form),
                "confirm_update" => Confirm(session, features, flow),
                "add_card" => AddCard(session, features, form),
                "set_default" => SetDefault(session, features, form["payment_method"].ToString()),
                "update_customer" => UpdateCustomer(session, features, form),
                _ => Outcome.Refuse("Unknown portal action."),
            };
        session = sessions.Reload(id);
        if (outcome.Refused || flow is null || outcome.Completes != flow.Str("type"))
        {
            return Render(session, outcome.Message, outcome.Status);
        }

        sessions.CompleteFlow(id);
        var after = flow["after_completion"]!;
        return after.Str("type") switch
        {
            "redirect" => Results.Redirect(PayPageEndpoints.Location(after["redirect"].Str("return_url")!)),
            "hosted_confirmation" => Page("Done",
                $"<h1>Done</h1><p class=\"notice\" id=\"notice\" role=\"status\">{E(after["hosted_confirmation"].Str("custom_message") ?? outcome.Message)}</p>"
                + (session.Str("return_url") is { } back ? $"<p><a id=\"return\" href=\"{E(back)}\">Return to the merchant</a></p>" : ""),
                StatusCodes.Status200OK),
            _ => Results.Redirect(session.Str("url")!),
        };
    }

    private static bool FlowAllows(string flowType, string action) => (flowType, action) switch
    {
        ("subscription_cancel", "cancel") => true,
        ("subscription_update", "update") => true,
        ("subscription_update_confirm", "confirm_update") => true,
        ("payment_method_update", "add_card") => true,
        _ => false,
    };

    /// <summary>
    /// Cancels as the configuration says: at period end (<c>cancel_at_period_end</c>) or now (<c>DELETE</c>, with
    /// <c>prorate</c> under <c>create_prorations</c>); the chosen reason goes to <c>cancellation_details.feedback</c>.
    /// </summary>
    private Outcome Cancel(JsonObject session, JsonObject features, JsonObject? flow, IFormCollection form)
    {
        var feature = (JsonObject)features["subscription_cancel"]!;
        if (!feature["enabled"]!.GetValue<bool>())
        {
            return Outcome.Refuse("Canceling is not enabled in this portal.");
        }

        if (OwnSubscription(session, flow, form["subscription"].ToString()) is not { } subscription)
        {
            return Outcome.Refuse("No such subscription in this portal.", StatusCodes.Status404NotFound);
        }

        var reason = form["reason"].ToString();
        var options = feature["cancellation_reason"]!["options"]!.AsArray().Select(o => o!.ToString());
        if (reason.Length > 0 && (!feature["cancellation_reason"]!["enabled"]!.GetValue<bool>() || !options.Contains(reason)))
        {
            return Outcome.Refuse($"The cancellation reason {reason} is not one this portal offers.");
        }

        var p = new JsonObject();
        if (reason.Length > 0)
        {
            p["cancellation_details"] = new JsonObject { ["feedback"] = reason };
        }

        var atPeriodEnd = feature.Str("mode") == "at_period_end";
        if (atPeriodEnd)
        {
            p["cancel_at_period_end"] = "true";
        }
        else if (feature.Str("proration_behavior") == "create_prorations")
        {
            p["prorate"] = "true";
        }

        var id = subscription.Str("id")!;
        return Outcome.From(atPeriodEnd ? subscriptions.Update(id, p) : subscriptions.Cancel(id, p))
            ?? new Outcome(atPeriodEnd ? "Your subscription will be canceled at the end of the billing period." : "Your subscription has been canceled.", Completes: "subscription_cancel");
    }

    private Outcome Update(JsonObject session, JsonObject features, JsonObject? flow, IFormCollection form)
    {
        if (OwnSubscription(session, flow, form["subscription"].ToString()) is not { } subscription)
        {
            return Outcome.Refuse("No such subscription in this portal.", StatusCodes.Status404NotFound);
        }

        var item = subscription["items"]!["data"]!.AsArray().FirstOrDefault();
        var price = form["price"].ToString() is { Length: > 0 } chosen ? chosen : item?["price"].Str("id") ?? "";
        var quantityText = form["quantity"].ToString();
        long quantity = item?["quantity"]?.GetValue<long>() ?? 1;
        if (quantityText.Length > 0 && (!StripeJson.TryLong(quantityText, out quantity) || quantity < 1))
        {
            return Outcome.Refuse("The quantity must be a whole number of at least 1.");
        }

        return ChangePlan(subscription, features, price, quantity, "subscription_update");
    }

    private Outcome Confirm(JsonObject session, JsonObject features, JsonObject? flow)
    {
        var confirm = flow!["subscription_update_confirm"]!;
        var item = confirm["items"]![0]!;
        return OwnSubscription(session, flow, confirm.Str("subscription")!) is { } subscription
            ? ChangePlan(subscription, features, item.Str("price")!, item["quantity"]!.GetValue<long>(), "subscription_update_confirm")
            : Outcome.Refuse("No such subscription in this portal.", StatusCodes.Status404NotFound);
    }

    /// <summary>A price or quantity the configuration allows, through the subscription update with its proration behaviour.</summary>
    private Outcome ChangePlan(JsonObject subscription, JsonObject features, string price, long quantity, string completes)
    {
        var feature = (JsonObject)features["subscription_update"]!;
        if (!feature["enabled"]!.GetValue<bool>())
        {
            return Outcome.Refuse("Updating subscriptions is not enabled in this portal.");
        }

        if (StripePortalFlows.NotUpdatable(subscription, features) is { } why)
        {
            return Outcome.Refuse(why);
        }

        var item = (JsonObject)subscription["items"]!["data"]![0]!;
        var allowed = feature["default_allowed_updates"]!.AsArray().Select(a => a!.ToString()).ToList();
        var priceChanges = price != item["price"].Str("id");
        var quantityChanges = quantity != item["quantity"]!.GetValue<long>();
        if (priceChanges && (!allowed.Contains("price") || !StripePortalFlows.AllowedPrices(features).Contains(price)))
        {
            return Outcome.Refuse($"The price {price} is not one this portal lets you switch to.");
        }

        if (quantityChanges && !allowed.Contains("quantity"))
        {
            return Outcome.Refuse("This portal does not let you change the quantity.");
        }

        if (!priceChanges && !quantityChanges)
        {
            return Outcome.Refuse("Choose another plan or quantity: this is the current one.");
        }

        var p = new JsonObject
        {
            ["items"] = new JsonArray(new JsonObject
            {
                ["id"] = item.Str("id"),
                ["price"] = price,
                ["quantity"] = quantity.ToString(CultureInfo.InvariantCulture),
            }),
            ["proration_behavior"] = feature.Str("proration_behavior"),
        };
        if (subscription.Str("status") == "trialing" && feature.Str("trial_update_behavior") == "end_trial")
        {
            p["trial_end"] = "now";
        }

        return Outcome.From(subscriptions.Update(subscription.Str("id")!, p)) ?? new Outcome("Your subscription has been updated.", Completes: completes);
    }

    /// <summary>A test card, saved to the customer as the card pay page saves one, then made the customer's default.</summary>
    private Outcome AddCard(JsonObject session, JsonObject features, IFormCollection form)
    {
        if (!features["payment_method_update"]!["enabled"]!.GetValue<bool>())
        {
            return Outcome.Refuse("Updating payment methods is not enabled in this portal.");
        }

        var entered = CardFields.From(form);
        var (card, problem) = TestCards.Read(entered.Number, entered.Expiry, entered.Cvc, context.Clock.GetUtcNow());
        if (card is null)
        {
            return Outcome.Refuse(problem!);
        }

        switch (StripeTestCards.Subscription.FirstOrDefault(c => c.Number == card.Number)?.Outcome)
        {
            case null:
                return Outcome.Refuse(TestCards.NotATestCard, StatusCodes.Status402PaymentRequired);
            case CardOutcome.ThreeDSecureRequired:
                return Outcome.Refuse("This card asks for 3-D Secure when saved, which the sandbox portal does not simulate: use another test card.");
            case { } outcome:
                var method = methods.FromCard(card.Brand, card.Last4, card.ExpMonth, card.ExpYear, outcome);
                var customer = session.Str("customer")!;
                return Outcome.From(methods.Attach(method.Id, new JsonObject { ["customer"] = customer }))
                    ?? Outcome.From(MakeDefault(customer, method.Id))
                    ?? new Outcome($"Card ending in {card.Last4} added and set as your default payment method.", Completes: "payment_method_update");
        }
    }

    private Outcome SetDefault(JsonObject session, JsonObject features, string methodId) =>
        !features["payment_method_update"]!["enabled"]!.GetValue<bool>()
            ? Outcome.Refuse("Updating payment methods is not enabled in this portal.")
            : Outcome.From(MakeDefault(session.Str("customer")!, methodId)) ?? new Outcome("Your default payment method has been updated.");

    private StripeResponse MakeDefault(string customer, string methodId) =>
        customers.Update(customer, new JsonObject { ["invoice_settings"] = new JsonObject { ["default_payment_method"] = methodId } });

    /// <summary>The billing details the configuration's <c>allowed_updates</c> lists, through the customer update.</summary>
    private Outcome UpdateCustomer(JsonObject session, JsonObject features, IFormCollection form)
    {
        var feature = features["customer_update"]!;
        var allowed = feature["allowed_updates"]!.AsArray().Select(a => a!.ToString()).ToList();
        if (!feature["enabled"]!.GetValue<bool>())
        {
            return Outcome.Refuse("Updating billing information is not enabled in this portal.");
        }

        var p = new JsonObject();
        foreach (var field in ContactFields.Where(f => form.ContainsKey(f)))
        {
            if (!allowed.Contains(field))
            {
                return Outcome.Refuse($"This portal does not let you change your {field}.");
            }

            p[field] = form[field].ToString().Trim();
        }

        if (AddressParts.Any(part => form.ContainsKey($"address_{part}")))
        {
            if (!allowed.Contains("address"))
            {
                return Outcome.Refuse("This portal does not let you change your address.");
            }

            p["address"] = new JsonObject(AddressParts.Where(part => form.ContainsKey($"address_{part}"))
                .Select(part => KeyValuePair.Create(part, (JsonNode?)form[$"address_{part}"].ToString().Trim())));
        }

        if (p.Count == 0)
        {
            return Outcome.Refuse("Nothing to update.");
        }

        return Outcome.From(customers.Update(session.Str("customer")!, p)) ?? new Outcome("Your billing information has been updated.");
    }

    /// <summary>The customer's subscription; in a subscription flow, only the flow's own.</summary>
    private JsonObject? OwnSubscription(JsonObject session, JsonObject? flow, string id)
    {
        if (flow is not null && flow[flow.Str("type")!].Str("subscription") is { } flowSubscription && flowSubscription != id)
        {
            return null;
        }

        return objects.Get(id, "subscription") is { } subscription && subscription.Str("customer") == session.Str("customer") ? subscription : null;
    }
}
