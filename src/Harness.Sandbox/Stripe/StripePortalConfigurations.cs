using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Customer portal configurations (docs.stripe.com/api/customer_portal/configurations): what the hosted portal lets a
/// customer do. Exactly one is the default, made on first need with <see cref="StripePortalFeatures.Defaults"/>, as
/// Stripe makes it from the Dashboard's portal settings; the API cannot make another one the default, nor deactivate it.
/// </summary>
public sealed class StripePortalConfigurations(ProviderObjects objects, StripeWebhooks webhooks, TimeProvider clock)
{
    public const string Path = "/v1/billing_portal/configurations";

    public const string Type = "billing_portal.configuration";

    private const int MaxHeadline = 60;

    private const int MaxName = 256;

    private static readonly HashSet<string> CreateParams = ["business_profile", "default_return_url", "features", "login_page", "metadata", "name", "expand"];

    private static readonly HashSet<string> UpdateParams = [.. CreateParams, "active"];

    private static readonly HashSet<string> ListParams = ["active", "is_default", "limit", "starting_after", "ending_before", "expand"];

    /// <summary>The fields whose change an update reports in <c>previous_attributes</c> (besides metadata and active).</summary>
    private static readonly string[] Tracked = ["business_profile", "default_return_url", "features", "login_page", "name"];

    private static readonly HashSet<string> ProfileFields = ["headline", "privacy_policy_url", "terms_of_service_url"];

    public StripeResponse Create(JsonObject p)
    {
        if (StripeLists.Unknown(p, CreateParams) is { } unknown)
        {
            return unknown;
        }

        if (p["features"] is null)
        {
            return StripeErrors.Missing("features");
        }

        var now = StripeJson.Unix(clock.GetUtcNow());
        var configuration = New(StripeJson.NewId("bpc"), StripePortalFeatures.Disabled(), isDefault: false, now);
        if (Apply(p, configuration, new JsonObject()) is { } refused)
        {
            return refused;
        }

        return objects.Atomically(() =>
        {
            objects.Put(configuration);
            webhooks.Send(configuration.Str("id")!, [new StripeEvent("billing_portal.configuration.created", StripeLists.Public(configuration))]);
            return StripeResponse.Ok(configuration);
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        StripeLists.Unknown(query, new HashSet<string> { "expand" }) ?? (Find(id) is { } found ? StripeResponse.Ok(found) : NoSuch(id, "configuration"));

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(p, "active", out var active, out var badActive))
        {
            return badActive!;
        }

        return objects.Atomically(() =>
        {
            if (Find(id) is not { } configuration)
            {
                return NoSuch(id, "configuration");
            }

            if (active == false && configuration["is_default"]!.GetValue<bool>())
            {
                return StripeErrors.InvalidParam("You cannot deactivate the default configuration.", "active");
            }

            var previous = new JsonObject();
            var changed = (JsonObject)configuration.DeepClone();
            if (Apply(p, changed, previous) is { } refused)
            {
                return refused;
            }

            if (active is { } on && on != changed["active"]!.GetValue<bool>())
            {
                previous["active"] = !on;
                changed["active"] = on;
            }

            foreach (var field in Tracked)
            {
                if (!JsonNode.DeepEquals(configuration[field], changed[field]))
                {
                    previous[field] = configuration[field]?.DeepClone();
                }
            }

            if (previous.Count == 0)
            {
                return StripeResponse.Ok(configuration);
            }

            previous["updated"] = configuration["updated"]!.DeepClone();
            changed["updated"] = StripeJson.Unix(clock.GetUtcNow());
            objects.Put(changed);
            webhooks.Send(id, [new StripeEvent("billing_portal.configuration.updated", StripeLists.Public(changed), previous)]);
            return StripeResponse.Ok(changed);
        });
    }

    /// <summary><c>active</c> and <c>is_default</c> filters, newest first; the default exists by then.</summary>
    public StripeResponse List(JsonObject query)
    {
        if (StripeLists.Unknown(query, ListParams) is { } unknown)
        {
            return unknown;
        }

        if (!StripeLists.TryBool(query, "active", out var active, out var error) || !StripeLists.TryBool(query, "is_default", out var isDefault, out error))
        {
            return error!;
        }

        Default();
        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(c =>
            (active is null || c["active"]!.GetValue<bool>() == active) && (isDefault is null || c["is_default"]!.GetValue<bool>() == isDefault)), query);
    }

    public JsonObject? Find(string id) => objects.Get(id, Type);

