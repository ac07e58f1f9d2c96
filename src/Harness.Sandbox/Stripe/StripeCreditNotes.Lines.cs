using System.Globalization;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A credit note's lines and totals. An <c>invoice_line_item</c> line credits part of an invoice line, by
/// <c>quantity</c> or by <c>amount</c> (never both on one invoice line, as Stripe's docs say); what it credits of the
/// line's discounts and taxes is proportional, counted cumulatively so that every minor unit is accounted for: after
/// notes crediting <c>C</c> of a line of amount <c>L</c>, a part <c>X</c> of the line (a tax, a taxable amount, a
/// discount) has been credited <c>round(X × C / L)</c>, rounded half away from zero as the taxes themselves are
/// (<see cref="StripeTaxes.Round"/>); a note crediting <c>A</c> more credits <c>round(X × (C + A) / L) − round(X × C / L)</c>.
/// Crediting a whole line thus credits its taxes exactly. A <c>custom_line_item</c> line is <c>quantity × unit_amount</c>, untaxed.
/// </summary>
public sealed partial class StripeCreditNotes
{
    private static readonly HashSet<string> LineParams = ["type", "invoice_line_item", "quantity", "amount", "description", "unit_amount", "unit_amount_decimal", "metadata", "tax_rates", "tax_amounts"];

    private static readonly string[] UnsimulatedLineParams = ["tax_rates", "tax_amounts", "unit_amount_decimal"];

    /// <summary>How each invoice line a note credits was credited (<c>quantity</c> or <c>amount</c>), kept on the note.</summary>
    private const string CreditedBy = "_credited_by";

