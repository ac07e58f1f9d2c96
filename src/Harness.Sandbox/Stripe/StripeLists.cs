using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>Helpers the recurring-billing resources share: list pages, public views, parameter reading.</summary>
public static class StripeLists
{
    /// <summary>
    /// One page of a Stripe list (newest first, from after the <c>starting_after</c> object:
    /// <see cref="ProviderObjects.Newest"/>): <c>limit</c> 1–100 (default 10); a bad limit is Stripe's 400.
    /// </summary>
    public static StripeResponse Page(string url, IEnumerable<JsonObject> items, JsonObject query, Func<JsonObject, JsonObject>? view = null)
    {
        if (Limit(query, out var limit) is { } bad)
        {
            return bad;
        }

        var page = items.Take((int)limit + 1).ToList();
        return StripeResponse.Ok(StripeJson.List(url, page.Take((int)limit).Select(i => (JsonNode)(view ?? Public)(i)), page.Count > limit));
    }

    /// <summary>
    /// <see cref="Page(string, IEnumerable{JsonObject}, JsonObject, Func{JsonObject, JsonObject}?)"/> that also takes <c>ending_before</c>: the page of objects just newer than it, still newest first
    /// (<c>has_more</c>: newer ones remain). <paramref name="newest"/> gives the matching objects newest first, after an
    /// object id when given one; an <c>ending_before</c> that is not among them gives an empty page.
    /// </summary>
    public static StripeResponse Page(string url, Func<string?, IEnumerable<JsonObject>> newest, JsonObject query, Func<JsonObject, JsonObject>? view = null)
    {
        if (query.Str("ending_before") is not { } endingBefore)
        {
            return Page(url, newest(query.Str("starting_after")), query, view);
        }

        if (query["starting_after"] is not null)
        {
            return StripeErrors.InvalidParam("You may only specify one of these parameters: ending_before, starting_after.", "ending_before");
        }

        if (Limit(query, out var limit) is { } bad)
        {
            return bad;
        }

        var newer = new List<JsonObject>();
        foreach (var item in newest(null))
        {
            if (item.Str("id") == endingBefore)
            {
                var page = newer.Skip(Math.Max(0, newer.Count - (int)limit));
                return StripeResponse.Ok(StripeJson.List(url, page.Select(i => (JsonNode)(view ?? Public)(i)), newer.Count > limit));
            }

            newer.Add(item);
        }

        return StripeResponse.Ok(StripeJson.List(url, [], false));
    }

    /// <summary><c>limit</c>: 1–100, 10 when absent; anything else is Stripe's 400.</summary>
    private static StripeResponse? Limit(JsonObject query, out long limit)
    {
        limit = 10L;
        return query.Str("limit") is { } limitText && (!StripeJson.TryLong(limitText, out limit) || limit is < 1 or > 100)
            ? StripeErrors.InvalidParam("This value must be greater than or equal to 1 and less than or equal to 100.", "limit")
            : null;
    }

    /// <summary>
    /// The stored object without the sandbox's own bookkeeping (fields starting with <c>_</c>), and without the tiers of
    /// the prices in it, which Stripe shows only when expanded (<see cref="StripeTiers.Hide"/>).
    /// </summary>
    public static JsonObject Public(JsonObject stored)
    {
        var copy = (JsonObject)stored.DeepClone();
        foreach (var key in copy.Select(kv => kv.Key).Where(k => k.StartsWith('_')).ToList())
        {
            copy.Remove(key);
        }

        StripeTiers.Hide(copy);
        return copy;
    }

    /// <summary>The first parameter not in <paramref name="allowed"/> as Stripe's 400, or null.</summary>
    public static StripeResponse? Unknown(JsonObject p, IReadOnlySet<string> allowed) =>
        p.Select(kv => kv.Key).FirstOrDefault(k => !allowed.Contains(k)) is { } unknown
            ? StripeErrors.InvalidParam($"Received unknown parameter: {unknown}", unknown, "parameter_unknown")
            : null;

    /// <summary>The <c>metadata</c> answers that stand for <c>metadata=""</c>: on an update, every key is unset.</summary>
    private static readonly ConditionalWeakTable<JsonObject, object> ClearingMetadata = [];

