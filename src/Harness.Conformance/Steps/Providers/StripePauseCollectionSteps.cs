using System.Globalization;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Paused payment collection (<c>pause_collection</c> on <c>POST /v1/subscriptions/{id}</c>) on the subscription of
/// <see cref="StripeRecurringSteps"/>: its test clock moves to the subscription's own period end or the pause's
/// <c>resumes_at</c> as the API shows them, never by a fixed month.
/// </summary>
[Steps]
public sealed class StripePauseCollectionSteps(ScenarioContext context)
{
    /// <summary>How far past a due time the clock goes.</summary>
    private const long Margin = 3600;

    private long? _resumesAt;
    private string? _draft;

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    [When("the merchant pauses the subscription's payment collection with behavior {string} until {int} day(s) after its period end")]
    public async Task Pause(string behavior, int days)
    {
        var end = await PeriodEndAsync();
        _resumesAt = end + (days * 86_400L);
        var paused = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription,
            [new("pause_collection[behavior]", behavior), new("pause_collection[resumes_at]", _resumesAt.Value.ToString(CultureInfo.InvariantCulture))]);
        Check.Equal("active", ApiReply.Text(ApiReply.Field(paused, "status")), "the status of a subscription whose collection is paused");
        Check.Equal(behavior, ApiReply.Text(ApiReply.Path(paused, "pause_collection.behavior")), "pause_collection.behavior");
        Check.Equal(_resumesAt.Value, ApiReply.Path(paused, "pause_collection.resumes_at").GetInt64(), "pause_collection.resumes_at");
    }

    [When("the test clock is advanced past the subscription's period end")]
    public async Task PastPeriodEnd() => await Recurring.AdvanceToAsync(await PeriodEndAsync() + Margin);

    [When("the test clock is advanced past the pause's resumes_at")]
    public async Task PastResumesAt() =>
        await Recurring.AdvanceToAsync((_resumesAt ?? throw new AssertionException("the scenario paused no collection with resumes_at")) + Margin);

    [Then("the latest invoice is a draft of {int} that does not advance")]
    public async Task LatestDraft(int amount)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, $"/v1/subscriptions/{Recurring.Subscription}?expand[]=latest_invoice");
        var invoice = ApiReply.Field(subscription, "latest_invoice");
        Check.Equal("draft", ApiReply.Text(ApiReply.Field(invoice, "status")), "the held renewal invoice's status");
        Check.Equal(JsonValueKind.False, ApiReply.Field(invoice, "auto_advance").ValueKind, "the held renewal invoice's auto_advance");
        Check.Equal(amount, ApiReply.Field(invoice, "amount_due").GetInt64(), "the held renewal invoice's amount_due");
        _draft = ApiReply.Text(ApiReply.Field(invoice, "id"));
    }

    [Then("the subscription's payment collection is no longer paused")]
    public async Task Resumed()
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription);
        Check.Equal(JsonValueKind.Null, ApiReply.Field(subscription, "pause_collection").ValueKind, "pause_collection after resumes_at");
        Check.Equal("active", ApiReply.Text(ApiReply.Field(subscription, "status")), "the subscription's status");
    }

    [When("the merchant finalizes and pays the held draft invoice")]
    public async Task FinalizeAndPay()
    {
        var draft = _draft ?? throw new AssertionException("the scenario saw no held draft invoice");
        var open = await Recurring.OkAsync(HttpMethod.Post, $"/v1/invoices/{draft}/finalize");
        Check.Equal("open", ApiReply.Text(ApiReply.Field(open, "status")), "the finalized draft's status");
        var paid = await Recurring.OkAsync(HttpMethod.Post, $"/v1/invoices/{draft}/pay");
        Check.Equal("paid", ApiReply.Text(ApiReply.Field(paid, "status")), "the paid draft's status");
    }

    private async Task<long> PeriodEndAsync() =>
        ApiReply.Path(await Recurring.OkAsync(HttpMethod.Get, "/v1/subscriptions/" + Recurring.Subscription), "items.data.0.current_period_end").GetInt64();
}
