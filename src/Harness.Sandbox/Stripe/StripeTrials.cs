using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Subscription trials (docs.stripe.com/billing/subscriptions/trials): the checkout's
/// <c>subscription_data[trial_period_days|trial_end|trial_settings]</c>, when <c>customer.subscription.trial_will_end</c>
/// is due, and <c>trial_end</c> on a subscription update. The billing of a trial is <see cref="StripeBilling"/>'s.
/// </summary>
public static class StripeTrials
{
    public const long Day = 86_400;

    /// <summary>Stripe's longest trial: 730 days (two years).</summary>
    public const long MaxDays = 730;

    /// <summary>Stripe sends <c>trial_will_end</c> this long before the trial ends (at once when the trial is shorter).</summary>
    public const long NoticeSeconds = 3 * Day;

    /// <summary>A checkout's <c>trial_end</c> must be at least 48 hours after the session is created.</summary>
    public const long MinCheckoutLeadSeconds = 2 * Day;

    public const string DefaultMissingPaymentMethod = "create_invoice";

    private const string Prefix = "subscription_data";

    private static readonly string[] MissingPaymentMethodBehaviors = ["cancel", "create_invoice", "pause"];

    /// <summary>
    /// Reads a checkout's trial parameters into <paramref name="trial"/> (<c>period_days</c> or <c>end</c>, and
    /// <c>missing_payment_method</c>; null when the checkout has no trial), or answers Stripe's 400.
    /// </summary>
    public static StripeResponse? ReadCheckout(JsonObject p, string mode, long now, out JsonObject? trial)
    {
        trial = null;
        if (p[Prefix] is not JsonObject data)
        {
            return p[Prefix] is null ? null : StripeErrors.InvalidParam("Invalid object", Prefix);
        }

        var daysText = data.Str("trial_period_days");
        var endText = data.Str("trial_end");
        if (daysText is null && endText is null)
        {
            return ReadMissingPaymentMethod(data, out _);
        }

        if (mode != "subscription")
        {
            return StripeErrors.InvalidParam($"`{Prefix}` can only be used in `subscription` mode.", Prefix);
        }

        if (daysText is not null && endText is not null)
        {
            return StripeErrors.InvalidParam(
                $"You may only specify one of these parameters: {Prefix}[trial_end], {Prefix}[trial_period_days].", $"{Prefix}[trial_end]");
        }

        if (ReadMissingPaymentMethod(data, out var behavior) is { } refused)
        {
            return refused;
        }

        trial = new JsonObject { ["missing_payment_method"] = behavior };
        if (daysText is not null)
        {
            if (!StripeJson.TryLong(daysText, out var days))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {daysText}", $"{Prefix}[trial_period_days]");
            }

            if (days is < 1 or > MaxDays)
            {
                return StripeErrors.InvalidParam(
                    $"The trial period must be at least 1 day and at most {MaxDays} days: `{Prefix}[trial_period_days]` was {days}.", $"{Prefix}[trial_period_days]");
            }

            trial["period_days"] = days;
            return null;
        }

        if (!StripeJson.TryLong(endText, out var end))
        {
            return StripeErrors.InvalidParam($"Invalid timestamp: must be an integer Unix timestamp: {endText}", $"{Prefix}[trial_end]");
        }

        if (end < now + MinCheckoutLeadSeconds || end > now + (MaxDays * Day))
        {
            return StripeErrors.InvalidParam(
                $"`{Prefix}[trial_end]` must be at least 48 hours in the future and at most {MaxDays} days in the future.", $"{Prefix}[trial_end]");
        }

        trial["end"] = end;
        return null;
    }

    /// <summary>When a checkout's trial ends for a subscription starting at <paramref name="start"/>.</summary>
    public static long EndOf(JsonObject trial, long start) =>
        trial["end"] is JsonValue end ? end.GetValue<long>() : start + (trial["period_days"]!.GetValue<long>() * Day);

    /// <summary>
    /// Whether <c>trial_will_end</c> goes out with the subscription's creation events: its trial is shorter than the
    /// three days of notice. Otherwise <see cref="StripeBilling"/> sends it three days before the end.
    /// </summary>
    public static bool NoticeAtOnce(JsonObject subscription) =>
        subscription.Str("status") == "trialing" && subscription["trial_end"]!.GetValue<long>() - NoticeSeconds <= subscription["trial_start"]!.GetValue<long>();

    /// <summary>A subscription's <c>trial_settings</c>.</summary>
    public static JsonObject Settings(string missingPaymentMethod) =>
        new() { ["end_behavior"] = new JsonObject { ["missing_payment_method"] = missingPaymentMethod } };

    /// <summary>
    /// A subscription update's <c>trial_end</c>, true for <c>now</c> on a trialing subscription (end the trial at once);
    /// false when absent. Moving a trial's end to another time is not simulated: a timestamp is refused.
    /// </summary>
    public static StripeResponse? ReadUpdate(JsonObject p, JsonObject subscription, out bool endNow)
    {
        endNow = false;
        if (p["trial_end"] is null)
        {
            return null;
        }

        if (p.Str("trial_end") != "now")
        {
            return StripeErrors.InvalidParam("The sandbox only ends a trial at once: `trial_end` must be `now` (moving a trial's end is not simulated).", "trial_end");
        }

        if (subscription.Str("status") != "trialing")
        {
            return StripeErrors.InvalidParam($"`trial_end=now` ends a trial, and this subscription is {subscription.Str("status")}, not trialing.", "trial_end");
        }

        endNow = true;
        return null;
    }

    private static StripeResponse? ReadMissingPaymentMethod(JsonObject data, out string behavior)
    {
        const string Param = Prefix + "[trial_settings][end_behavior][missing_payment_method]";
        behavior = DefaultMissingPaymentMethod;
        if ((data["trial_settings"] as JsonObject)?["end_behavior"] is not JsonObject endBehavior || endBehavior.Str("missing_payment_method") is not { } value)
        {
            return null;
        }

        if (!MissingPaymentMethodBehaviors.Contains(value))
        {
            return StripeErrors.InvalidParam($"Invalid {Param}: must be one of {string.Join(", ", MissingPaymentMethodBehaviors)}", Param);
        }

        behavior = value;
        return null;
    }
}