    /// <summary>
    /// A <c>metadata</c> parameter: absent, an object of strings, or empty (<c>metadata=""</c>, what Stripe's SDKs send
    /// for a metadata set to null: no metadata on a create, every key unset by <see cref="MergeMetadata"/>).
    /// </summary>
    public static bool TryMetadata(JsonObject p, out JsonObject metadata, out StripeResponse? error)
    {
        metadata = new JsonObject();
        error = null;
        if (p["metadata"] is null)
        {
            return true;
        }

        if (p["metadata"] is JsonValue value && value.ToString().Length == 0)
        {
            ClearingMetadata.Add(metadata, true);
            return true;
        }

        if (p["metadata"] is not JsonObject given || given.Any(kv => kv.Value is not JsonValue))
        {
            error = StripeErrors.InvalidParam("Invalid object", "metadata");
            return false;
        }

        metadata = (JsonObject)given.DeepClone();
        return true;
    }

    /// <summary>
    /// An update's <c>metadata</c> (read by <see cref="TryMetadata"/>) merged into <paramref name="target"/>'s: an empty
    /// value unsets its key, as at Stripe; the metadata before goes to <paramref name="previous"/> for the event.
    /// </summary>
    public static void MergeMetadata(JsonObject target, JsonObject metadata, JsonObject previous)
    {
        previous["metadata"] = target["metadata"]!.DeepClone();
        var merged = (JsonObject)target["metadata"]!;
        if (ClearingMetadata.TryGetValue(metadata, out _))
        {
            merged.Clear();
        }

        foreach (var (key, value) in metadata)
        {
            if (value!.ToString().Length == 0)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }
    }

    /// <summary>A boolean form parameter (<c>true</c>/<c>false</c>); anything else is Stripe's 400.</summary>
    public static bool TryBool(JsonObject p, string name, out bool? value, out StripeResponse? error)
    {
        value = null;
        error = null;
        if (p[name] is null)
        {
            return true;
        }

        switch (p.Str(name))
        {
            case "true":
                value = true;
                return true;
            case "false":
                value = false;
                return true;
            default:
                error = StripeErrors.InvalidParam($"Invalid boolean: {Clip(p[name]?.ToJsonString() ?? "")}", name);
                return false;
        }
    }

    /// <summary>
    /// A list's <c>created</c> filter: a Unix time, or a range of <c>gt</c>/<c>gte</c>/<c>lt</c>/<c>lte</c>; anything
    /// else is Stripe's 400. <paramref name="matches"/> tells whether a <c>created</c> time passes.
    /// </summary>
    public static StripeResponse? CreatedFilter(JsonObject query, out Func<long, bool> matches)
    {
        matches = _ => true;
        switch (query["created"])
        {
            case null:
                return null;
            case JsonValue:
                if (!StripeJson.TryLong(query.Str("created"), out var exact))
                {
                    return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(query["created"]!.ToJsonString())}", "created");
                }

                matches = t => t == exact;
                return null;
            case JsonObject range:
                var bounds = new List<Func<long, bool>>();
                foreach (var (op, value) in range)
                {
                    if (!StripeJson.TryLong(value.Str(op) ?? (value as JsonValue)?.ToString(), out var bound))
                    {
                        return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(value?.ToJsonString() ?? "")}", $"created[{op}]");
                    }

                    Func<long, bool>? test = op switch
                    {
                        "gt" => t => t > bound,
                        "gte" => t => t >= bound,
                        "lt" => t => t < bound,
                        "lte" => t => t <= bound,
                        _ => null,
                    };
                    if (test is null)
                    {
                        return StripeErrors.InvalidParam($"Received unknown parameter: created[{op}]", $"created[{op}]", "parameter_unknown");
                    }

                    bounds.Add(test);
                }

                matches = t => bounds.All(b => b(t));
                return null;
            default:
                return StripeErrors.InvalidParam("Invalid integer", "created");
        }
    }

    public static string Clip(string text) => text.Length > 100 ? text[..100] : text;
}
