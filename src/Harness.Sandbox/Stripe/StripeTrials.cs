using System.Text.Json.Nodes;
using Harness.Sandbox.Payments;

namespace Harness.Sandbox.Stripe;

/// <summary>
/// Subscription trials (docs.stripe.com/billing/subscriptions/trials): the checkout's
/// <c>subscription_data[trial_period_days|trial_end|trial_settings]</c> and the same parameters of
/// <c>POST /v1/subscriptions</c>, when <c>customer.subscription.trial_will_end</c> is due, and <c>trial_end</c> on a
/// subscription update. The billing of a trial is <see cref="StripeBilling"/>'s.
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

    /// <summary>The plan change parameters an update adding a trial refuses.</summary>
    private static readonly string[] NotWithAddedTrial = ["items", "billing_cycle_anchor", "proration_date"];

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

        if ((data["trial_period_days"] is not null || data["trial_end"] is not null) && mode != "subscription")
        {
            return StripeErrors.InvalidParam($"`{Prefix}` can only be used in `subscription` mode.", Prefix);
        }

        return Read(data, field => $"{Prefix}[{field}]", now, MinCheckoutLeadSeconds, out trial);
    }

    /// <summary>
    /// <c>POST /v1/subscriptions</c>' <c>trial_period_days</c>, <c>trial_end</c> (a future timestamp, or <c>now</c>:
    /// no trial) and <c>trial_settings</c>, read as a checkout's are; null <paramref name="trial"/> when there is none.
    /// </summary>
    public static StripeResponse? ReadCreate(JsonObject p, long now, out JsonObject? trial)
    {
        trial = null;
        if (p.Str("trial_end") == "now")
        {
            return p["trial_period_days"] is not null
                ? StripeErrors.InvalidParam("You may only specify one of these parameters: trial_end, trial_period_days.", "trial_end")
                : ReadMissingPaymentMethod(p, field => field, out _);
        }

        return Read(p, field => field, now, 1, out trial);
    }

    private static StripeResponse? Read(JsonObject data, Func<string, string> name, long now, long minLead, out JsonObject? trial)
    {
        trial = null;
        var daysText = data.Str("trial_period_days");
        var endText = data.Str("trial_end");
        if (daysText is null && endText is null)
        {
            return ReadMissingPaymentMethod(data, name, out _);
        }

        if (daysText is not null && endText is not null)
        {
            return StripeErrors.InvalidParam(
                $"You may only specify one of these parameters: {name("trial_end")}, {name("trial_period_days")}.", name("trial_end"));
        }

        if (ReadMissingPaymentMethod(data, name, out var behavior) is { } refused)
        {
            return refused;
        }

        trial = new JsonObject { ["missing_payment_method"] = behavior };
        if (daysText is not null)
        {
            if (!StripeJson.TryLong(daysText, out var days))
            {
                return StripeErrors.InvalidParam($"Invalid integer: {StripeLists.Clip(daysText)}", name("trial_period_days"));
            }

            if (days is < 1 or > MaxDays)
            {
                return StripeErrors.InvalidParam(
                    $"The trial period must be at least 1 day and at most {MaxDays} days: `{name("trial_period_days")}` was {days}.", name("trial_period_days"));
            }

            trial["period_days"] = days;
            return null;
        }

        if (ReadEnd(endText!, name("trial_end"), now, minLead, out var end) is { } badEnd)
        {
            return badEnd;
        }

        trial["end"] = end;
        return null;
    }

    /// <summary>A trial's end: an integer Unix time at least <paramref name="minLead"/> seconds and at most 730 days after <paramref name="now"/>.</summary>
    private static StripeResponse? ReadEnd(string text, string param, long now, long minLead, out long end)
    {
        if (!StripeJson.TryLong(text, out end))
        {
            return StripeErrors.InvalidParam($"Invalid timestamp: must be an integer Unix timestamp: {StripeLists.Clip(text)}", param);
        }

        if (end < now + minLead || end > now + (MaxDays * Day))
        {
            return StripeErrors.InvalidParam(minLead > 1
                ? $"`{param}` must be at least 48 hours in the future and at most {MaxDays} days in the future."
                : $"Invalid timestamp: `{param}` must be in the future and at most {MaxDays} days in the future.", param);
        }

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
    /// A subscription update's <c>trial_end</c>: on a trialing subscription <c>now</c> (<paramref name="endNow"/>: end the
    /// trial at once) or a future time to move its end to (<paramref name="moveTo"/>); on an active one a future time
    /// adds a trial until then (<paramref name="moveTo"/> too, see <see cref="StripeBilling.AddTrial"/>); neither when absent.
    /// </summary>
    public static StripeResponse? ReadUpdate(JsonObject p, JsonObject subscription, long now, out bool endNow, out long? moveTo)
    {
        endNow = false;
        moveTo = null;
        if (p["trial_end"] is null)
        {
            return null;
        }

        var status = subscription.Str("status");
        if (status != "trialing" && ReadAdd(p, subscription, status) is { } refused)
        {
            return refused;
        }

        if (p.Str("trial_end") == "now")
        {
            endNow = true;
            return null;
        }

        if (ReadEnd(p.Str("trial_end") ?? "", "trial_end", now, 1, out var end) is { } badEnd)
        {
            return badEnd;
        }

        moveTo = end;
        return null;
    }

    /// <summary>
    /// Whether <c>trial_end</c> may add a trial to a subscription that is not trialing: only an active one, to a future
    /// time, alone or with <c>proration_behavior</c> (a plan change in the same update is not simulated).
    /// </summary>
    private static StripeResponse? ReadAdd(JsonObject p, JsonObject subscription, string? status)
    {
        if (status != "active")
        {
            return StripeErrors.InvalidParam(
                $"`trial_end` adds a trial only to an active subscription, and this one is {status} (a trial for a {status} subscription is not simulated).", "trial_end");
        }

        if (p.Str("trial_end") == "now")
        {
            return StripeErrors.InvalidParam("`trial_end=now` ends a trial, and this subscription is active, not trialing: pass a future Unix time to add a trial.", "trial_end");
        }

        if (NotWithAddedTrial.FirstOrDefault(f => p[f] is not null) is { } other)
        {
            return StripeErrors.InvalidParam($"Adding a trial together with `{other}` is not simulated: add the trial in an update of its own.", "trial_end");
        }

        return !StripeBilling.HasPendingUpdate(subscription) ? null
            : StripeErrors.InvalidParam("This subscription has a pending update: pay its invoice or let it expire before adding a trial.", "trial_end");
    }

    private static StripeResponse? ReadMissingPaymentMethod(JsonObject data, Func<string, string> name, out string behavior)
    {
        var param = name("trial_settings") + "[end_behavior][missing_payment_method]";
        behavior = DefaultMissingPaymentMethod;
        if ((data["trial_settings"] as JsonObject)?["end_behavior"] is not JsonObject endBehavior || endBehavior.Str("missing_payment_method") is not { } value)
        {
            return null;
        }

        if (!MissingPaymentMethodBehaviors.Contains(value))
        {
            return StripeErrors.InvalidParam($"Invalid {param}: must be one of {string.Join(", ", MissingPaymentMethodBehaviors)}", param);
        }

        behavior = value;
        return null;
    }
}
