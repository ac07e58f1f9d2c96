using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// A paused Stripe subscription resumed over HTTP (<c>POST /v1/subscriptions/{id}/resume</c>), on the subscription of
/// <see cref="StripeRecurringSteps"/>.
/// </summary>
[Steps]
public sealed class StripePauseSteps(ScenarioContext context)
{
    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private StripeSteps Stripe => context.Get<StripeSteps>();

    [When("the merchant resumes the paused Stripe subscription")]
    public async Task Resume()
    {
        var resumed = await Recurring.OkAsync(HttpMethod.Post, $"/v1/subscriptions/{Recurring.Subscription}/resume", [new("billing_cycle_anchor", "now")]);
        Check.Equal("active", ApiReply.Text(ApiReply.Field(resumed, "status")), "the resumed subscription's status");
    }

    [Then("resuming the subscription again is refused with a 400")]
    public async Task ResumeRefused()
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, $"/v1/subscriptions/{Recurring.Subscription}/resume");
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, "the HTTP status of resuming a subscription that is not paused");
        Check.Equal("invalid_request_error", ApiReply.Text(ApiReply.Path(reply.Json, "error.type")), "the error's type");
    }
}