    /// <summary>
    /// The note <paramref name="ask"/> describes against the invoice and its earlier notes (<paramref name="prior"/>, void
    /// ones among them), or the refusal: an unknown line, more than a line or the invoice has left to credit, or a
    /// post-payment amount not split exactly.
    /// </summary>
    private StripeResponse? Compose(Ask ask, JsonObject invoice, List<JsonObject> prior, long now, out JsonObject? note)
    {
        note = null;
        var id = StripeJson.NewId("cn");
        var issued = prior.Where(n => n.Str("status") != "void").ToList();
        var lines = new List<JsonObject>();
        var creditedBy = new JsonObject();
        if (ask.Lines is { Count: > 0 } given)
        {
            for (var i = 0; i < given.Count; i++)
            {
                if (Line(given[i], i, invoice, issued, creditedBy, out var line) is { } refused)
                {
                    return refused;
                }

                lines.Add(line!);
            }
        }
        else if (ask.Amount is { } amount)
        {
            if (invoice["total_taxes"] is JsonArray { Count: > 0 })
            {
                return StripeErrors.NotSimulated("amount", "a credit of a bare amount on an invoice with taxes (Stripe spreads it over the lines and their taxes); credit its lines instead");
            }

            lines.Add(CustomLine("Credit", 1, amount, new JsonObject()));
        }
        else
        {
            return StripeErrors.InvalidParam("One of amount, lines, or shipping_cost must be provided.", "lines", "parameter_missing");
        }

        var subtotal = lines.Sum(l => l["amount"]!.GetValue<long>());
        var taxes = lines.SelectMany(l => ((JsonArray)l["taxes"]!).OfType<JsonObject>()).ToList();
        var discounts = lines.SelectMany(l => ((JsonArray)l["discount_amounts"]!).OfType<JsonObject>()).ToList();
        var discount = discounts.Sum(d => d["amount"]!.GetValue<long>());
        long exclusive = taxes.Where(t => t.Str("tax_behavior") == "exclusive").Sum(t => t["amount"]!.GetValue<long>());
        long inclusive = taxes.Where(t => t.Str("tax_behavior") == "inclusive").Sum(t => t["amount"]!.GetValue<long>());
        var total = checked(subtotal - discount + exclusive);
        if (ask.Amount is { } stated && stated != total)
        {
            return StripeErrors.InvalidParam($"The amount ({stated}) must equal the total of the credit note's lines ({total}).", "amount");
        }

        var creditable = invoice["total"]!.GetValue<long>() - issued.Sum(n => n["total"]!.GetValue<long>());
        if (total > creditable)
        {
            return StripeErrors.InvalidParam(
                $"The credit note's total ({total}) is more than what is left to credit on invoice {invoice.Str("id")} ({Math.Max(0, creditable)}).",
                ask.Amount is null ? "lines" : "amount", "amount_too_large");
        }

        var pre = invoice.Str("status") == "open" ? Math.Min(total, invoice["amount_remaining"]!.GetValue<long>()) : 0;
        var post = total - pre;
        var outOfBand = ask.OutOfBand ?? 0;
        if (checked(ask.Refund + ask.Credit + outOfBand) != post)
        {
            return StripeErrors.InvalidParam(
                $"The sum of refund_amount ({ask.Refund}), credit_amount ({ask.Credit}) and out_of_band_amount ({outOfBand}) must equal the credit note's post-payment amount ({post}): "
                + "the part of its total the invoice had already been paid.", ask.Refund > 0 ? "refund_amount" : ask.Credit > 0 ? "credit_amount" : "out_of_band_amount");
        }

        if (ask.Refund > 0 && ChargeOf(invoice) is null)
        {
            return StripeErrors.InvalidParam(
                $"Invoice {invoice.Str("id")} was not paid with a charge, so nothing can be refunded: use credit_amount or out_of_band_amount.", "refund_amount");
        }

        note = new JsonObject
        {
            ["id"] = id,
            ["object"] = Type,
            ["amount"] = total,
            ["amount_shipping"] = 0L,
            ["created"] = now,
            ["currency"] = invoice.Str("currency"),
            ["customer"] = invoice.Str("customer"),
            ["customer_account"] = null,
            ["customer_balance_transaction"] = null,
            ["discount_amount"] = discount,
            ["discount_amounts"] = new JsonArray([.. discounts.GroupBy(d => d.Str("discount")).Select(g => (JsonNode)new JsonObject { ["amount"] = g.Sum(d => d["amount"]!.GetValue<long>()), ["discount"] = g.Key })]),
            ["effective_at"] = ask.EffectiveAt ?? now,
            ["invoice"] = invoice.Str("id"),
            ["lines"] = StripeJson.List($"{Path}/{id}/lines", lines.Select(l => (JsonNode)l), false),
            ["livemode"] = false,
            ["memo"] = ask.Memo,
            ["metadata"] = ask.Metadata,
            ["number"] = $"{invoice.Str("number") ?? invoice.Str("id")}-CN-{(prior.Count + 1).ToString("D2", CultureInfo.InvariantCulture)}",
            ["out_of_band_amount"] = ask.OutOfBand,
            ["pdf"] = null,
            ["post_payment_amount"] = post,
            ["pre_payment_amount"] = pre,
            ["pretax_credit_amounts"] = new JsonArray(),
            ["reason"] = ask.Reason,
            ["refunds"] = new JsonArray(),
            ["shipping_cost"] = null,
            ["status"] = "issued",
            ["subtotal"] = subtotal,
            ["subtotal_excluding_tax"] = subtotal - inclusive,
            ["total"] = total,
            ["total_excluding_tax"] = total - exclusive - inclusive,
            ["total_taxes"] = new JsonArray([.. taxes.GroupBy(t => t["tax_rate_details"].Str("tax_rate")).Select(g => (JsonNode)Summed(g))]),
            ["type"] = post == 0 ? "pre_payment" : pre == 0 ? "post_payment" : "mixed",
            ["voided_at"] = null,
            [CreditedBy] = creditedBy,
        };
        return null;
    }

