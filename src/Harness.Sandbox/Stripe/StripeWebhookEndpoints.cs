using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// The Webhook Endpoints API: endpoints a backend registers itself (<c>POST /v1/webhook_endpoints</c>), each with its
/// own URL, signing secret (answered only at creation), <c>enabled_events</c> and optional <c>api_version</c>. Events go
/// to every enabled endpoint that asks for their type, beside the dashboard's endpoint (the <c>webhook_url</c> setting).
/// A deleted endpoint stays stored, flagged, so attempts already queued for it are still signed with its secret.
/// </summary>
public sealed class StripeWebhookEndpoints(ProviderObjects objects, TimeProvider clock)
{
    public const string Path = "/v1/webhook_endpoints";
    public const string Type = "webhook_endpoint";

    /// <summary>Stripe's limit of endpoints per account in test mode.</summary>
    public const int MaxEndpoints = 16;

    private const string AllEvents = "*";
    private const int MaxDescription = 5000;

    private static readonly HashSet<string> CreateParams = ["url", "enabled_events", "description", "api_version", "metadata", "connect", "expand"];
    private static readonly HashSet<string> UpdateParams = ["url", "enabled_events", "description", "disabled", "metadata", "expand"];

    /// <summary>Every event type Stripe lets an endpoint subscribe to (as Stripe.net 53 lists them), one per line.</summary>
    private static readonly string[] EventTypes = ReadEventTypes();
    private static readonly HashSet<string> KnownTypes = new(EventTypes, StringComparer.Ordinal);

