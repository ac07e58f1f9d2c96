using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// SetupAttempts (docs.stripe.com/api/setup_attempts): one per confirmation of a SetupIntent, with the card it tried,
/// how it went and the error it met; listed by intent, newest first.
/// </summary>
public sealed partial class StripeSetupIntents
{
    public const string AttemptType = "setup_attempt";
    public const string AttemptsPath = "/v1/setup_attempts";

    private static readonly HashSet<string> AttemptListParams = ["setup_intent", "created", "limit", "starting_after", "ending_before", "expand"];

    /// <summary><c>GET /v1/setup_attempts?setup_intent=…</c>: the intent's attempts, newest first, by <c>created</c>, paged both ways.</summary>
    public StripeResponse Attempts(JsonObject query)
    {
        if (StripeLists.Unknown(query, AttemptListParams) is { } unknown)
        {
            return unknown;
        }

        if (query.Str("setup_intent") is not { } intentId)
        {
            return query["setup_intent"] is null ? StripeErrors.Missing("setup_intent") : StripeErrors.InvalidParam("Invalid string", "setup_intent");
        }

        if (StripeLists.CreatedFilter(query, out var created) is { } badCreated)
        {
            return badCreated;
        }

        return objects.Get(intentId, Type) is null
            ? StripeErrors.NoSuch(NotFoundName, StripeLists.Clip(intentId), "setup_intent")
            : StripeLists.Page(AttemptsPath, after => objects.Newest(AttemptType, after)
                .Where(a => a.Str("setup_intent") == intentId && created(a["created"]!.GetValue<long>())), query);
    }

    /// <summary>A new attempt of <paramref name="intent"/> with <paramref name="method"/>, not yet stored: the caller sets its outcome.</summary>
    private static JsonObject NewAttempt(JsonObject intent, JsonObject method, long now) => new()
    {
        ["id"] = StripeJson.NewId("setatt"),
        ["object"] = AttemptType,
        ["application"] = null,
        ["created"] = now,
        ["customer"] = intent.Str("customer"),
        ["customer_account"] = null,
        ["flow_directions"] = null,
        ["livemode"] = false,
        ["on_behalf_of"] = null,
        ["payment_method"] = method.Str("id"),
        ["payment_method_details"] = DetailsOf(method),
        ["setup_error"] = null,
        ["setup_intent"] = intent.Str("id"),
        ["status"] = "processing",
        ["usage"] = intent.Str("usage"),
    };

    /// <summary>The attempt's <c>payment_method_details</c>: the card's, or a bank debit's empty hash of its type.</summary>
    private static JsonObject DetailsOf(JsonObject method)
    {
        if (method["card"] is not JsonObject card)
        {
            var type = method.Str("type")!;
            return new JsonObject { [type] = new JsonObject(), ["type"] = type };
        }

        return new JsonObject
        {
            ["card"] = new JsonObject
            {
                ["brand"] = card.Str("brand"),
                ["checks"] = new JsonObject { ["address_line1_check"] = null, ["address_postal_code_check"] = null, ["cvc_check"] = null },
                ["country"] = card.Str("country"),
                ["exp_month"] = card["exp_month"]?.DeepClone(),
                ["exp_year"] = card["exp_year"]?.DeepClone(),
                ["fingerprint"] = card.Str("fingerprint"),
                ["funding"] = card.Str("funding"),
                ["last4"] = card.Str("last4"),
                ["network"] = card.Str("brand"),
                ["three_d_secure"] = null,
                ["wallet"] = null,
            },
            ["type"] = "card",
        };
    }

    /// <summary>A challenged attempt's <c>three_d_secure</c>: <c>authenticated</c> or <c>failed</c>.</summary>
    private static JsonObject ThreeDSecure(string result) => new()
    {
        ["authentication_flow"] = "challenge",
        ["electronic_commerce_indicator"] = result == "authenticated" ? "05" : null,
        ["result"] = result,
        ["result_reason"] = null,
        ["transaction_id"] = null,
        ["version"] = "2.2.0",
    };
}
