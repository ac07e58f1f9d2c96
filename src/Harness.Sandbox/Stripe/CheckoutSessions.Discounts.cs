using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// A Checkout Session's discount: <c>discounts[0][coupon|promotion_code]</c> on create, or a promotion code the buyer
/// types on the hosted page when <c>allow_promotion_codes</c> is on. It lowers what is due now (the lines paid at
/// checkout: with a trial, the one-time ones), shows on the session and its line items, and is redeemed when the session completes.
/// </summary>
public sealed partial class CheckoutSessions
{
    /// <summary>The <c>discounts</c> parameter of a create, for the lines due now; a 400 when it cannot apply.</summary>
    private StripeResponse? ReadDiscount(JsonObject p, string? customerId, List<CheckoutLineItem> items, JsonObject? trial, string currency, out JsonObject? discount)
    {
        discount = null;
        if (p["discounts"] is null)
        {
            return null;
        }

        if (p.Str("allow_promotion_codes") is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: allow_promotion_codes, discounts.", "allow_promotion_codes");
        }

        var lines = items.Select(i => (DueNow(i.Price, trial) ? i.Price.Str("product") : null, DueNow(i.Price, trial) ? i.Amount : 0L)).ToList();
        return discounts.Read(p["discounts"], customerId, lines, currency, out discount);
    }

    /// <summary>
    /// Puts <paramref name="discount"/> (null: none) on the session: each line's <c>amount_discount</c>, <c>amount_total</c>
    /// and <c>discounts</c>; the session's <c>amount_total</c>, <c>total_details.amount_discount</c> and <c>discounts</c>.
    /// </summary>
    private void Discount(JsonObject session, JsonObject? discount)
    {
        var trial = session["_trial"] as JsonObject;
        var items = ((JsonArray)session["_line_items"]!).OfType<JsonObject>().ToList();
        var lines = items.Select(i => (DueNow((JsonObject)i["price"]!, trial) ? i["price"].Str("product") : null,
            DueNow((JsonObject)i["price"]!, trial) ? i["amount_subtotal"]!.GetValue<long>() : 0L)).ToList();
        var off = discount is null ? new long[lines.Count] : discounts.Amounts(discount, lines);
        for (var i = 0; i < items.Count; i++)
        {
            items[i]["amount_discount"] = off[i];
            items[i]["amount_total"] = items[i]["amount_subtotal"]!.GetValue<long>() - off[i];
            items[i]["discounts"] = off[i] == 0 ? new JsonArray() : new JsonArray(new JsonObject { ["amount"] = off[i], ["discount"] = discount!.DeepClone() });
        }

        var subtotal = session["amount_subtotal"]!.GetValue<long>();
        session["amount_total"] = subtotal - off.Sum();
        session["total_details"]!["amount_discount"] = off.Sum();
        session["discounts"] = discount is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["coupon"] = discount["promotion_code"] is null ? discount["source"].Str("coupon") : null, ["promotion_code"] = discount.Str("promotion_code") });
        session["_discount"] = discount?.DeepClone();
        Tax(session);
    }

    /// <summary>Whether the page of this open session offers a promotion-code field.</summary>
    public bool OffersPromotionCodes(string id) =>
        objects.Get(id, Type) is { } session && session.Str("status") == "open" && session["allow_promotion_codes"]?.GetValue<bool>() == true;

    /// <summary>
    /// The buyer typed <paramref name="code"/> on the pay page: null when its discount now applies (replacing any
    /// other) and the payment's amount is the discounted one; otherwise the page's words, and nothing changed.
    /// </summary>
    public string? ApplyPromotionCode(string id, string code) => objects.Atomically(() => Apply(id, code));

    /// <summary>One unit: the session's discount and the amount its payment charges change together, or neither does.</summary>
    private string? Apply(string id, string code)
    {
        if (objects.Get(id, Type) is not { } session || session.Str("status") != "open" || session["allow_promotion_codes"]?.GetValue<bool>() != true)
        {
            return "This checkout does not take promotion codes.";
        }

        var trial = session["_trial"] as JsonObject;
        var lines = ((JsonArray)session["_line_items"]!).OfType<JsonObject>()
            .Select(i => (DueNow((JsonObject)i["price"]!, trial) ? i["price"].Str("product") : null, DueNow((JsonObject)i["price"]!, trial) ? i["amount_subtotal"]!.GetValue<long>() : 0L))
            .ToList();
        if (discounts.ForCode(code, session.Str("customer"), lines, session.Str("currency")!, out var refusal) is not { } discount)
        {
            return refusal;
        }

        discount["checkout_session"] = id;
        Discount(session, discount);
        objects.Put(session);
        context.Payments.Revise(id, session["amount_total"]!.GetValue<long>(), session.Str("currency")!);
        return null;
    }

    /// <summary>The session completed: its discount counts as redeemed, on the customer the checkout ended with.</summary>
    private void RedeemDiscount(JsonObject session, string? customerId)
    {
        if (session["_discount"] is JsonObject discount)
        {
            discount["customer"] = customerId;
            discount["checkout_session"] = session.Str("id");
            session["_discount"] = discount.DeepClone();
            discounts.Redeem(discount);
        }
    }

    private static bool DueNow(JsonObject price, JsonObject? trial) => trial is null || price["recurring"] is not JsonObject;
}