    /// <summary>Where one event goes: an API endpoint (with its id, version and filter) or the dashboard's (id null, every event).</summary>
    public sealed record Target(string Url, string? EndpointId, string? ApiVersion, IReadOnlySet<string>? EnabledEvents)
    {
        public bool Wants(string type) => EnabledEvents is null || EnabledEvents.Contains(AllEvents) || EnabledEvents.Contains(type);
    }

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Str("connect") is "true")
        {
            return StripeErrors.InvalidParam("connect is not simulated by the sandbox: it has no connected accounts, so a Connect endpoint would never receive an event.", "connect");
        }

        if (p.Str("connect") is { } connect && connect != "false")
        {
            return StripeErrors.InvalidParam($"Invalid boolean: {StripeLists.Clip(connect)}", "connect");
        }

        if (p["url"] is null)
        {
            return StripeErrors.Missing("url");
        }

        if (p["enabled_events"] is null)
        {
            return StripeErrors.Missing("enabled_events");
        }

        var apiVersion = p.Str("api_version");
        if (apiVersion is not null && !StripeProvider.ApiVersion().IsMatch(apiVersion))
        {
            return StripeErrors.InvalidParam($"Invalid api_version: {StripeLists.Clip(apiVersion)}. Give a Stripe API version such as {StripeWebhooks.DefaultApiVersion}.", "api_version");
        }

        if (CheckCommon(p, out var metadata) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (Live().Count() >= MaxEndpoints)
            {
                return StripeErrors.InvalidParam($"You have reached the maximum of {MaxEndpoints} test webhook endpoints on this account. Delete one before you create another.", null);
            }

            var id = StripeJson.NewId("we");
            var secret = StripeJson.NewId("whsec");
            var endpoint = new JsonObject
            {
                ["id"] = id,
                ["object"] = Type,
                ["api_version"] = apiVersion,
                ["application"] = null,
                ["created"] = StripeJson.Unix(clock.GetUtcNow()),
                ["description"] = Description(p),
                ["enabled_events"] = Events(p),
                ["livemode"] = false,
                ["metadata"] = metadata,
                ["status"] = "enabled",
                ["url"] = p.Str("url"),
                ["_secret"] = secret,
            };
            objects.Put(endpoint);

            // The secret is in the creation's answer only, as at Stripe.
            var shown = StripeLists.Public(endpoint);
            shown["secret"] = secret;
            return StripeResponse.Ok(shown);
        });
    }

    public StripeResponse Retrieve(string id) => Find(id) is { } endpoint ? StripeResponse.Ok(StripeLists.Public(endpoint)) : NoSuch(id);

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        var disabled = p.Str("disabled");
        if (disabled is not null and not ("true" or "false"))
        {
            return StripeErrors.InvalidParam($"Invalid boolean: {StripeLists.Clip(disabled)}", "disabled");
        }

        if (CheckCommon(p, out var metadata) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } endpoint)
            {
                return NoSuch(id);
            }

            if (p["url"] is not null)
            {
                endpoint["url"] = p.Str("url");
            }

            if (p["enabled_events"] is not null)
            {
                endpoint["enabled_events"] = Events(p);
            }

            if (p["description"] is not null)
            {
                endpoint["description"] = Description(p);
            }

            if (disabled is not null)
            {
                endpoint["status"] = disabled == "true" ? "disabled" : "enabled";
            }

            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(endpoint, metadata, new JsonObject());
            }

            objects.Put(endpoint);
            return StripeResponse.Ok(StripeLists.Public(endpoint));
        });
    }

    public StripeResponse Delete(string id) => objects.Atomically(() =>
    {
        if (Find(id) is not { } endpoint)
        {
            return NoSuch(id);
        }

        endpoint["_deleted"] = true;
        objects.Put(endpoint);
        return StripeResponse.Ok(new JsonObject { ["id"] = id, ["object"] = Type, ["deleted"] = true });
    });

    public StripeResponse List(JsonObject query) =>
        StripeLists.Page(Path, after => objects.Newest(Type, after).Where(e => e["_deleted"] is null), query, StripeLists.Public);

    /// <summary>The enabled endpoints, each as where an event may go.</summary>
    public IEnumerable<Target> Enabled() =>
        Live().Where(e => e.Str("status") == "enabled").Select(e => new Target(
            e.Str("url")!,
            e.Str("id"),
            e.Str("api_version"),
            ((JsonArray)e["enabled_events"]!).Select(x => x!.GetValue<string>()).ToHashSet(StringComparer.Ordinal)));

    /// <summary>The signing secret of an endpoint, deleted or not (its queued attempts are still signed), or null for an id never made.</summary>
    public string? SecretOf(string id) => objects.Get(id, Type)?.Str("_secret");

    private IEnumerable<JsonObject> Live() => objects.Newest(Type).Where(e => e["_deleted"] is null);

    private JsonObject? Find(string id) => objects.Get(id, Type) is { } endpoint && endpoint["_deleted"] is null ? endpoint : null;

    private static StripeResponse NoSuch(string id) => StripeErrors.NoSuch(Type, id, "id");

    /// <summary>What create and update both check: the URL, the events, the description and the metadata.</summary>
    private static StripeResponse? CheckCommon(JsonObject p, out JsonObject metadata)
    {
        if (!StripeLists.TryMetadata(p, out metadata, out var error))
        {
            return error;
        }

        if (p["url"] is not null && !HttpUrl.IsValid(p.Str("url")))
        {
            return StripeErrors.InvalidParam($"Invalid URL: {StripeLists.Clip(p.Str("url") ?? "")}. An endpoint's URL must be an absolute http or https URL.", "url", "url_invalid");
        }

        if (p["description"] is not null && p.Str("description") is not { Length: <= MaxDescription })
        {
            return StripeErrors.InvalidParam($"Invalid description: must be a string of at most {MaxDescription} characters.", "description");
        }

        return p["enabled_events"] is null ? null : CheckEvents(p["enabled_events"]!);
    }

    private static StripeResponse? CheckEvents(JsonNode events)
    {
        if (events is not JsonArray { Count: > 0 } list)
        {
            return StripeErrors.InvalidParam("Invalid array: enabled_events must list at least one event type, or \"*\" for all of them.", "enabled_events");
        }

        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is not JsonValue value || value.ToString() is not { } type || (type != AllEvents && !KnownTypes.Contains(type)))
            {
                return StripeErrors.InvalidParam($"Invalid enabled_events[{i}]: must be one of {AllEvents}, {string.Join(", ", EventTypes)}", $"enabled_events[{i}]");
            }
        }

        return null;
    }

    private static JsonArray Events(JsonObject p) =>
        new([.. ((JsonArray)p["enabled_events"]!).Select(x => x!.GetValue<string>()).Distinct(StringComparer.Ordinal).Select(t => (JsonNode)t)]);

    private static string? Description(JsonObject p) => p.Str("description") is { Length: > 0 } text ? text : null;

    private static string[] ReadEventTypes()
    {
        using var stream = typeof(StripeWebhookEndpoints).Assembly.GetManifestResourceStream("Harness.Sandbox.Stripe.StripeEventTypes.txt")
            ?? throw new InvalidOperationException("The Stripe event type list is not embedded in the sandbox's assembly.");
        using var reader = new StreamReader(stream);
        return [.. reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }
}