    /// <summary>One <c>lines[i]</c> entry as a credit note line; <paramref name="creditedBy"/> gets how an invoice line was credited.</summary>
    private StripeResponse? Line(JsonNode? node, int i, JsonObject invoice, List<JsonObject> issued, JsonObject creditedBy, out JsonObject? line)
    {
        line = null;
        var at = $"lines[{i}]";
        if (node is not JsonObject given)
        {
            return StripeErrors.InvalidParam("Invalid object", at);
        }

        if (given.Select(kv => kv.Key).FirstOrDefault(k => !LineParams.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {at}[{unknown}]", $"{at}[{unknown}]", "parameter_unknown");
        }

        if (UnsimulatedLineParams.FirstOrDefault(k => given[k] is not null) is { } param)
        {
            return StripeErrors.NotSimulated($"{at}[{param}]", "a credited invoice line takes the invoice line's own taxes, a custom line none, and unit amounts are whole minor units");
        }

        if (!StripeLists.TryMetadata(given, out var metadata, out _))
        {
            return StripeErrors.InvalidParam("Invalid object", $"{at}[metadata]");
        }

        if (Integer(given, "quantity", 1, out var quantity, MaxQuantity) is { } badQuantity)
        {
            return Renamed(badQuantity, at);
        }

        if (Integer(given, "amount", 1, out var amount) is { } badAmount)
        {
            return Renamed(badAmount, at);
        }

        if (Integer(given, "unit_amount", 0, out var unitAmount) is { } badUnit)
        {
            return Renamed(badUnit, at);
        }

        switch (given.Str("type"))
        {
            case null:
                return StripeErrors.Missing($"{at}[type]");
            case "custom_line_item":
                if (given["invoice_line_item"] is not null || amount is not null)
                {
                    return StripeErrors.InvalidParam($"{at}[{(amount is null ? "invoice_line_item" : "amount")}] is only valid when {at}[type] is invoice_line_item.", $"{at}[{(amount is null ? "invoice_line_item" : "amount")}]");
                }

                if (given.Str("description") is not { Length: > 0 } description)
                {
                    return StripeErrors.Missing($"{at}[description]");
                }

                if (unitAmount is null)
                {
                    return StripeErrors.Missing($"{at}[unit_amount]");
                }

                line = CustomLine(description, quantity ?? 1, checked((quantity ?? 1) * unitAmount.Value), metadata);
                line["unit_amount"] = unitAmount;
                line["unit_amount_decimal"] = unitAmount.Value.ToString(CultureInfo.InvariantCulture);
                return null;
            case "invoice_line_item":
                return InvoiceLine(given, at, invoice, issued, creditedBy, (quantity, amount), metadata, out line);
            default:
                return StripeErrors.InvalidParam($"Invalid {at}[type]: must be one of invoice_line_item or custom_line_item", $"{at}[type]");
        }
    }

    /// <summary>Part of an invoice line, by quantity or by amount, with its share of the line's discounts and taxes.</summary>
    private StripeResponse? InvoiceLine(JsonObject given, string at, JsonObject invoice, List<JsonObject> issued, JsonObject creditedBy, (long? Quantity, long? Amount) asked, JsonObject metadata, out JsonObject? line)
    {
        line = null;
        if (given.Str("invoice_line_item") is not { Length: > 0 } lineId)
        {
            return StripeErrors.Missing($"{at}[invoice_line_item]");
        }

        if (((JsonArray)invoice["lines"]!["data"]!).OfType<JsonObject>().FirstOrDefault(l => l.Str("id") == lineId) is not { } target)
        {
            return StripeErrors.NoSuch("invoice line item", lineId, $"{at}[invoice_line_item]");
        }

        if (asked is { Quantity: not null, Amount: not null } or { Quantity: null, Amount: null })
        {
            return asked.Quantity is null
                ? StripeErrors.InvalidParam($"One of the following params should be provided for this request: {at}[amount] or {at}[quantity].", at, "parameter_missing")
                : StripeErrors.InvalidParam("You may only specify one of these parameters: amount, quantity.", $"{at}[amount]");
        }

        if (given["description"] is not null || given["unit_amount"] is not null)
        {
            var param = given["description"] is not null ? "description" : "unit_amount";
            return StripeErrors.InvalidParam($"{at}[{param}] is only valid when {at}[type] is custom_line_item.", $"{at}[{param}]");
        }

        var by = asked.Quantity is null ? "amount" : "quantity";
        if (creditedBy[lineId] is not null)
        {
            return StripeErrors.InvalidParam($"Invoice line item {lineId} is credited twice in this credit note: credit it once.", $"{at}[invoice_line_item]");
        }

        var earlier = issued.SelectMany(n => ((JsonArray)n["lines"]!["data"]!).OfType<JsonObject>().Where(l => l.Str("invoice_line_item") == lineId).Select(l => (Note: n, Line: l))).ToList();
        if (earlier.FirstOrDefault(e => e.Note[CreditedBy].Str(lineId) != by) is { Note: not null } other)
        {
            return StripeErrors.InvalidParam(
                $"Invoice line item {lineId} was credited by {other.Note[CreditedBy].Str(lineId)} in credit note {other.Note.Str("id")}; later credit notes must credit it by {other.Note[CreditedBy].Str(lineId)} too.", $"{at}[{by}]");
        }

        var whole = target["amount"]!.GetValue<long>();
        var wholeQuantity = target["quantity"] is JsonValue q ? q.GetValue<long>() : 1;
        var credited = earlier.Sum(e => e.Line["amount"]!.GetValue<long>());
        long amount;
        if (asked.Quantity is { } quantity)
        {
            var creditedQuantity = earlier.Sum(e => e.Line["quantity"]!.GetValue<long>());
            if (quantity > wholeQuantity - creditedQuantity)
            {
                return StripeErrors.InvalidParam(
                    $"The quantity ({quantity}) is more than invoice line item {lineId} has left to credit ({wholeQuantity - creditedQuantity} of {wholeQuantity}).", $"{at}[quantity]");
            }

            amount = Share(whole, creditedQuantity, quantity, wholeQuantity);
        }
        else
        {
            amount = asked.Amount!.Value;
            if (amount > whole - credited)
            {
                return StripeErrors.InvalidParam($"The amount ({amount}) is more than invoice line item {lineId} has left to credit ({whole - credited}).", $"{at}[amount]");
            }
        }

        creditedBy[lineId] = by;
        var taxes = (target["taxes"] as JsonArray ?? []).OfType<JsonObject>().Select(t =>
        {
            var share = (JsonObject)t.DeepClone();
            share["amount"] = Share(t["amount"]!.GetValue<long>(), credited, amount, whole);
            share["taxable_amount"] = Share(t["taxable_amount"]!.GetValue<long>(), credited, amount, whole);
            return share;
        }).ToList();
        var discounts = (target["discount_amounts"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(d => new JsonObject { ["amount"] = Share(d["amount"]!.GetValue<long>(), credited, amount, whole), ["discount"] = d["discount"]?.DeepClone() }).ToList();
        var unit = asked.Quantity is null ? amount : (decimal)whole / wholeQuantity;
        line = new JsonObject
        {
            ["id"] = StripeJson.NewId("cnli"),
            ["object"] = "credit_note_line_item",
            ["amount"] = amount,
            ["description"] = target.Str("description"),
            ["discount_amount"] = discounts.Sum(d => d["amount"]!.GetValue<long>()),
            ["discount_amounts"] = new JsonArray([.. discounts]),
            ["invoice_line_item"] = lineId,
            ["livemode"] = false,
            ["metadata"] = metadata,
            ["pretax_credit_amounts"] = new JsonArray(),
            ["quantity"] = asked.Quantity ?? 1,
            ["tax_rates"] = new JsonArray([.. taxes.Select(t => objects.Get(t["tax_rate_details"].Str("tax_rate") ?? "", StripeTaxRates.Type)).OfType<JsonObject>().Select(r => (JsonNode)StripeLists.Public(r))]),
            ["taxes"] = new JsonArray([.. taxes]),
            ["type"] = "invoice_line_item",
            ["unit_amount"] = decimal.Truncate(unit) == unit ? (long)unit : null,
            ["unit_amount_decimal"] = Math.Round(unit, 12).ToString(CultureInfo.InvariantCulture),
        };
        return null;
    }

    private static JsonObject CustomLine(string description, long quantity, long amount, JsonObject metadata) => new()
    {
        ["id"] = StripeJson.NewId("cnli"),
        ["object"] = "credit_note_line_item",
        ["amount"] = amount,
        ["description"] = description,
        ["discount_amount"] = 0L,
        ["discount_amounts"] = new JsonArray(),
        ["invoice_line_item"] = null,
        ["livemode"] = false,
        ["metadata"] = metadata,
        ["pretax_credit_amounts"] = new JsonArray(),
        ["quantity"] = quantity,
        ["tax_rates"] = new JsonArray(),
        ["taxes"] = new JsonArray(),
        ["type"] = "custom_line_item",
        ["unit_amount"] = quantity == 0 ? 0 : amount / quantity,
        ["unit_amount_decimal"] = (quantity == 0 ? 0 : amount / quantity).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>What crediting <paramref name="crediting"/> more of <paramref name="whole"/>, after <paramref name="credited"/>, credits of <paramref name="part"/>.</summary>
    private static long Share(long part, long credited, long crediting, long whole) => whole == 0
        ? 0
        : StripeTaxes.Round((decimal)part * (credited + crediting) / whole) - StripeTaxes.Round((decimal)part * credited / whole);

    /// <summary>A rate's entries on several lines as one <c>total_taxes</c> entry.</summary>
    private static JsonObject Summed(IEnumerable<JsonObject> entries)
    {
        var all = entries.ToList();
        var total = (JsonObject)all[0].DeepClone();
        total["amount"] = all.Sum(t => t["amount"]!.GetValue<long>());
        total["taxable_amount"] = all.Sum(t => t["taxable_amount"]!.GetValue<long>());
        return total;
    }

    /// <summary>A parameter refusal of a line's field, named as the line's (<c>lines[0][quantity]</c>).</summary>
    private static StripeResponse Renamed(StripeResponse refused, string at)
    {
        var body = (JsonObject)refused.Body.DeepClone();
        body["error"]!["param"] = $"{at}[{body["error"].Str("param")}]";
        return refused with { Body = body };
    }
}
