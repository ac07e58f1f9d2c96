using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// One-off invoices (docs.stripe.com/api/invoices, <c>billing_reason: manual</c>): a draft made with <c>POST
/// /v1/invoices</c>, filled with invoice items (<c>invoice=in_…</c>, or the customer's pending ones with
/// <c>pending_invoice_items_behavior=include</c>), changed or deleted while it is a draft, then finalized, paid, sent,
/// voided or marked uncollectible (<see cref="StripeStandaloneInvoices"/>' lifecycle part). Their events are filed under
/// the invoice's id.
/// </summary>
public sealed partial class StripeStandaloneInvoices(
    SandboxContext context, ProviderObjects objects, StripeCustomers customers, StripePaymentMethods methods, StripeDiscounts discounts, StripePaymentIntents intents, StripeWebhooks webhooks)
{
    public const string Path = "/v1/invoices";

    /// <summary>How long after its creation an <c>auto_advance</c> draft is finalized, as Stripe's default grace period.</summary>
    public const long FinalizeAfterSeconds = 3600;

    /// <summary>The furthest a <c>due_date</c> may lie: Stripe allows five years.</summary>
    private const long MaxDueSeconds = 5 * 365 * 86_400;

    private static readonly HashSet<string> CreateParams =
    [
        "customer", "auto_advance", "collection_method", "days_until_due", "due_date", "description", "metadata", "currency",
        "default_payment_method", "pending_invoice_items_behavior", "discounts", "default_tax_rates", "expand",
    ];

    private static readonly HashSet<string> UpdateParams =
        ["auto_advance", "collection_method", "days_until_due", "due_date", "description", "metadata", "default_payment_method", "discounts", "default_tax_rates", "expand"];

    /// <summary>What a finalized invoice still lets change.</summary>
    private static readonly HashSet<string> FinalizedUpdates = ["auto_advance", "description", "metadata", "expand"];

    private static readonly string[] Statuses = ["draft", "open", "paid", "uncollectible", "void"];

    /// <summary>A live (not deleted) invoice, subscription or standalone; null when there is none.</summary>
    public JsonObject? Find(string id) => objects.Get(id, "invoice") is { } invoice && invoice["_deleted"] is null ? invoice : null;

    public StripeResponse Retrieve(string id) => Find(id) is { } invoice ? StripeResponse.Ok(StripeLists.Public(invoice)) : StripeErrors.NoSuch("invoice", id, "id");

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("customer") is not { Length: > 0 } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "auto_advance", out var autoAdvance, out error))
        {
            return error!;
        }

        var behavior = p.Str("pending_invoice_items_behavior") ?? "exclude";
        if (behavior is not ("include" or "exclude"))
        {
            return StripeErrors.InvalidParam($"Invalid pending_invoice_items_behavior: must be one of include or exclude", "pending_invoice_items_behavior");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", customerId, "customer");
            }

            var now = customers.NowFor(customerId);
            var currency = p.Str("currency") ?? customer.Str("currency") ?? "usd";
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
            {
                return StripeErrors.InvalidParam($"Invalid currency: {StripeLists.Clip(currency)}. Stripe currencies are three-letter ISO codes in lowercase.", "currency");
            }

            var id = StripeJson.NewId("in");
            var invoice = StripeInvoicing.Skeleton(id, customer, currency, now, "manual");
            invoice["auto_advance"] = autoAdvance ?? false;
            invoice["automatically_finalizes_at"] = autoAdvance == true ? now + FinalizeAfterSeconds : null;
            invoice["description"] = p.Str("description") is { Length: > 0 } description ? description : null;
            invoice["metadata"] = metadata;
            var included = behavior == "exclude" ? [] : objects.Newest(StripeInvoiceItems.Type).Where(i => i["_deleted"] is null && i.Str("invoice") is null
                && i.Str("customer") == customerId && i.Str("currency") == currency && StripeInvoiceItems.SubscriptionOf(i) is null).Reverse().ToList();

            // A discount is checked against the lines the draft starts with.
            invoice["lines"] = StripeJson.List($"/v1/invoices/{id}/lines", included.Select(i => (JsonNode)StripeInvoicing.ItemLine(i, id)), false);
            if (Change(invoice, p, customerId) is { } refused)
            {
                return refused;
            }

            foreach (var item in included)
            {
                item["invoice"] = id;
                objects.Put(item);
            }

            StripeInvoicing.Recompute(objects, invoice);
            objects.Put(invoice);
            webhooks.Send(id, [new StripeEvent("invoice.created", StripeLists.Public(invoice))]);
            return StripeResponse.Ok(StripeLists.Public(invoice));
        });
    }

    /// <summary>
    /// A draft's fields, any of them; a finalized invoice's <c>metadata</c>, <c>description</c> and (while it is open)
    /// <c>auto_advance</c> only. <c>invoice.updated</c> carries what changed.
    /// </summary>
    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error) || !StripeLists.TryBool(p, "auto_advance", out var autoAdvance, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } invoice)
            {
                return StripeErrors.NoSuch("invoice", id, "id");
            }

            var status = invoice.Str("status");
            if (status != "draft" && p.Select(kv => kv.Key).FirstOrDefault(k => !FinalizedUpdates.Contains(k) || (k == "auto_advance" && status != "open")) is { } locked)
            {
                return StripeErrors.InvalidParam($"Finalized invoices can't be updated in this way: {locked} can only be changed while the invoice is a draft.", locked, "invoice_not_editable");
            }

            // A subscription's draft (a renewal held while its collection was paused) keeps the lines its renewal gave it.
            var subscriptionDraft = status == "draft" && invoice["parent"] is not null;
            if (subscriptionDraft && p.Select(kv => kv.Key).FirstOrDefault(k => !FinalizedUpdates.Contains(k)) is { } held)
            {
                return StripeErrors.InvalidParam($"`{held}` is not simulated by the sandbox on a subscription's draft invoice: only auto_advance, description and metadata change on it.", held);
            }

            var before = StripeLists.Public(invoice);
            if (status == "draft" && !subscriptionDraft && Change(invoice, p, invoice.Str("customer")!) is { } refused)
            {
                return refused;
            }

            if (p["description"] is not null)
            {
                invoice["description"] = p.Str("description") is { Length: > 0 } description ? description : null;
            }

            if (autoAdvance is { } advance)
            {
                invoice["auto_advance"] = advance;
                invoice["automatically_finalizes_at"] = advance && status == "draft" ? invoice["created"]!.GetValue<long>() + FinalizeAfterSeconds : null;
                // Retries of a failed automatic payment stop with automatic collection.
                invoice["next_payment_attempt"] = advance ? invoice["next_payment_attempt"]?.DeepClone() : null;
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(invoice, metadata, new JsonObject());
            }

            if (status == "draft" && !subscriptionDraft)
            {
                StripeInvoicing.Recompute(objects, invoice);
            }

            return StripeResponse.Ok(StoreUpdated(invoice, before));
        });
    }

    /// <summary>Stores a changed invoice and sends <c>invoice.updated</c> with what differs from <paramref name="before"/>; its public view.</summary>
    public JsonObject StoreUpdated(JsonObject invoice, JsonObject before)
    {
        objects.Put(invoice);
        var after = StripeLists.Public(invoice);
        var previous = new JsonObject();
        foreach (var (key, value) in before.Where(kv => !JsonNode.DeepEquals(kv.Value, after[kv.Key])))
        {
            previous[key] = value?.DeepClone();
        }

        webhooks.Send(invoice.Str("id")!, [new StripeEvent("invoice.updated", after, previous)]);
        return after;
    }

    /// <summary>Deletes a draft (its invoice items go with it): <c>{id, object, deleted: true}</c> and <c>invoice.deleted</c>.</summary>
    public StripeResponse Delete(string id) => objects.Atomically(() =>
    {
        if (Find(id) is not { } invoice)
        {
            return StripeErrors.NoSuch("invoice", id, "id");
        }

        if (invoice.Str("status") != "draft")
        {
            return StripeErrors.InvalidParam($"You can only delete draft invoices. This invoice is {invoice.Str("status")}: void it instead if it is open.", null, "invoice_not_editable");
        }

        foreach (var item in objects.Newest(StripeInvoiceItems.Type).Where(i => i["_deleted"] is null && i.Str("invoice") == id))
        {
            item["_deleted"] = true;
            objects.Put(item);
        }

        invoice["_deleted"] = true;
        objects.Put(invoice);
        webhooks.Send(id, [new StripeEvent("invoice.deleted", StripeLists.Public(invoice))]);
        return StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = "invoice", ["deleted"] = true });
    });

    /// <summary>Every invoice (subscription ones too), newest first: <c>customer</c>, <c>status</c>, <c>subscription</c>, <c>collection_method</c>.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (query.Str("status") is { } status && !Statuses.Contains(status))
        {
            return StripeErrors.InvalidParam($"Invalid status: must be one of {string.Join(", ", Statuses)}", "status");
        }

        if (query.Str("collection_method") is { } method && method is not ("charge_automatically" or "send_invoice"))
        {
            return StripeErrors.InvalidParam("Invalid collection_method: must be one of charge_automatically or send_invoice", "collection_method");
        }

        return StripeLists.Page(Path, after => objects.Newest("invoice", after).Where(i => i["_deleted"] is null
            && (query.Str("customer") is not { } customer || i.Str("customer") == customer)
            && (query.Str("status") is not { } wanted || i.Str("status") == wanted)
            && (query.Str("collection_method") is not { } collection || i.Str("collection_method") == collection)
            && (query.Str("subscription") is not { } subscription || i["parent"]?["subscription_details"].Str("subscription") == subscription)), query);
    }

    /// <summary>
    /// The fields a create or a draft's update sets: <c>collection_method</c> with <c>days_until_due</c> or
    /// <c>due_date</c> (only and always for <c>send_invoice</c>), <c>default_payment_method</c> (one of the customer's),
    /// <c>discounts</c>.
    /// </summary>
    private StripeResponse? Change(JsonObject invoice, JsonObject p, string customerId)
    {
        var collection = p.Str("collection_method") ?? invoice.Str("collection_method")!;
        if (collection is not ("charge_automatically" or "send_invoice"))
        {
            return StripeErrors.InvalidParam("Invalid collection_method: must be one of charge_automatically or send_invoice", "collection_method");
        }

        if (p["days_until_due"] is not null && p["due_date"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: days_until_due, due_date.", "days_until_due");
        }

        var created = invoice["created"]!.GetValue<long>();
        long? due = collection == "send_invoice" && p["collection_method"] is null ? invoice["due_date"]?.GetValue<long>() : null;
        if (p["days_until_due"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("days_until_due"), out var days) || days is < 0 or > 1825)
            {
                return StripeErrors.InvalidParam("This value must be greater than or equal to 0 and less than or equal to 1825.", "days_until_due");
            }

            due = created + (days * 86_400);
        }
        else if (p["due_date"] is not null)
        {
            if (!StripeJson.TryLong(p.Str("due_date"), out var date) || date < customers.NowFor(customerId) || date > created + MaxDueSeconds)
            {
                return StripeErrors.InvalidParam("Invalid due_date: it must be in the future and no more than 5 years away.", "due_date");
            }

            due = date;
        }

        if (due is not null && collection != "send_invoice")
        {
            return StripeErrors.InvalidParam("Invoices with collection_method=charge_automatically cannot have a due date: days_until_due and due_date are only for collection_method=send_invoice.", p["days_until_due"] is null ? "due_date" : "days_until_due");
        }

        if (due is null && collection == "send_invoice")
        {
            return StripeErrors.InvalidParam("Invoices with collection_method=send_invoice must have either a due_date or days_until_due set.", "days_until_due");
        }

        if (p.Str("default_payment_method") is { Length: > 0 } methodId && methods.CheckSaved(methodId, customerId, "default_payment_method") is { } notSaved)
        {
            return notSaved;
        }

        if (p["discounts"] is not null && ReadDiscount(invoice, p["discounts"], customerId) is { } badDiscount)
        {
            return badDiscount;
        }

        if (StripeInvoicing.SetRates(objects, invoice, p, "default_tax_rates") is { } badRates)
        {
            return badRates;
        }

        invoice["collection_method"] = collection;
        invoice["due_date"] = due;
        if (p["default_payment_method"] is not null)
        {
            invoice["default_payment_method"] = p.Str("default_payment_method") is { Length: > 0 } chosen ? chosen : null;
        }

        return null;
    }

    /// <summary>
    /// <c>discounts</c>: a coupon or promotion code checked as a subscription's is (against the draft's lines now; an
    /// empty draft's only by its currency and validity, so a coupon for certain products is refused there) and
    /// redeemed when it joins the invoice; an empty value removes the draft's discounts.
    /// </summary>
    private StripeResponse? ReadDiscount(JsonObject invoice, JsonNode? node, string customerId)
    {
        // An empty draft is checked as one line of no product, so a coupon for certain products is refused on it.
        List<(string?, long)> lines = [.. ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>()
            .Select(l => (l["pricing"]?["price_details"].Str("product"), l["amount"]!.GetValue<long>()))];
        if (lines.Count == 0)
        {
            lines.Add((null, 0));
        }

        if (discounts.Read(node, customerId, lines, invoice.Str("currency")!, out var discount) is { } refused)
        {
            return refused;
        }

        invoice["_discounts"] = new JsonArray();
        if (discount is not null)
        {
            discount["invoice"] = invoice.Str("id");
            discount["customer"] = customerId;
            discount["start"] = invoice["created"]!.DeepClone();
            discounts.Redeem(discount);
            invoice["_discounts"] = new JsonArray(discount.Str("id"));
        }

        return null;
    }
}
