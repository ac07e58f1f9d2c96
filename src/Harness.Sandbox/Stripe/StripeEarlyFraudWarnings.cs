using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Radar's early fraud warnings (docs.stripe.com/api/radar/early_fraud_warnings): the issuer's word that a charge may be
/// fraudulent, raised by Stripe's test card 4000 0000 0000 5423 after its payment, with its events filed under the
/// charge's id. A warning stops being <c>actionable</c> once its charge is disputed or fully refunded.
/// </summary>
public sealed class StripeEarlyFraudWarnings(SandboxContext context, ProviderObjects objects, StripeWebhooks webhooks)
{
    public const string Type = "radar.early_fraud_warning";
    public const string Path = "/v1/radar/early_fraud_warnings";

    /// <summary>What the test card's warning gives as <c>fraud_type</c> (Stripe's docs do not say; the sandbox's choice).</summary>
    public const string TestFraudType = "made_with_stolen_card";

    /// <summary>Raises the warning on <paramref name="charge"/> (once) and sends <c>radar.early_fraud_warning.created</c>.</summary>
    public void Raise(JsonObject charge)
    {
        var chargeId = charge.Str("id")!;
        if (Of(objects, chargeId) is not null)
        {
            return;
        }

        var warning = new JsonObject
        {
            ["id"] = StripeJson.NewId("issfr"),
            ["object"] = Type,
            ["actionable"] = Actionable(charge),
            ["charge"] = chargeId,
            ["created"] = StripeJson.Unix(context.Clock.GetUtcNow()),
            ["fraud_type"] = TestFraudType,
            ["livemode"] = false,
            ["payment_intent"] = charge.Str("payment_intent"),
        };
        objects.Put(warning);
        webhooks.Send(chargeId, [new StripeEvent("radar.early_fraud_warning.created", warning)]);
    }

    /// <summary>
    /// After the charge is disputed or refunded: its actionable warning, if any, stops being so, and the
    /// <c>radar.early_fraud_warning.updated</c> event the caller sends with its own; null when nothing changed.
    /// </summary>
    internal static StripeEvent? Settled(ProviderObjects objects, string chargeId)
    {
        if (Of(objects, chargeId) is not { } warning || warning["actionable"]?.GetValue<bool>() != true
            || objects.Get(chargeId, "charge") is not { } charge || Actionable(charge))
        {
            return null;
        }

        warning["actionable"] = false;
        objects.Put(warning);
        return new StripeEvent("radar.early_fraud_warning.updated", warning, new JsonObject { ["actionable"] = true });
    }

    public StripeResponse Retrieve(string id) =>
        objects.Get(id, Type) is { } warning ? StripeResponse.Ok(warning) : StripeErrors.NoSuch("early fraud warning", id, "early_fraud_warning");

    /// <summary>Warnings newest first, by <c>charge</c>, <c>payment_intent</c> and <c>created</c>, paged both ways.</summary>
    public StripeResponse List(JsonObject query) => StripeLists.CreatedFilter(query, out var created) ?? StripeLists.Page(Path, after =>
        objects.Newest(Type, after).Where(w =>
            (query.Str("charge") is not { } charge || w.Str("charge") == charge)
            && (query.Str("payment_intent") is not { } intent || w.Str("payment_intent") == intent)
            && created(w["created"]!.GetValue<long>())), query);

    private static JsonObject? Of(ProviderObjects objects, string chargeId) =>
        objects.Newest(Type).FirstOrDefault(w => w.Str("charge") == chargeId);

    /// <summary>Stripe's rule: actionable while the charge has no dispute and is not fully refunded.</summary>
    private static bool Actionable(JsonObject charge) =>
        charge["disputed"]?.GetValue<bool>() != true && charge["refunded"]?.GetValue<bool>() != true;
}
