using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// An invoice's lines (docs.stripe.com/api/invoice-line-item): listed for any invoice, and on a standalone draft added
/// (<c>add_lines</c>), changed (<c>update_lines</c>, or one line) and removed (<c>remove_lines</c>). A draft's lines are
/// its invoice items (<see cref="StripeInvoiceItems"/>), so its totals are recomputed from them as an item's change
/// does; each request is one <c>invoice.updated</c>. Every line of a request is checked before any is stored.
/// </summary>
public sealed class StripeInvoiceLines(ProviderObjects objects, StripeInvoiceItems items, StripeStandaloneInvoices standalone, StripeWebhooks webhooks)
{
    private static readonly HashSet<string> BatchParams = ["lines", "invoice_metadata", "expand"];

    /// <summary>Line fields Stripe takes that the sandbox does not simulate: refused by name rather than ignored.</summary>
    private static readonly HashSet<string> Unsimulated = ["discounts", "margins", "quantity_decimal", "tax_amounts"];

    private static readonly HashSet<string> AddFields = [.. StripeInvoiceItems.LineFields, "invoice_item"];
    private static readonly HashSet<string> UpdateFields = [.. StripeInvoiceItems.LineFields, "id"];
    private static readonly HashSet<string> RemoveFields = ["id", "behavior"];
    private static readonly HashSet<string> LineParams = [.. StripeInvoiceItems.LineFields, "expand"];

