using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Mandates (docs.stripe.com/api/mandates): the customer's authorisation to debit a bank account, made when a
/// PaymentIntent or a SetupIntent is confirmed with a SEPA Direct Debit PaymentMethod and <c>mandate_data</c>, kept on
/// the PaymentMethod so later off-session debits reuse it, and read with <c>GET /v1/mandates/{id}</c>.
/// </summary>
public sealed class StripeMandates(ProviderObjects objects)
{
    public const string Type = "mandate";
    public const string Path = "/v1/mandates";

    /// <summary>Where a mandate is kept on its PaymentMethod (never served).</summary>
    internal const string MethodField = "_mandate";

    private const string Param = "mandate_data";

    private static readonly HashSet<string> RetrieveParams = ["expand"];

    public StripeResponse Retrieve(string id, JsonObject query)
    {
        if (StripeLists.Unknown(query, RetrieveParams) is { } unknown)
        {
            return unknown;
        }

        return objects.Get(id, Type) is { } mandate ? StripeResponse.Ok(StripeLists.Public(mandate)) : StripeErrors.NoSuch(Type, StripeLists.Clip(id), "mandate");
    }

    /// <summary>
    /// <c>mandate_data[customer_acceptance]</c> as Stripe checks it: a <c>type</c> of <c>online</c> (with
    /// <c>online[ip_address]</c> and <c>online[user_agent]</c>) or <c>offline</c>. Null when no <c>mandate_data</c> is given.
    /// </summary>
    public static StripeResponse? Read(JsonObject p)
    {
        if (p["mandate"] is not null && p.Str("mandate") is null)
        {
            return StripeErrors.InvalidParam("Invalid string", "mandate");
        }

        // An empty value is how Stripe's SDKs send a mandate_data set to null: none given.
        if (p[Param] is null || p.Str(Param) == "")
        {
            return null;
        }

        if (p.Str("mandate") is { Length: > 0 })
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: mandate, mandate_data.", Param);
        }

        if (p[Param] is not JsonObject data || data.Any(kv => kv.Key != "customer_acceptance"))
        {
            return StripeErrors.InvalidParam("Invalid object", Param);
        }

        if (data["customer_acceptance"] is not JsonObject acceptance)
        {
            return data["customer_acceptance"] is null ? StripeErrors.Missing($"{Param}[customer_acceptance]") : StripeErrors.InvalidParam("Invalid object", $"{Param}[customer_acceptance]");
        }

        const string prefix = Param + "[customer_acceptance]";
        if (acceptance.Select(kv => kv.Key).FirstOrDefault(k => k is not ("type" or "online" or "offline" or "accepted_at")) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {prefix}[{unknown}]", $"{prefix}[{unknown}]", "parameter_unknown");
        }

        switch (acceptance.Str("type"))
        {
            case null:
                return StripeErrors.Missing(prefix + "[type]");
            case "offline":
                return acceptance["online"] is not null
                    ? StripeErrors.InvalidParam("You cannot provide `online` when `type` is `offline`.", prefix + "[online]")
                    : null;
            case "online":
                if (acceptance["online"] is not JsonObject online)
                {
                    return acceptance["online"] is null ? StripeErrors.Missing(prefix + "[online]") : StripeErrors.InvalidParam("Invalid object", prefix + "[online]");
                }

                foreach (var field in new[] { "ip_address", "user_agent" })
                {
                    if (online.Str(field) is not { Length: > 0 })
                    {
                        return StripeErrors.Missing($"{prefix}[online][{field}]");
                    }
                }

                return online.Select(kv => kv.Key).FirstOrDefault(k => k is not ("ip_address" or "user_agent")) is { } other
                    ? StripeErrors.InvalidParam($"Received unknown parameter: {prefix}[online][{other}]", $"{prefix}[online][{other}]", "parameter_unknown")
                    : null;
            default:
                return StripeErrors.InvalidParam($"Invalid {prefix}[type]: must be one of offline, online", prefix + "[type]");
        }
    }

    /// <summary>
    /// The mandate the confirmation makes from <paramref name="p"/>'s <c>mandate_data</c> (checked by <see cref="Read"/>),
    /// else the one <c>mandate</c> names or, without it, the one already on the PaymentMethod, when it is the
    /// PaymentMethod's and active; null when there is none. The caller holds the unit.
    /// </summary>
    public static string? For(ProviderObjects objects, JsonObject method, JsonObject p, long now)
    {
        if ((p[Param] as JsonObject)?["customer_acceptance"] is not JsonObject acceptance)
        {
            return (p.Str("mandate") is { Length: > 0 } named ? named : method.Str(MethodField)) is { } existing && objects.Get(existing, Type) is { } found
                && found.Str("status") == "active" && found.Str("payment_method") == method.Str("id") ? existing : null;
        }

        var online = acceptance["online"] as JsonObject;
        var id = StripeJson.NewId("mandate");
        objects.Put(new JsonObject
        {
            ["id"] = id,
            ["object"] = Type,
            ["customer_acceptance"] = new JsonObject
            {
                ["accepted_at"] = now,
                ["offline"] = online is null ? new JsonObject() : null,
                ["online"] = online is null ? null : new JsonObject { ["ip_address"] = online.Str("ip_address"), ["user_agent"] = online.Str("user_agent") },
                ["type"] = acceptance.Str("type"),
            },
            ["livemode"] = false,
            ["multi_use"] = new JsonObject(),
            ["on_behalf_of"] = null,
            ["payment_method"] = method.Str("id"),
            ["payment_method_details"] = new JsonObject
            {
                ["sepa_debit"] = new JsonObject
                {
                    ["reference"] = Reference(id),
                    ["url"] = $"https://payments.stripe.com/sepa_debit/mandate/{id}",
                },
                ["type"] = StripeBankDebits.PaymentMethod,
            },
            ["status"] = "active",
            ["type"] = "multi_use",
        });
        method[MethodField] = id;
        objects.Put(method);
        return id;
    }

    /// <summary>The mandate reference the bank statement shows: here, the id's first 16 characters after its prefix, in capitals.</summary>
    private static string Reference(string id)
    {
        var tail = id[(Type.Length + 1)..].ToUpperInvariant();
        return tail[..Math.Min(16, tail.Length)];
    }

    /// <summary>Stripe's refusal of a bank debit confirmed with neither <c>mandate_data</c> nor a mandate on the PaymentMethod.</summary>
    public static string Required(string intentName) =>
        $"This {intentName} requires a mandate, but no existing mandate was found. Collect mandate acceptance from the customer and try again, providing acceptance data in the mandate_data parameter.";
}
