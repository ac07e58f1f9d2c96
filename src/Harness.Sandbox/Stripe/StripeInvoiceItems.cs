using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Invoice items (docs.stripe.com/api/invoiceitems): pending charges or credits of a customer, made through the API or
/// by a subscription change's prorations, that the customer's next subscription invoice sweeps in as lines
/// (<see cref="StripeInvoicing.Sweep"/>), or that join a standalone draft named by <c>invoice</c>. Only pending items
/// (<c>invoice: null</c>) and those on a draft change or are deleted; a draft's totals follow its items.
/// </summary>
public sealed partial class StripeInvoiceItems(ProviderObjects objects, StripeCatalog catalog, StripeCustomers customers, StripeWebhooks webhooks)
{
    public const string Type = "invoiceitem";
    public const string Path = "/v1/invoiceitems";

    /// <summary>Stripe's largest amount: eight digits of minor units.</summary>
    private const long MaxAmount = 99_999_999;
    private const long MaxQuantity = 999_999;

    private static readonly HashSet<string> CreateParams =
        ["customer", "amount", "currency", "price", "pricing", "quantity", "description", "subscription", "invoice", "metadata", "discountable", "tax_rates", "expand"];

    private static readonly HashSet<string> UpdateParams = ["amount", "quantity", "description", "metadata", "discountable", "tax_rates", "expand"];

    /// <summary>What an invoice item is made of; <see cref="New"/> makes the object.</summary>
    public sealed record Draft(string Customer, string Currency, long Amount, long Quantity, string? Description, long Date, long PeriodStart, long PeriodEnd)
    {
        public JsonObject? Price { get; init; }

        public string? Subscription { get; init; }

        public string? SubscriptionItem { get; init; }

        public bool Proration { get; init; }

        public string? TestClock { get; init; }

        public JsonObject? Metadata { get; init; }

        public bool Discountable { get; init; } = true;
    }

