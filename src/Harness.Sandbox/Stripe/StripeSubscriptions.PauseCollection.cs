using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>pause_collection</c> on <c>POST /v1/subscriptions/{id}</c> (Stripe takes it on updates only): <c>behavior</c>
/// and an optional future <c>resumes_at</c> pause payment collection, <c>pause_collection=""</c> resumes it.
/// <see cref="StripeBilling.HoldWhilePaused"/> holds the invoices meanwhile.
/// </summary>
public sealed partial class StripeSubscriptions
{
    private const string PauseParam = "pause_collection";

    private static readonly HashSet<string> PauseFields = ["behavior", "resumes_at"];

    /// <summary>
    /// Reads <c>pause_collection</c> for <paramref name="subscription"/> at <paramref name="now"/>: false in
    /// <paramref name="given"/> when absent; otherwise the new value in <paramref name="pause"/> (null: unset). Refused on
    /// a subscription that is not <c>active</c> or <c>past_due</c>: an ended one, and (the sandbox's choice, Stripe's docs
    /// being silent) a trialing, incomplete, paused or unpaid one.
    /// </summary>
    private static StripeResponse? ReadPauseCollection(JsonObject p, JsonObject subscription, long now, out bool given, out JsonObject? pause)
    {
        pause = null;
        given = p[PauseParam] is not null;
        if (!given)
        {
            return null;
        }

        var status = subscription.Str("status");
        if (status is "canceled" or "incomplete_expired")
        {
            return StripeErrors.InvalidParam("A canceled subscription can only update its cancellation_details and metadata.", PauseParam);
        }

        if (status is not ("active" or "past_due"))
        {
            return StripeErrors.InvalidParam($"Payment collection can be paused only on an active or past_due subscription, and this one is {status}.", PauseParam);
        }

        if (p[PauseParam] is JsonValue && p.Str(PauseParam) == "")
        {
            return null;
        }

        if (p[PauseParam] is not JsonObject fields)
        {
            return StripeErrors.InvalidParam("Invalid object", PauseParam);
        }

        if (fields.Select(f => f.Key).FirstOrDefault(k => !PauseFields.Contains(k)) is { } unknown)
        {
            return StripeErrors.InvalidParam($"Received unknown parameter: {PauseParam}[{unknown}]", $"{PauseParam}[{unknown}]", "parameter_unknown");
        }

        if (fields.Str("behavior") is not { Length: > 0 } behavior)
        {
            return StripeErrors.Missing($"{PauseParam}[behavior]");
        }

        if (!StripeBilling.PauseBehaviors.Contains(behavior))
        {
            return StripeErrors.InvalidParam($"Invalid {PauseParam}[behavior]: must be one of keep_as_draft, mark_uncollectible, or void", $"{PauseParam}[behavior]");
        }

        long? resumesAt = null;
        if (fields["resumes_at"] is not null)
        {
            const string param = PauseParam + "[resumes_at]";
            if (!StripeJson.TryLong(fields.Str("resumes_at"), out var at))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(fields.Str("resumes_at") ?? "")}", param);
            }

            if (at <= now || at > StripeBilling.MaxUnix)
            {
                return StripeErrors.InvalidParam($"`{param}` must be a Unix time in the future, and {at} is not.", param);
            }

            resumesAt = at;
        }

        pause = new JsonObject { ["behavior"] = behavior, ["resumes_at"] = resumesAt };
        return null;
    }

    /// <summary>Sets or unsets the pause, noting the old value in <paramref name="previous"/> when it changes.</summary>
    private static void ChangePauseCollection(JsonObject subscription, JsonObject? pause, JsonObject previous)
    {
        if (JsonNode.DeepEquals(subscription[PauseParam], pause))
        {
            return;
        }

        previous[PauseParam] = subscription[PauseParam]?.DeepClone();
        subscription[PauseParam] = pause;
    }
}