    /// <summary>The default configuration, made now when there is none yet (with <c>billing_portal.configuration.created</c>).</summary>
    public JsonObject Default() => objects.Atomically(() =>
    {
        if (objects.Newest(Type).FirstOrDefault(c => c["is_default"]!.GetValue<bool>()) is { } existing)
        {
            return existing;
        }

        var configuration = New(StripeJson.NewId("bpc"), StripePortalFeatures.Defaults(), isDefault: true, StripeJson.Unix(clock.GetUtcNow()));
        objects.Put(configuration);
        webhooks.Send(configuration.Str("id")!, [new StripeEvent("billing_portal.configuration.created", StripeLists.Public(configuration))]);
        return configuration;
    });

    public static StripeResponse NoSuch(string id, string param) => StripeErrors.NoSuch("configuration", StripeLists.Clip(id), param);

    private static JsonObject New(string id, JsonObject features, bool isDefault, long now) => new()
    {
        ["id"] = id,
        ["object"] = Type,
        ["active"] = true,
        ["application"] = null,
        ["business_profile"] = new JsonObject { ["headline"] = null, ["privacy_policy_url"] = null, ["terms_of_service_url"] = null },
        ["created"] = now,
        ["default_return_url"] = null,
        ["features"] = features,
        ["is_default"] = isDefault,
        ["livemode"] = false,
        ["login_page"] = new JsonObject { ["enabled"] = false, ["url"] = null },
        ["metadata"] = new JsonObject(),
        ["name"] = null,
        ["updated"] = now,
    };

    /// <summary>The parameters a create and an update share, applied to <paramref name="configuration"/> (a copy on an update).</summary>
    private StripeResponse? Apply(JsonObject p, JsonObject configuration, JsonObject previous)
    {
        if (!StripeLists.TryMetadata(p, out var metadata, out var badMetadata))
        {
            return badMetadata;
        }

        if ((ReadProfile(p, configuration) ?? ReadLoginPage(p)) is { } bad)
        {
            return bad;
        }

        if (p["default_return_url"] is not null)
        {
            var url = p.Str("default_return_url");
            if (url is not "" && !HttpUrl.IsValid(url))
            {
                return StripeErrors.InvalidParam("Not a valid URL", "default_return_url", "url_invalid");
            }

            configuration["default_return_url"] = url is { Length: > 0 } ? url : null;
        }

        if (p["name"] is not null)
        {
            if (p.Str("name") is not { Length: <= MaxName } name)
            {
                return StripeErrors.InvalidParam($"Invalid name: must be at most {MaxName} characters", "name");
            }

            configuration["name"] = name.Length > 0 ? name : null;
        }

        if (p["features"] is not null && StripePortalFeatures.Merge(p["features"], (JsonObject)configuration["features"]!, objects) is { } badFeatures)
        {
            return badFeatures;
        }

        if (p["metadata"] is not null)
        {
            StripeLists.MergeMetadata(configuration, metadata, previous);
        }

        return null;
    }

    private static StripeResponse? ReadProfile(JsonObject p, JsonObject configuration)
    {
        if (p["business_profile"] is null)
        {
            return null;
        }

        if (p["business_profile"] is not JsonObject given || given.Any(kv => !ProfileFields.Contains(kv.Key) || kv.Value is not JsonValue))
        {
            return StripeErrors.InvalidParam("Invalid object", "business_profile");
        }

        if (given.Str("headline") is { Length: > MaxHeadline })
        {
            return StripeErrors.InvalidParam($"Invalid business_profile[headline]: must be at most {MaxHeadline} characters", "business_profile[headline]");
        }

        foreach (var field in new[] { "privacy_policy_url", "terms_of_service_url" })
        {
            if (given.Str(field) is { Length: > 0 } url && !HttpUrl.IsValid(url))
            {
                return StripeErrors.InvalidParam("Not a valid URL", $"business_profile[{field}]", "url_invalid");
            }
        }

        var profile = (JsonObject)configuration["business_profile"]!;
        foreach (var (key, value) in given)
        {
            profile[key] = value!.ToString() is { Length: > 0 } text ? text : null;
        }

        return null;
    }

    /// <summary>The hosted login page is not built: <c>login_page[enabled]=false</c> is all a configuration takes.</summary>
    private static StripeResponse? ReadLoginPage(JsonObject p)
    {
        if (p["login_page"] is null)
        {
            return null;
        }

        if (p["login_page"] is not JsonObject login || StripeLists.Unknown(login, new HashSet<string> { "enabled" }) is not null)
        {
            return StripeErrors.InvalidParam("Invalid object", "login_page");
        }

        return login.Str("enabled") switch
        {
            "false" => null,
            "true" => StripeErrors.InvalidParam("login_page[enabled]=true is not simulated by the sandbox: there is no hosted portal login page; create a portal session per customer instead.", "login_page[enabled]"),
            _ => StripeErrors.InvalidParam($"Invalid boolean: {StripeLists.Clip(login.Str("enabled") ?? "")}", "login_page[enabled]"),
        };
    }
}
