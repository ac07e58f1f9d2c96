using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Quotes (docs.stripe.com/api/quotes): a draft of line items for a customer, with discounts, tax rates and
/// subscription terms, finalized (<c>open</c>, numbered) and sent, then accepted — which makes the invoice, subscription
/// or subscription schedule through the sandbox's own invoice and subscription code — or canceled, or expired on the
/// clock. Totals come from the shared pricing, discount and tax code (<see cref="StripeQuoteTotals"/>). Events are filed
/// under the quote's id.
/// </summary>
public sealed partial class StripeQuotes(
    ProviderObjects objects, StripeCatalog catalog, StripeCustomers customers, StripeDiscounts discounts, StripeWebhooks webhooks,
    StripeSubscriptions subscriptions, StripeSubscriptionSchedules schedules, StripeStandaloneInvoices invoices)
{
    public const string Type = "quote";
    public const string Path = "/v1/quotes";

    /// <summary>Stripe's default validity of a quote (the quote template's): 30 days from its creation.</summary>
    public const long DefaultValiditySeconds = 30 * 86_400;

    private static readonly HashSet<string> CreateParams =
    [
        "customer", "line_items", "collection_method", "invoice_settings", "description", "header", "footer", "expires_at",
        "discounts", "default_tax_rates", "metadata", "subscription_data", "expand",
    ];

    /// <summary>Stripe's quote parameters whose behaviour the sandbox does not build: refused by name.</summary>
    private static readonly Dictionary<string, string> Unsimulated = new(StringComparer.Ordinal)
    {
        ["application_fee_amount"] = "the sandbox plays no Connect platform",
        ["application_fee_percent"] = "the sandbox plays no Connect platform",
        ["on_behalf_of"] = "the sandbox plays no Connect platform",
        ["transfer_data"] = "the sandbox plays no Connect platform",
        ["automatic_tax"] = "Stripe Tax is not simulated; give `tax_rates` or `default_tax_rates`",
        ["from_quote"] = "cloning and revising quotes is not simulated; create a new quote",
        ["test_clock"] = "a quote follows its customer's test clock; create the customer on the clock",
        ["customer_account"] = "the sandbox's customers are Customer objects",
    };

    private static readonly string[] ScalarParams = ["customer", "collection_method", "description", "header", "footer", "expires_at"];

    private static readonly string[] ObjectParams = ["invoice_settings", "subscription_data"];

    private static readonly HashSet<string> SubscriptionDataParams = ["description", "effective_date", "trial_period_days", "metadata"];

    private static readonly string[] Statuses = ["draft", "open", "accepted", "canceled"];

    private static readonly string[] CollectionMethods = ["charge_automatically", "send_invoice"];

    public JsonObject? Find(string id) => objects.Get(id, Type);

    public StripeResponse Create(JsonObject p)
    {
        if (Refusal(p, CreateParams) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            var customerId = p.Str("customer") is { Length: > 0 } given ? given : null;
            if (customerId is not null && (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null))
            {
                return StripeErrors.NoSuch("customer", customerId, "customer");
            }

            var now = customers.NowFor(customerId);
            var id = StripeJson.NewId("qt");
            var quote = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["amount_subtotal"] = 0,
                ["amount_total"] = 0,
                ["application"] = null,
                ["application_fee_amount"] = null,
                ["application_fee_percent"] = null,
                ["automatic_tax"] = new JsonObject { ["enabled"] = false, ["liability"] = null, ["status"] = null },
                ["collection_method"] = "charge_automatically",
                ["computed"] = null,
                ["created"] = now,
                ["currency"] = null,
                ["customer"] = customerId,
                ["default_tax_rates"] = new JsonArray(),
                ["description"] = null,
                ["discounts"] = new JsonArray(),
                ["expires_at"] = now + DefaultValiditySeconds,
                ["footer"] = null,
                ["from_quote"] = null,
                ["header"] = null,
                ["invoice"] = null,
                ["invoice_settings"] = new JsonObject { ["days_until_due"] = null, ["issuer"] = new JsonObject { ["type"] = "self" } },
                ["livemode"] = false,
                ["metadata"] = new JsonObject(),
                ["number"] = null,
                ["on_behalf_of"] = null,
                ["status"] = "draft",
                ["status_transitions"] = new JsonObject { ["accepted_at"] = null, ["canceled_at"] = null, ["finalized_at"] = null },
                ["subscription"] = null,
                ["subscription_data"] = new JsonObject { ["description"] = null, ["effective_date"] = null, ["metadata"] = null, ["trial_period_days"] = null },
                ["subscription_schedule"] = null,
                ["test_clock"] = customers.TestClockOf(customerId)?.Str("id"),
                ["total_details"] = null,
                ["transfer_data"] = null,
                ["_lines"] = new JsonArray(),
            };
            if (Change(quote, p, now) is { } bad)
            {
                return bad;
            }

            objects.Put(quote);
            webhooks.Send(id, [new StripeEvent("quote.created", StripeLists.Public(quote))]);
            return StripeResponse.Ok(View(quote, p));
        });
    }

    /// <summary>A draft's fields, any of them; an open quote's <c>expires_at</c> and <c>metadata</c> only; nothing once accepted or canceled.</summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (Refusal(p, CreateParams) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } quote)
            {
                return StripeErrors.NoSuch(Type, id, "quote");
            }

            var status = quote.Str("status")!;
            if (status != "draft" && p.Select(kv => kv.Key).FirstOrDefault(k => status != "open" || k is not ("expires_at" or "metadata" or "expand")) is { } locked)
            {
                return status == "open"
                    ? StripeErrors.InvalidParam($"You can only update `expires_at` and `metadata` on a finalized quote: `{locked}` can only be changed while the quote is a draft.", locked)
                    : StripeErrors.InvalidParam($"This quote cannot be updated because it has a status of `{status}`.", null);
            }

            if (p.Str("customer") is { Length: > 0 } customerId && customerId != quote.Str("customer"))
            {
                if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
                {
                    return StripeErrors.NoSuch("customer", customerId, "customer");
                }

                quote["customer"] = customerId;
                quote["test_clock"] = customers.TestClockOf(customerId)?.Str("id");
            }

            if (Change(quote, p, customers.NowFor(quote.Str("customer"))) is { } bad)
            {
                return bad;
            }

            objects.Put(quote);
            return StripeResponse.Ok(View(quote, p));
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        Find(id) is { } quote ? StripeResponse.Ok(View(quote, query)) : StripeErrors.NoSuch(Type, id, "quote");

    /// <summary>Newest first: <c>customer</c>, <c>status</c>, <c>test_clock</c>, paging both ways.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (query.Str("status") is { } status && !Statuses.Contains(status))
        {
            return StripeErrors.InvalidParam($"Invalid status: must be one of {string.Join(", ", Statuses)}", "status");
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(q =>
            (query.Str("customer") is not { } customer || q.Str("customer") == customer)
            && (query.Str("status") is not { } wanted || q.Str("status") == wanted)
            && (query.Str("test_clock") is not { } clock || q.Str("test_clock") == clock)), query, q => View(q, null));
    }

    /// <summary><c>GET /v1/quotes/{id}/line_items</c>: every line with its discount and taxes, in the order given.</summary>
    public StripeResponse LineItems(string id, JsonObject query) =>
        Find(id) is { } quote ? Lines($"{Path}/{id}/line_items", StripeQuoteTotals.Items(quote, upfrontOnly: false), query) : StripeErrors.NoSuch(Type, id, "quote");

    /// <summary><c>GET /v1/quotes/{id}/computed_upfront_line_items</c>: the lines the first invoice charges.</summary>
    public StripeResponse UpfrontLineItems(string id, JsonObject query) =>
        Find(id) is { } quote ? Lines($"{Path}/{id}/computed_upfront_line_items", StripeQuoteTotals.Items(quote, upfrontOnly: true), query) : StripeErrors.NoSuch(Type, id, "quote");

    /// <summary>A quote's lines are a list in their own order (oldest first), paged by <c>starting_after</c> and <c>ending_before</c>.</summary>
    private static StripeResponse Lines(string url, IReadOnlyList<JsonObject> items, JsonObject query) =>
        StripeLists.Page(url, after => after is null ? items : items.SkipWhile(i => i.Str("id") != after).Skip(1), query, i => i);

    /// <summary>The quote as Stripe shows it: <c>line_items</c> and <c>computed.upfront.line_items</c> only when expanded.</summary>
    private static JsonObject View(JsonObject quote, JsonObject? query)
    {
        var view = StripeLists.Public(quote);
        if (StripeCatalog.Expands(query, "line_items"))
        {
            view["line_items"] = StripeJson.List($"{Path}/{quote.Str("id")}/line_items", StripeQuoteTotals.Items(quote, upfrontOnly: false), false);
        }

        if (StripeCatalog.Expands(query, "computed.upfront.line_items") && view["computed"]?["upfront"] is JsonObject upfront)
        {
            upfront["line_items"] = StripeJson.List($"{Path}/{quote.Str("id")}/computed_upfront_line_items", StripeQuoteTotals.Items(quote, upfrontOnly: true), false);
        }

        return view;
    }

    /// <summary>An unknown parameter (<c>parameter_unknown</c>) or one the sandbox does not build, by name.</summary>
    private static StripeResponse? Refusal(JsonObject p, IReadOnlySet<string> allowed)
    {
        if (p.Select(kv => kv.Key).FirstOrDefault(Unsimulated.ContainsKey) is { } unsimulated)
        {
            return StripeErrors.NotSimulated(unsimulated, Unsimulated[unsimulated]);
        }

        if (StripeLists.Unknown(p, allowed) is { } unknown)
        {
            return unknown;
        }

        if (ScalarParams.FirstOrDefault(k => p[k] is not (null or JsonValue)) is { } notScalar)
        {
            return StripeErrors.InvalidParam($"Invalid {notScalar}: it must be a string", notScalar);
        }

        if (ObjectParams.FirstOrDefault(k => p[k] is not (null or JsonObject)) is { } notObject)
        {
            return StripeErrors.InvalidParam("Invalid object", notObject);
        }

        if ((p["subscription_data"] as JsonObject)?.FirstOrDefault(kv => kv.Key != "metadata" && kv.Value is not (null or JsonValue)) is { Key: { } nested })
        {
            return StripeErrors.InvalidParam($"Invalid subscription_data[{nested}]: it must be a string", $"subscription_data[{nested}]");
        }

        if (p["subscription_data"] is JsonObject data && data.Select(kv => kv.Key).FirstOrDefault(k => !SubscriptionDataParams.Contains(k)) is { } other)
        {
            return StripeErrors.NotSimulated($"subscription_data[{other}]", "a quote's subscription takes `description`, `effective_date`, `trial_period_days` and `metadata` in the sandbox");
        }

        return p["invoice_settings"] is JsonObject settings && settings.Select(kv => kv.Key).FirstOrDefault(k => k != "days_until_due") is { } setting
            ? StripeErrors.NotSimulated($"invoice_settings[{setting}]", "a quote's invoices take `days_until_due` in the sandbox")
            : null;
    }
}