    /// <summary>The invoice's lines in its order, paged with <c>limit</c>, <c>starting_after</c> and <c>ending_before</c>.</summary>
    public StripeResponse List(string id, JsonObject query)
    {
        if (standalone.Find(id) is not { } invoice)
        {
            return StripeErrors.NoSuch("invoice", id, "invoice");
        }

        var lines = ((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>().ToList();
        return StripeLists.Page($"/v1/invoices/{id}/lines", after => after is null ? lines : lines.SkipWhile(l => l.Str("id") != after).Skip(1), query);
    }

    /// <summary><c>lines[n]</c>: a pending <c>invoice_item</c> to assign, or a new item's fields.</summary>
    public StripeResponse Add(string id, JsonObject p) => Batch(id, p, AddFields, (invoice, line, writes) =>
    {
        var refused = line["invoice_item"] is not null
            ? items.AssignToDraft(line, invoice, out var item)
            : items.NewOnDraft(line, invoice, out item);
        if (refused is null)
        {
            writes.Add((item!, line["invoice_item"] is null ? "invoiceitem.created" : null));
        }

        return refused;
    });

    /// <summary><c>lines[n][id]</c> with the fields to change on that line.</summary>
    public StripeResponse Update(string id, JsonObject p) => Batch(id, p, UpdateFields, (invoice, line, writes) =>
    {
        if (line.Str("id") is not { } lineId)
        {
            return StripeErrors.Missing("id");
        }

        if (ItemOf(invoice, lineId, writes) is not { } item)
        {
            return StripeErrors.NoSuch("line item", lineId, "id");
        }

        var refused = items.ChangeLine(item, line);
        if (refused is null)
        {
            writes.Add((item, null));
        }

        return refused;
    });

    /// <summary><c>lines[n][id]</c> with <c>behavior</c>: <c>delete</c> deletes its item, <c>unassign</c> makes it pending again.</summary>
    public StripeResponse Remove(string id, JsonObject p) => Batch(id, p, RemoveFields, (invoice, line, writes) =>
    {
        if (line.Str("id") is not { } lineId)
        {
            return StripeErrors.Missing("id");
        }

        if (line.Str("behavior") is not { } behavior)
        {
            return StripeErrors.Missing("behavior");
        }

        if (behavior is not ("delete" or "unassign"))
        {
            return StripeErrors.InvalidParam("Invalid behavior: must be one of delete or unassign", "behavior");
        }

        if (ItemOf(invoice, lineId, writes) is not { } item)
        {
            return StripeErrors.NoSuch("line item", lineId, "id");
        }

        item.Remove("_line");
        item["invoice"] = null;
        if (behavior == "delete")
        {
            item["_deleted"] = true;
        }

        writes.Add((item, behavior == "delete" ? "invoiceitem.deleted" : null));
        return null;
    });

    /// <summary><c>POST /v1/invoices/{id}/lines/{line_item_id}</c>: one line's fields; the line as it then is.</summary>
    public StripeResponse UpdateOne(string id, string lineId, JsonObject p)
    {
        if (StripeLists.Unknown(p, LineParams) is { } unknown)
        {
            return Unsimulated.Contains(unknown.Body["error"].Str("param")!) ? NotSimulated(unknown.Body["error"].Str("param")!) : unknown;
        }

        return objects.Atomically(() =>
        {
            if (Draft(id, out var invoice) is { } refused)
            {
                return refused;
            }

            if (ItemOf(invoice!, lineId, []) is not { } item)
            {
                return StripeErrors.NoSuch("line item", lineId, "line_item_id");
            }

            if (items.ChangeLine(item, p) is { } bad)
            {
                return bad;
            }

            Store(invoice!, [(item, null)], null);
            return StripeResponse.Ok(((JsonArray)invoice!["lines"]!["data"]!).OfType<JsonObject>().First(l => l.Str("id") == lineId).DeepClone().AsObject());
        });
    }

    /// <summary>
    /// One of the batch endpoints: <c>lines</c> (each checked by <paramref name="line"/>, which names what to store and
    /// the item event to send), then <c>invoice_metadata</c> merged into the invoice's; the invoice as it then is.
    /// </summary>
    private StripeResponse Batch(string id, JsonObject p, HashSet<string> fields, Func<JsonObject, JsonObject, List<(JsonObject Item, string? Event)>, StripeResponse?> line)
    {
        if (StripeLists.Unknown(p, BatchParams) is { } unknown)
        {
            return unknown;
        }

        if (p["lines"] is not JsonArray { Count: > 0 } lines || lines.Any(l => l is not JsonObject))
        {
            return p["lines"] is null ? StripeErrors.Missing("lines") : StripeErrors.InvalidParam("Invalid array", "lines");
        }

        if (!StripeLists.TryMetadata(new JsonObject { ["metadata"] = p["invoice_metadata"]?.DeepClone() }, out var metadata, out var error))
        {
            return Within(error!, "invoice_metadata", replace: true);
        }

        for (var n = 0; n < lines.Count; n++)
        {
            if (((JsonObject)lines[n]!).Select(kv => kv.Key).FirstOrDefault(k => !fields.Contains(k)) is { } field)
            {
                return Unsimulated.Contains(field) ? NotSimulated($"lines[{n}][{field}]")
                    : StripeErrors.InvalidParam($"Received unknown parameter: lines[{n}][{field}]", $"lines[{n}][{field}]", "parameter_unknown");
            }
        }

        return objects.Atomically(() =>
        {
            if (Draft(id, out var invoice) is { } refused)
            {
                return refused;
            }

            var writes = new List<(JsonObject Item, string? Event)>();
            for (var n = 0; n < lines.Count; n++)
            {
                if (line(invoice!, (JsonObject)lines[n]!, writes) is { } bad)
                {
                    return Within(bad, $"lines[{n}]");
                }
            }

            Store(invoice!, writes, p["invoice_metadata"] is null ? null : metadata);
            return StripeResponse.Ok(StripeLists.Public(invoice!));
        });
    }

    /// <summary>The live draft, or Stripe's 404 or the sandbox's 400 for an invoice that is no longer a draft.</summary>
    private StripeResponse? Draft(string id, out JsonObject? invoice)
    {
        invoice = standalone.Find(id);
        return invoice is null ? StripeErrors.NoSuch("invoice", id, "invoice")
            : invoice.Str("status") != "draft"
                ? StripeErrors.InvalidParam($"Invoice {id} is {invoice.Str("status")}: its lines can only be added, changed or removed while it is a draft.", null, "invoice_not_editable")
                : invoice["parent"] is not null ? StripeErrors.InvalidParam($"Changing the lines of a subscription's draft invoice ({id}) is not simulated by the sandbox.", null)
                : null;
    }

    /// <summary>The item behind one of the draft's lines: the copy this request already changes, else the stored one.</summary>
    private JsonObject? ItemOf(JsonObject invoice, string lineId, List<(JsonObject Item, string? Event)> writes) =>
        writes.Select(w => w.Item).FirstOrDefault(i => i.Str("_line") == lineId)
        ?? objects.Newest(StripeInvoiceItems.Type).FirstOrDefault(i => i["_deleted"] is null && i.Str("invoice") == invoice.Str("id") && i.Str("_line") == lineId);

    /// <summary>Stores the items, the draft's totals again, its metadata, then the item events and one <c>invoice.updated</c>.</summary>
    private void Store(JsonObject invoice, List<(JsonObject Item, string? Event)> writes, JsonObject? metadata)
    {
        var before = StripeLists.Public(invoice);
        foreach (var (item, _) in writes)
        {
            objects.Put(item);
        }

        StripeInvoicing.Recompute(objects, invoice);
        if (metadata is not null)
        {
            StripeLists.MergeMetadata(invoice, metadata, new JsonObject());
        }

        foreach (var (item, type) in writes.Where(w => w.Event is not null))
        {
            webhooks.Send(item.Str("customer")!, [new StripeEvent(type!, StripeLists.Public(item))]);
        }

        standalone.StoreUpdated(invoice, before);
    }

    /// <summary>A line's refusal with its parameter named as the request named it (<c>amount</c> → <c>lines[0][amount]</c>).</summary>
    private static StripeResponse Within(StripeResponse refusal, string prefix, bool replace = false)
    {
        if (refusal.Body["error"] is JsonObject error && error.Str("param") is { } param)
        {
            var head = param.Split('[')[0];
            error["param"] = replace ? prefix + param[head.Length..] : $"{prefix}[{head}]{param[head.Length..]}";
        }

        return refusal;
    }

    private static StripeResponse NotSimulated(string param) =>
        StripeErrors.InvalidParam($"The sandbox does not simulate {param} on invoice lines: tax amounts, margins, decimal quantities and line discounts are not modelled (tax rates are, through tax_rates).", param);
}
