using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Callbacks;
using Harness.Sandbox.Delivery;
using Harness.Sandbox.Faults;
using Harness.Sandbox.Payments;
using Harness.Security.Signing;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Stripe events and their delivery: the event envelope (providers.md §5.5), <c>Stripe-Signature</c> over
/// <c>"t.body"</c> with the full <c>whsec_</c> secret (§5.6), any 2xx as acknowledgement, and test mode's three
/// attempts over a few hours. Each attempt is signed afresh with the real clock, because SDKs check <c>t</c>
/// against their own wall clock (±300 s).
/// </summary>
public sealed class StripeWebhooks(SandboxContext context, string secret, ProviderObjects? store = null, StripeWebhookEndpoints? endpoints = null) : ICallbackSigner
{
    public const string DefaultApiVersion = "2026-10-28.endive";
    public const string ApiVersionSetting = "api_version";

    /// <summary>The signing secret of the merchant's own endpoint, replacing the published one for every attempt from then on.</summary>
    public const string WebhookSecretSetting = "webhook_secret";

    /// <summary>First attempt at once, then after 1 h and 2 h more: three attempts over three hours.</summary>
    public static readonly DeliveryPolicy Policy = new([TimeSpan.FromHours(1), TimeSpan.FromHours(2)], CallbackAcknowledgement.AnyStatus2xx());

    private static readonly string[] AmountFields = ["amount_total", "amount_subtotal", "amount", "amount_received", "amount_due", "amount_paid", "total", "subtotal"];

    /// <summary>Names the API endpoint a delivery goes to, whose secret signs each of its attempts.</summary>
    private const string EndpointOption = "stripe.webhook_endpoint";

    public string Name => "stripe";

    /// <summary>What events are signed with now: the merchant's registered secret, or the published one.</summary>
    public string Secret => context.Settings.Get(Name, WebhookSecretSetting) ?? secret;

    /// <summary>Queues the events one action produced (nothing when no webhook endpoint is configured).</summary>
    public void Send(string sessionId, IReadOnlyList<(string Type, JsonObject Object)> events) =>
        Send(sessionId, [.. events.Select(e => new StripeEvent(e.Type, e.Object))]);

    /// <summary>
    /// Records the events (listable at <c>GET /v1/events</c>, as at Stripe, webhook endpoint or not) and queues one
    /// delivery per event and endpoint that asks for its type: the dashboard's (<c>webhook_url</c>, every event) and each
    /// enabled endpoint made through the API.
    /// </summary>
    public void Send(string subject, IReadOnlyList<StripeEvent> events)
    {
        var targets = Targets();
        var envelopes = events.Select(e => (e.Type, Envelope: Envelope(e, targets.Count(t => t.Wants(e.Type))))).ToList();
        foreach (var (_, envelope) in envelopes)
        {
            store?.Put(envelope);
        }

        if (!targets.Any(t => envelopes.Any(e => t.Wants(e.Type))))
        {
            return;
        }

        context.Notifier.Send(Name, subject, Policy, faults =>
            [.. targets.SelectMany(t => envelopes.Where(e => t.Wants(e.Type)).Select(e => Render(t, e.Envelope, faults)))]);
    }

    private List<StripeWebhookEndpoints.Target> Targets()
    {
        var targets = endpoints?.Enabled().ToList() ?? [];
        if (context.Settings.Get(Name, ProviderSettings.WebhookUrl) is { } url)
        {
            targets.Insert(0, new StripeWebhookEndpoints.Target(url, null, null, null));
        }

        return targets;
    }

    public void Sign(CallbackDelivery delivery, IDictionary<string, string> headers)
    {
        var timestamp = (context.WallClock.GetUtcNow() - SignatureFaults.StaleBy(delivery)).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = new byte[timestamp.Length + 1 + delivery.Body.Length];
        Encoding.UTF8.GetBytes(timestamp + ".").CopyTo(payload, 0);
        delivery.Body.CopyTo(payload, timestamp.Length + 1);
        var signingSecret = delivery.SignerOptions.TryGetValue(EndpointOption, out var endpoint) ? endpoints?.SecretOf(endpoint) ?? Secret : Secret;
        var signature = HmacSignature.Sha256Hex(signingSecret, payload);
        if (SignatureFaults.IsTampered(delivery))
        {
            signature = SignatureFaults.Tamper(signature);
        }

        headers["Stripe-Signature"] = $"t={timestamp},v1={signature}";
    }

    private JsonObject Envelope(StripeEvent e, int pendingWebhooks)
    {
        var data = new JsonObject { ["object"] = e.Resource.DeepClone() };
        if (e.PreviousAttributes is not null)
        {
            data["previous_attributes"] = e.PreviousAttributes.DeepClone();
        }

        return new JsonObject
        {
            ["id"] = StripeJson.NewId("evt"),
            ["object"] = "event",
            ["api_version"] = context.Settings.Get(Name, ApiVersionSetting) ?? DefaultApiVersion,
            ["created"] = StripeJson.Unix(context.Clock.GetUtcNow()),
            ["data"] = data,
            ["livemode"] = false,
            ["pending_webhooks"] = pendingWebhooks,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = e.Type,
        };
    }

    private CallbackDelivery Render(StripeWebhookEndpoints.Target target, JsonObject envelope, DeliveryFaults faults)
    {
        var evt = (JsonObject)envelope.DeepClone();
        if (target.ApiVersion is { } version)
        {
            evt["api_version"] = version;
        }

        var data = (JsonObject)evt["data"]!["object"]!;
        if (faults.WrongAmount)
        {
            foreach (var field in AmountFields.Where(f => data[f] is JsonValue))
            {
                data[field] = data[field]!.GetValue<long>() + 1;
            }
        }

        var type = evt.Str("type")!;
        var delivery = SignedJsonCallback.Create(type, target.Url, evt.ToJsonString(StripeJson.Indented), Name, faults, "application/json; charset=utf-8");
        if (target.EndpointId is { } endpointId)
        {
            delivery.SignerOptions[EndpointOption] = endpointId;
        }

        delivery.Headers["User-Agent"] = "Stripe/1.0 (+https://stripe.com/docs/webhooks)";
        return delivery;
    }
}

/// <summary>One event an action produced: its type, the object snapshot and, for <c>*.updated</c>, what changed.</summary>
public sealed record StripeEvent(string Type, JsonObject Resource, JsonObject? PreviousAttributes = null);
