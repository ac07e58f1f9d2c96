using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// <c>cancellation_details</c> (<c>comment</c>, <c>feedback</c>) on an update or a cancel, as the customer portal records
/// a cancellation reason; <c>reason</c> stays Stripe's own (<c>cancellation_requested</c>, <c>payment_failed</c>).
/// </summary>
public sealed partial class StripeSubscriptions
{
    /// <summary>Stripe's <c>cancellation_details.feedback</c> values, also the portal's cancellation reason options.</summary>
    public static readonly IReadOnlyList<string> Feedbacks =
        ["customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"];

    private const int MaxComment = 5000;

    private static readonly string[] DetailFields = ["comment", "feedback"];

    private static StripeResponse? ReadCancellationDetails(JsonObject p, out JsonObject? details)
    {
        details = null;
        if (p["cancellation_details"] is null)
        {
            return null;
        }

        if (p["cancellation_details"] is not JsonObject given || given.Any(kv => kv.Key is not ("comment" or "feedback") || kv.Value is not JsonValue))
        {
            return StripeErrors.InvalidParam("Invalid object", "cancellation_details");
        }

        if (given.Str("feedback") is { Length: > 0 } feedback && !Feedbacks.Contains(feedback))
        {
            return StripeErrors.InvalidParam($"Invalid cancellation_details[feedback]: must be one of {string.Join(", ", Feedbacks)}", "cancellation_details[feedback]");
        }

        if (given.Str("comment") is { Length: > MaxComment })
        {
            return StripeErrors.InvalidParam($"Invalid cancellation_details[comment]: must be at most {MaxComment} characters", "cancellation_details[comment]");
        }

        details = given;
        return null;
    }

    /// <summary>The given comment and feedback into the subscription's details (an empty one clears it); the details before go to <paramref name="previous"/> when they change.</summary>
    private static void RecordCancellationDetails(JsonObject subscription, JsonObject? details, JsonObject previous)
    {
        if (details is null)
        {
            return;
        }

        var current = subscription["cancellation_details"] as JsonObject ?? new JsonObject { ["comment"] = null, ["feedback"] = null, ["reason"] = null };
        var before = current.DeepClone();
        foreach (var field in DetailFields.Where(f => details[f] is not null))
        {
            current[field] = details.Str(field) is { Length: > 0 } value ? value : null;
        }

        subscription["cancellation_details"] = current;
        if (!JsonNode.DeepEquals(before, current) && !previous.ContainsKey("cancellation_details"))
        {
            previous["cancellation_details"] = before;
        }
    }
}