    /// <summary>A pending invoice item as Stripe shows it (current API versions: <c>parent</c> and <c>pricing</c>).</summary>
    public static JsonObject New(Draft d) => new()
    {
        ["id"] = StripeJson.NewId("ii"),
        ["object"] = Type,
        ["amount"] = d.Amount,
        ["currency"] = d.Currency,
        ["customer"] = d.Customer,
        ["date"] = d.Date,
        ["description"] = d.Description,
        ["discountable"] = d.Discountable && !d.Proration,
        ["discounts"] = new JsonArray(),
        ["invoice"] = null,
        ["livemode"] = false,
        ["metadata"] = d.Metadata?.DeepClone() ?? new JsonObject(),
        ["parent"] = d.Subscription is null ? null : new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject { ["subscription"] = d.Subscription, ["subscription_item"] = d.SubscriptionItem },
        },
        ["period"] = new JsonObject { ["end"] = d.PeriodEnd, ["start"] = d.PeriodStart },
        ["pricing"] = Pricing(d.Price),
        ["proration"] = d.Proration,
        ["proration_details"] = new JsonObject { ["credited_items"] = null, ["discount_amounts"] = new JsonArray() },
        ["quantity"] = d.Quantity,
        ["tax_rates"] = new JsonArray(),
        ["test_clock"] = d.TestClock,
    };

    /// <summary>An item's <c>pricing</c>: the price it is of (a tiered one has no unit amount), null for one given by its amount.</summary>
    private static JsonObject? Pricing(JsonObject? price) => price is null ? null : new JsonObject
    {
        ["type"] = "price_details",
        ["price_details"] = new JsonObject { ["price"] = price.Str("id"), ["product"] = price.Str("product") },
        ["unit_amount_decimal"] = price["unit_amount"] is JsonValue unit ? unit.GetValue<long>().ToString(CultureInfo.InvariantCulture) : null,
    };

    /// <summary>
    /// Makes a pending item one of <paramref name="subscription"/>'s, as an item added by the subscription is, and dates it:
    /// the <c>period</c> its <c>add_invoice_items</c> entry asked for (<see cref="PeriodAsked"/>), by default the
    /// subscription's current period (<c>max_item_period_start</c> to <c>min_item_period_end</c>).
    /// </summary>
    public static void Attach(JsonObject item, JsonObject subscription)
    {
        item["parent"] = new JsonObject
        {
            ["type"] = "subscription_details",
            ["subscription_details"] = new JsonObject { ["subscription"] = subscription.Str("id"), ["subscription_item"] = null },
        };
        var asked = item[PeriodAsked] as JsonObject;
        long Bound(string side, string current) => asked?[side].Str("type") switch
        {
            "timestamp" => asked[side]!["timestamp"]!.GetValue<long>(),
            "now" => item["date"]!.GetValue<long>(),
            _ => subscription[current]!.GetValue<long>(),
        };

        item["period"] = new JsonObject { ["end"] = Bound("end", "current_period_end"), ["start"] = Bound("start", "current_period_start") };
        item.Remove(PeriodAsked);
    }

    /// <summary>The subscription an item is for, when it names one.</summary>
    public static string? SubscriptionOf(JsonObject item) => item["parent"]?["subscription_details"].Str("subscription");

    /// <summary>A live (not deleted) invoice item; null when there is none.</summary>
    public JsonObject? Find(string id) => objects.Get(id, Type) is { } item && item["_deleted"] is null ? item : null;

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("customer") is not { } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "discountable", out var discountable, out error))
        {
            return error!;
        }

        var priceParam = p["pricing"] is not null ? "pricing[price]" : "price";
        var priceId = p["pricing"] is not null ? (p["pricing"] as JsonObject).Str("price") : p.Str("price");
        if (p["pricing"] is not null && priceId is null)
        {
            return StripeErrors.Missing("pricing[price]");
        }

        if (p["pricing"] is not null && p["price"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: price, pricing.", "price");
        }

        if (priceId is not null && p["amount"] is not null)
        {
            return StripeErrors.InvalidParam($"You may only specify one of these parameters: amount, {priceParam}.", "amount");
        }

        if (priceId is null && p["amount"] is null)
        {
            return StripeErrors.Missing("amount");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", customerId, "customer");
            }

            if (priceId is not null && catalog.UnpurchasableOneTime(priceId, priceParam) is { } refused)
            {
                return refused;
            }

            if (Read(p, priceId, priceParam, out var amount, out var quantity, out var currency, out var price) is { } bad)
            {
                return bad;
            }

            JsonObject? subscription = null;
            if (p.Str("subscription") is { } subscriptionId)
            {
                subscription = objects.Get(subscriptionId, "subscription");
                if (subscription is null || subscription.Str("customer") != customerId)
                {
                    return subscription is null
                        ? StripeErrors.NoSuch("subscription", subscriptionId, "subscription")
                        : StripeErrors.InvalidParam($"The subscription {subscriptionId} belongs to another customer than {customerId}.", "subscription");
                }

                if (subscription.Str("currency") != currency)
                {
                    return StripeErrors.InvalidParam($"The currency of this invoice item ({currency}) must match the subscription's ({subscription.Str("currency")}).", "currency");
                }
            }

            var draft = p.Str("invoice") is { } invoiceId ? objects.Get(invoiceId, "invoice") : null;
            if (p.Str("invoice") is { } named && OnDraft(draft, named, customerId, currency, subscription) is { } notDraft)
            {
                return notDraft;
            }

            var now = customers.NowFor(customerId);
            var item = New(new Draft(customerId, currency, amount, quantity, p.Str("description"), now, now, now)
            {
                Price = price,
                Subscription = subscription?.Str("id"),
                TestClock = customer.Str("test_clock"),
                Metadata = metadata,
                Discountable = discountable ?? true,
            });
            item["invoice"] = draft?.Str("id");
            if (StripeInvoicing.SetRates(objects, item, p, "tax_rates") is { } badRates)
            {
                return badRates;
            }

            objects.Put(item);
            Recompute(item);
            webhooks.Send(subscription?.Str("id") ?? customerId, [new StripeEvent("invoiceitem.created", StripeLists.Public(item))]);
            return StripeResponse.Ok(StripeLists.Public(item));
        });
    }

    public StripeResponse Retrieve(string id) =>
        Find(id) is { } item ? StripeResponse.Ok(StripeLists.Public(item)) : StripeErrors.NoSuch(Type, id, "id");

    /// <summary><c>customer</c>, <c>invoice</c>, <c>pending</c> (true: not yet on an invoice), paged as Stripe's lists are.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "pending", out var pending, out var error))
        {
            return error!;
        }

        var items = objects.Newest(Type, query.Str("starting_after")).Where(i => i["_deleted"] is null);
        foreach (var filter in new[] { "customer", "invoice" })
        {
            if (query.Str(filter) is { } value)
            {
                items = items.Where(i => i.Str(filter) == value);
            }
        }

        if (pending is { } wanted)
        {
            items = items.Where(i => (i.Str("invoice") is null) == wanted);
        }

        return StripeLists.Page(Path, items, query);
    }

    /// <summary><c>amount</c> (an item without a price), <c>quantity</c> (one with a price), <c>description</c>, <c>metadata</c>, <c>discountable</c>.</summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "discountable", out var discountable, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } item)
            {
                return StripeErrors.NoSuch(Type, id, "id");
            }

            if (NotPending(item) is { } invoiced)
            {
                return invoiced;
            }

            if (Change(item, p, metadata, discountable) is { } bad)
            {
                return bad;
            }

            objects.Put(item);
            Recompute(item);
            return StripeResponse.Ok(StripeLists.Public(item));
        });
    }

    /// <summary>
    /// Changes an item (pending, or on a draft) as <paramref name="p"/> says: <c>amount</c> (an item without a price),
    /// <c>quantity</c> (one with a price), <c>description</c>, <c>metadata</c>, <c>discountable</c>; nothing on a refusal.
    /// The caller stores it.
    /// </summary>
    private StripeResponse? Change(JsonObject item, JsonObject p, JsonObject metadata, bool? discountable)
    {
        var price = item["pricing"]?["price_details"].Str("price") is { } priceId ? catalog.Find(priceId) : null;
        if (p["amount"] is not null && price is not null)
        {
            return StripeErrors.InvalidParam("This invoice item has a price: change its `quantity`, not its `amount`.", "amount");
        }

        if (p["quantity"] is not null && price is null)
        {
            return StripeErrors.InvalidParam("This invoice item has no price: change its `amount`, not its `quantity`.", "quantity");
        }

        if (Read(p, price?.Str("id"), "price", out var amount, out var quantity, out _, out _, item.Str("currency"), item) is { } bad)
        {
            return bad;
        }

        if (StripeInvoicing.SetRates(objects, item, p, "tax_rates") is { } badRates)
        {
            return badRates;
        }

        item["amount"] = amount;
        item["quantity"] = quantity;
        if (p["description"] is not null)
        {
            item["description"] = p.Str("description") is { Length: > 0 } description ? description : null;
        }

        if (discountable is { } flag && item["proration"]!.GetValue<bool>() is false)
        {
            item["discountable"] = flag;
        }

        if (p["metadata"] is not null)
        {
            StripeLists.MergeMetadata(item, metadata, new JsonObject());
        }

        return null;
    }

    /// <summary>Deletes a pending item: <c>{id, object, deleted: true}</c> and <c>invoiceitem.deleted</c>.</summary>
    public StripeResponse Delete(string id) => objects.Atomically(() =>
    {
        if (Find(id) is not { } item)
        {
            return StripeErrors.NoSuch(Type, id, "id");
        }

        if (NotPending(item) is { } invoiced)
        {
            return invoiced;
        }

        item["_deleted"] = true;
        objects.Put(item);
        Recompute(item);
        webhooks.Send(SubscriptionOf(item) ?? item.Str("customer")!, [new StripeEvent("invoiceitem.deleted", StripeLists.Public(item))]);
        return StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = Type, ["deleted"] = true });
    });

    /// <summary>Why an item cannot join <paramref name="named"/>: no such invoice, not a draft, another customer's or currency, or a subscription's item.</summary>
    private static StripeResponse? OnDraft(JsonObject? draft, string named, string customerId, string currency, JsonObject? subscription) =>
        draft is null || draft["_deleted"] is not null ? StripeErrors.NoSuch("invoice", named, "invoice")
        : draft.Str("status") != "draft" ? StripeErrors.InvalidParam($"Invoice {named} is no longer a draft: invoice items can only be added to draft invoices.", "invoice", "invoice_not_editable")
        : draft["parent"] is not null ? StripeErrors.InvalidParam($"Adding invoice items to a subscription's draft invoice ({named}) is not simulated by the sandbox.", "invoice")
        : draft.Str("customer") != customerId ? StripeErrors.InvalidParam($"The invoice {named} belongs to another customer than {customerId}.", "invoice")
        : draft.Str("currency") != currency ? StripeErrors.InvalidParam($"The currency of this invoice item ({currency}) must match the invoice's ({draft.Str("currency")}).", "currency")
        : subscription is not null ? StripeErrors.InvalidParam("You may only specify one of these parameters: invoice, subscription.", "invoice")
        : null;

    /// <summary>The standalone draft an item is on, its lines and totals again after the item changed.</summary>
    private void Recompute(JsonObject item)
    {
        if (item.Str("invoice") is { } invoiceId && objects.Get(invoiceId, "invoice") is { } invoice && invoice.Str("status") == "draft")
        {
            StripeInvoicing.Recompute(objects, invoice);
            objects.Put(invoice);
        }
    }

    /// <summary>An item on a finalized invoice no longer changes; one on a standalone draft does (on a subscription's draft it is not simulated).</summary>
    private StripeResponse? NotPending(JsonObject item) =>
        item.Str("invoice") is not { } invoice ? null
        : objects.Get(invoice, "invoice") is not { } on || on.Str("status") != "draft"
            ? StripeErrors.InvalidParam($"This invoice item is already on invoice {invoice}, which is finalized: only pending invoice items can be changed or deleted.", null, "invoice_not_editable")
        : on["parent"] is not null ? StripeErrors.InvalidParam($"Changing an invoice item on a subscription's draft invoice ({invoice}) is not simulated by the sandbox.", null)
        : null;

    /// <summary>
    /// An item's amount: <c>amount</c> (any sign, at most eight digits) with <c>currency</c>, or a price's unit amount ×
    /// <c>quantity</c> (1–999,999; only with a price). On an update, <paramref name="current"/> gives what is not changed.
    /// </summary>
    private StripeResponse? Read(
        JsonObject p, string? priceId, string priceParam, out long amount, out long quantity, out string currency, out JsonObject? price, string? fixedCurrency = null, JsonObject? current = null)
    {
        amount = current?["amount"]!.GetValue<long>() ?? 0;
        quantity = current?["quantity"]!.GetValue<long>() ?? 1;
        currency = fixedCurrency ?? p.Str("currency") ?? "";
        price = null;
        if (p["quantity"] is not null && (!StripeJson.TryLong(p.Str("quantity"), out quantity) || quantity is < 1 or > MaxQuantity))
        {
            return StripeErrors.InvalidParam($"This value must be greater than or equal to 1 and less than or equal to {MaxQuantity}.", "quantity");
        }

        if (priceId is not null)
        {
            if (catalog.Find(priceId) is not { } found)
            {
                return StripeErrors.NoSuch("price", priceId, priceParam);
            }

            if (fixedCurrency is null && p.Str("currency") is { } given && given != found.Str("currency"))
            {
                return StripeErrors.InvalidParam($"The currency ({given}) must match the price's ({found.Str("currency")}).", "currency");
            }

            price = found;
            currency = found.Str("currency")!;
            amount = StripeTiers.Amount(found, quantity);
            return null;
        }

        if (p["quantity"] is not null && current is null)
        {
            return StripeErrors.InvalidParam("`quantity` goes with `pricing[price]`: an item given by `amount` is that whole amount.", "quantity");
        }

        if (p["amount"] is not null && (!StripeJson.TryLong(p.Str("amount"), out amount) || Math.Abs(amount) > MaxAmount))
        {
            return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(p.Str("amount") ?? "")} (an amount has at most eight digits).", "amount");
        }

        if (fixedCurrency is null)
        {
            if (p["currency"] is null)
            {
                return StripeErrors.Missing("currency");
            }

            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
            {
                return StripeErrors.InvalidParam($"Invalid currency: {StripeLists.Clip(currency)}. Stripe currencies are three-letter ISO codes in lowercase.", "currency");
            }
        }

        return null;
    }
}
