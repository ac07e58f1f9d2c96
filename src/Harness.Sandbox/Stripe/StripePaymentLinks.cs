using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Payment Links: a shareable <c>url</c> selling fixed prices, each opening a Checkout Session made from the link
/// (<see cref="StripePaymentLinkPage"/>). Create, retrieve, list, update and line items; the mode follows the prices
/// (any recurring one makes a subscription link), as Stripe infers it.
/// </summary>
public sealed partial class StripePaymentLinks(SandboxContext context, ProviderObjects objects, StripeCatalog catalog, StripeWebhooks webhooks)
{
    public const string Path = "/v1/payment_links";
    public const string Type = "payment_link";

    /// <summary>Where a link's <c>url</c> opens, on the control listener beside the pay pages (Stripe's <c>buy.stripe.com</c>).</summary>
    public const string PagePath = "/buy";

    /// <summary>The pointer from a link's url code to the link: urls do not carry the link's id, as at Stripe.</summary>
    private const string UrlType = "payment_link_url";

    public StripeResponse Create(JsonObject p)
    {
        if (ReadCreate(p, out var link) is { } refused)
        {
            return refused;
        }

        var id = StripeJson.NewId("plink");
        var code = StripeJson.NewId("test")[..19];
        link["id"] = id;
        link["url"] = Url(code);
        link["_code"] = code;
        return objects.Atomically(() =>
        {
            objects.Put(new JsonObject { ["id"] = code, ["object"] = UrlType, ["payment_link"] = id });
            objects.Put(link);
            webhooks.Send(id, [new StripeEvent("payment_link.created", Shown(link, new JsonObject()))]);
            return StripeResponse.Ok(Shown(link, p));
        });
    }

    public StripeResponse Retrieve(string id, JsonObject query) =>
        objects.Get(id, Type) is { } link ? StripeResponse.Ok(Shown(link, query)) : StripeErrors.NoSuch(Type, id, "payment_link");

    public StripeResponse List(JsonObject query)
    {
        if (!StripeLists.TryBool(query, "active", out var active, out var error))
        {
            return error!;
        }

        return StripeLists.Page(Path, after => objects.Newest(Type, after).Where(l => active is null || l["active"]!.GetValue<bool>() == active), query, l => Shown(l, query));
    }

    public StripeResponse LineItems(string id, JsonObject query) => objects.Get(id, Type) is { } link
        ? StripeLists.Page($"{Path}/{id}/line_items", after => Lines(link, after), query, PublicLine)
        : StripeErrors.NoSuch(Type, id, "payment_link");

    public StripeResponse Update(string id, JsonObject p)
    {
        if (StripeLists.Unknown(p, UpdateParams) is { } unknown)
        {
            return unknown;
        }

        if (p.Select(kv => kv.Key).FirstOrDefault(NotSimulatedOnUpdate.Contains) is { } unbuilt)
        {
            return StripeErrors.NotSimulated(unbuilt, "set it when the link is created, or make a new link");
        }

        if (!StripeLists.TryMetadata(p, out var metadata, out var error)
            || !StripeLists.TryBool(p, "active", out var active, out error)
            || !StripeLists.TryBool(p, "allow_promotion_codes", out var codes, out error))
        {
            return error!;
        }

        return objects.Atomically(() =>
        {
            if (objects.Get(id, Type) is not { } link)
            {
                return StripeErrors.NoSuch(Type, id, "payment_link");
            }

            var previous = new JsonObject();
            if (ReadUpdate(p, link, previous) is { } refused)
            {
                return refused;
            }

            Change(link, previous, "active", active);
            Change(link, previous, "allow_promotion_codes", codes);
            if (p["metadata"] is not null)
            {
                StripeLists.MergeMetadata(link, metadata, previous);
            }

            objects.Put(link);
            webhooks.Send(id, [new StripeEvent("payment_link.updated", Shown(link, new JsonObject()), previous)]);
            return StripeResponse.Ok(Shown(link, p));
        });
    }

    /// <summary>The link a url code opens, or null.</summary>
    public JsonObject? ByCode(string code) =>
        objects.Get(code, UrlType)?.Str("payment_link") is { } id ? objects.Get(id, Type) : null;

    /// <summary>Whether the link takes buyers now: active, and its completed-session limit (if any) not reached.</summary>
    public static bool Open(JsonObject link) =>
        link["active"]!.GetValue<bool>()
        && (link["restrictions"]?["completed_sessions"] is not JsonObject completed || completed["count"]!.GetValue<long>() < completed["limit"]!.GetValue<long>());

    /// <summary>The link as an answer shows it: <c>expand[]=line_items</c> gives its first page of line items.</summary>
    private JsonObject Shown(JsonObject link, JsonObject query)
    {
        var shown = StripeLists.Public(link);
        // Read anew: a restarted sandbox listens where it listens now, and the link's url opens there.
        shown["url"] = Url(link.Str("_code")!);
        if (query["expand"] is JsonArray expand && expand.OfType<JsonValue>().Any(e => e.ToString() == "line_items"))
        {
            var lines = Lines(link, null).ToList();
            shown["line_items"] = StripeJson.List($"{Path}/{link.Str("id")}/line_items", lines.Take(10).Select(l => (JsonNode)PublicLine(l)), lines.Count > 10);
        }

        return shown;
    }

    private string Url(string code) => $"{context.ControlBaseUrl}{PagePath}/{code}";

    /// <summary>The link's line items in their order, after the one with id <paramref name="after"/> when given.</summary>
    private static IEnumerable<JsonObject> Lines(JsonObject link, string? after)
    {
        var lines = ((JsonArray)link["_line_items"]!).OfType<JsonObject>().ToList();
        var start = after is null ? 0 : lines.FindIndex(l => l.Str("id") == after) + 1;
        return after is not null && start == 0 ? [] : lines.Skip(start);
    }

    /// <summary>A stored line as Stripe's <c>item</c>: the adjustable range is the link's own, kept aside.</summary>
    private static JsonObject PublicLine(JsonObject line)
    {
        var copy = (JsonObject)line.DeepClone();
        copy.Remove("_adjustable_quantity");
        copy.Remove(InlineMark);
        return copy;
    }

    private static void Change(JsonObject link, JsonObject previous, string field, bool? value)
    {
        if (value is { } now && now != link[field]!.GetValue<bool>())
        {
            previous[field] = !now;
            link[field] = now;
        }
    }
}
