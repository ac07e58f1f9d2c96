using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;
using Harness.Security;
using Harness.Security.Signing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Customer portal sessions (docs.stripe.com/api/customer_portal/sessions): a short-lived <c>url</c> to the hosted
/// portal of one customer. The URL carries a secret of its own (not the session id); the session ends after
/// <see cref="IdleLifetime"/> on the sandbox clock without a page view or action. Each page carries a form token that
/// one POST uses up, so a replayed form is refused.
/// </summary>
public sealed class StripePortalSessions(SandboxContext context, ProviderObjects objects, StripePortalConfigurations configurations, StripeWebhooks webhooks)
{
    public const string Path = "/v1/billing_portal/sessions";

    public const string Type = "billing_portal.session";

    /// <summary>Where the hosted portal of a session lives on the control listener, followed by the session's id and URL secret.</summary>
    public const string PagePath = "/billing_portal/p/session";

    /// <summary>How long a portal session stays usable after its creation or its last page view or action.</summary>
    public static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(5);

    private static readonly HashSet<string> CreateParams =
        ["customer", "configuration", "return_url", "locale", "flow_data", "on_behalf_of", "after_expiration", "customer_account", "expand"];

    private static readonly string[] Unsimulated = ["on_behalf_of", "after_expiration", "customer_account"];

    private static readonly string[] Locales =
    [
        "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG", "es", "es-419", "et", "fi", "fil",
        "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv",
        "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
    ];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (Unsimulated.FirstOrDefault(k => p[k] is not null) is { } unsimulated)
        {
            return StripeErrors.InvalidParam($"{unsimulated} is not simulated by the sandbox: a portal session is for a customer of the account itself, and ends when it expires.", unsimulated);
        }

        if (p.Str("customer") is not { Length: > 0 } customerId)
        {
            return StripeErrors.Missing("customer");
        }

        if (p["return_url"] is not null && !HttpUrl.IsValid(p.Str("return_url")))
        {
            return StripeErrors.InvalidParam("Not a valid URL", "return_url", "url_invalid");
        }

        if (p["locale"] is not null && !Locales.Contains(p.Str("locale")))
        {
            return StripeErrors.InvalidParam($"Invalid locale: must be one of {string.Join(", ", Locales)}", "locale");
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(customerId, "customer") is not { } customer || customer["deleted"] is not null)
            {
                return StripeErrors.NoSuch("customer", StripeLists.Clip(customerId), "customer");
            }

            JsonObject configuration;
            if (p.Str("configuration") is { } configurationId)
            {
                if (configurations.Find(configurationId) is not { } found)
                {
                    return StripePortalConfigurations.NoSuch(configurationId, "configuration");
                }

                if (!found["active"]!.GetValue<bool>())
                {
                    return StripeErrors.InvalidParam($"The configuration {configurationId} is inactive: activate it or use another one.", "configuration");
                }

                configuration = found;
            }
            else
            {
                configuration = configurations.Default();
            }

            JsonObject? flow = null;
            if (p["flow_data"] is not null && StripePortalFlows.Read(p["flow_data"], customerId, configuration, objects, out flow) is { } badFlow)
            {
                return badFlow;
            }

            var id = StripeJson.NewId("bps");
            var secret = "test_" + Secrets.Random(24);
            var now = context.Clock.GetUtcNow();
            var session = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["configuration"] = configuration.Str("id"),
                ["created"] = StripeJson.Unix(now),
                ["customer"] = customerId,
                ["flow"] = flow,
                ["livemode"] = false,
                ["locale"] = p.Str("locale"),
                ["on_behalf_of"] = null,
                ["return_url"] = p.Str("return_url") ?? configuration.Str("default_return_url"),
                ["url"] = $"{context.ControlBaseUrl}{PagePath}/{id}/{secret}",
                ["_secret"] = secret,
                ["_form_token"] = Secrets.Random(24),
                ["_last_active"] = now.ToUnixTimeMilliseconds(),
                ["_flow_done"] = false,
            };
            objects.Put(session);
            var shown = View(session, p);
            webhooks.Send(id, [new StripeEvent("billing_portal.session.created", StripeLists.Public(session))]);
            return StripeResponse.Ok(shown);
        });
    }

    /// <summary>The session of a portal URL (its id and secret), and whether it is still usable on the sandbox clock.</summary>
    public (JsonObject? Session, bool Live) Find(string id, string secret) =>
        objects.Get(id, Type) is { } session && SignatureComparison.Equal(session.Str("_secret")!, secret) ? (session, !Expired(session)) : (null, false);

    /// <summary>
    /// Uses up the page's form token, as one unit: true (and a fresh token stored, the idle time restarted) when
    /// <paramref name="token"/> is the session's current one and the session is live.
    /// </summary>
    public bool Redeem(string sessionId, string? token) => objects.Atomically(() =>
    {
        if (objects.Get(sessionId, Type) is not { } session || Expired(session) || token is null || !SignatureComparison.Equal(session.Str("_form_token")!, token))
        {
            return false;
        }

        session["_form_token"] = Secrets.Random(24);
        session["_last_active"] = context.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        objects.Put(session);
        return true;
    });

    /// <summary>A page view restarts the idle time.</summary>
    public void Touch(JsonObject session)
    {
        session["_last_active"] = context.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        objects.Put(session);
    }

    /// <summary>The flow is done: later views show the portal's home page.</summary>
    public void CompleteFlow(string sessionId) => objects.InTransaction(() =>
    {
        var session = objects.Get(sessionId, Type)!;
        session["_flow_done"] = true;
        objects.Put(session);
    });

    public JsonObject Reload(string sessionId) => objects.Get(sessionId, Type)!;

    private bool Expired(JsonObject session) =>
        context.Clock.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(session["_last_active"]!.GetValue<long>()) > IdleLifetime;

    /// <summary>The public session, with <c>expand[]=configuration</c>.</summary>
    private JsonObject View(JsonObject session, JsonObject query)
    {
        var copy = StripeLists.Public(session);
        if ((query["expand"] as JsonArray)?.Any(e => e?.ToString() == "configuration") == true && configurations.Find(copy.Str("configuration")!) is { } configuration)
        {
            copy["configuration"] = configuration;
        }

        return copy;
    }
}
