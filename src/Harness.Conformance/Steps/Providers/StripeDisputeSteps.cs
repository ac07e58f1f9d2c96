using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe disputes over HTTP: a dispute card on the hosted page or as a PaymentMethod, evidence, closing, the deadline
/// passing, the control routes, and Radar's early fraud warnings.
/// </summary>
[Steps]
public sealed class StripeDisputeSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _charge;
    private string? _dispute;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private string Dispute => _dispute ?? throw new AssertionException("the scenario has no dispute yet");

    [When("the buyer pays on the hosted page with the card {string}")]
    public async Task PayWithCard(string card)
    {
        var id = await _world.CurrentPaymentAsync();
        _world.PayPage = await _world.SendAsync(HttpMethod.Post, _world.PayPageUrl(id), new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", card), new("card_expiry", "12 / 45"), new("card_cvc", "123")]));
        await _world.RunDueAsync();
        Check.Equal("paid", ApiReply.Text(ApiReply.Field(await _world.PaymentAsync(id), "status")), "the payment's status");
    }

    [Then("the payment's charge is disputed as {string} with status {string}")]
    public async Task Disputed(string reason, string status)
    {
        var charge = await ChargeAsync();
        Check.Equal("true", ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/charges/" + charge), "disputed")), "the charge's disputed");
        var disputes = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes?charge=" + charge), "data");
        Check.Equal(1, disputes.GetArrayLength(), "the charge's disputes");
        var dispute = disputes[0];
        _dispute = ApiReply.Text(ApiReply.Field(dispute, "id"));
        Check.Equal(reason, ApiReply.Text(ApiReply.Field(dispute, "reason")), "the dispute's reason");
        Check.Equal(status, ApiReply.Text(ApiReply.Field(dispute, "status")), "the dispute's status");
    }

    [Then("refunding the disputed charge is refused with {string}")]
    public async Task RefundRefused(string code)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/refunds", [new("charge", await ChargeAsync())]);
        Check.Equal(HttpStatusCode.BadRequest, reply.Status, $"the refund's answer ({reply.Body})");
        Check.Equal(code, ApiReply.Text(ApiReply.Path(reply.Json, "error.code")), "error.code");
    }

    [When("the merchant submits the evidence {string} for the dispute")]
    public async Task Submit(string text) =>
        await Recurring.OkAsync(HttpMethod.Post, $"/v1/disputes/{await DisputeAsync()}", [new("evidence[uncategorized_text]", text)]);

    [When("the merchant stages the evidence {string} for the dispute")]
    public async Task Stage(string text) =>
        await Recurring.OkAsync(HttpMethod.Post, $"/v1/disputes/{await DisputeAsync()}", [new("evidence[uncategorized_text]", text), new("submit", "false")]);

    /// <summary>Moves the sandbox clock to the second after the dispute's <c>due_by</c> and runs what fell due.</summary>
    [When("the dispute's deadline passes")]
    public async Task DeadlinePasses()
    {
        var dueBy = ApiReply.Path(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes/" + await DisputeAsync()), "evidence_details.due_by").GetInt64();
        // A second to spare: the clock advances by whole seconds, and a sandbox on real time is part of a second on.
        await _world.AdvanceAsync(DateTimeOffset.FromUnixTimeSeconds(dueBy + 1) - await _world.NowAsync() + TimeSpan.FromSeconds(1));
        await _world.RunDueAsync();
    }

    [Then("the payment's charge has {int} disputes with status {string}")]
    public async Task Disputes(int count, string status)
    {
        var disputes = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes?charge=" + await ChargeAsync()), "data");
        Check.Equal(count, disputes.GetArrayLength(), "the charge's disputes");
        foreach (var dispute in disputes.EnumerateArray())
        {
            Check.Equal(status, ApiReply.Text(ApiReply.Field(dispute, "status")), "a dispute's status");
        }
    }

    /// <summary>After the due work runs (which opens an invoice charge's dispute): the customer's charges, each disputed once.</summary>
    [Then("each of the customer's {int} charges is disputed as {string}")]
    public async Task EachDisputed(int count, string reason)
    {
        await _world.RunDueAsync();
        var charges = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, $"/v1/charges?customer={Recurring.Customer}&limit=100"), "data");
        Check.Equal(count, charges.GetArrayLength(), "the customer's charges");
        foreach (var charge in charges.EnumerateArray())
        {
            var id = ApiReply.Text(ApiReply.Field(charge, "id"));
            Check.Equal("true", ApiReply.Text(ApiReply.Field(charge, "disputed")), $"charge {id}'s disputed");
            var disputes = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes?charge=" + id), "data");
            Check.Equal(1, disputes.GetArrayLength(), $"charge {id}'s disputes");
            Check.Equal(reason, ApiReply.Text(ApiReply.Field(disputes[0], "reason")), "the dispute's reason");
        }
    }

    [Then("the payment's charge has an early fraud warning, actionable {string}")]
    public async Task Warned(string actionable)
    {
        var warnings = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/radar/early_fraud_warnings?charge=" + await ChargeAsync()), "data");
        Check.Equal(1, warnings.GetArrayLength(), "the charge's early fraud warnings");
        var id = ApiReply.Text(ApiReply.Field(warnings[0], "id"));
        var warning = await Recurring.OkAsync(HttpMethod.Get, "/v1/radar/early_fraud_warnings/" + id);
        Check.Equal("radar.early_fraud_warning", ApiReply.Text(ApiReply.Field(warning, "object")), "the warning's object");
        Check.Equal(actionable, ApiReply.Text(ApiReply.Field(warning, "actionable")), "the warning's actionable");
    }

    /// <summary>The types of the <c>radar.early_fraud_warning.*</c> events about the scenario's charge, in order.</summary>
    [Then("the receiver gets for the warning {string}")]
    public async Task WarningEvents(string types)
    {
        var charge = await ChargeAsync();
        var mine = (await _world.ReceivedAsync()).Select(r => SandboxWorld.ParseJson(r.Body))
            .Where(e => e.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString()!.StartsWith("radar.early_fraud_warning.", StringComparison.Ordinal)
                && ApiReply.Text(ApiReply.Path(e, "data.object.charge")) == charge)
            .Select(e => ApiReply.Text(ApiReply.Field(e, "type")));
        Check.Equal(types, string.Join(", ", mine), "the warning's events, in order");
    }

    [When("the merchant closes the dispute")]
    public async Task Close() => await Recurring.OkAsync(HttpMethod.Post, $"/v1/disputes/{await DisputeAsync()}/close");

    [Then("the dispute is {string}")]
    public async Task Is(string status) =>
        Check.Equal(status, ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes/" + await DisputeAsync()), "status")), "the dispute's status");

    [When("the control API opens a {string} dispute on the payment's charge")]
    public async Task Open(string reason)
    {
        var opened = await _world.ControlAsync(HttpMethod.Post, $"/control/stripe/charges/{await ChargeAsync()}/dispute", new { reason });
        _dispute = ApiReply.Text(ApiReply.Field(opened, "id"));
    }

    [When("the control API resolves the dispute as {string}")]
    public Task Resolve(string outcome) => _world.ControlAsync(HttpMethod.Post, $"/control/stripe/disputes/{Dispute}/resolve", new { outcome });

    /// <summary>The dispute's events, in order: other scenarios' events go to the same receiver.</summary>
    [Then("the receiver gets for the dispute {string}")]
    public async Task Events(string types)
    {
        var dispute = await DisputeAsync();
        var mine = (await _world.ReceivedAsync()).Select(r => SandboxWorld.ParseJson(r.Body))
            .Where(e => e.TryGetProperty("data", out var data) && data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
                && obj.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == dispute)
            .Select(e => ApiReply.Text(ApiReply.Field(e, "type")));
        Check.Equal(types, string.Join(", ", mine), "the dispute's events, in order");
    }

    /// <summary>The charge of the scenario's payment: a PaymentIntent's latest, or the one of a checkout session's intent.</summary>
    private async Task<string> ChargeAsync()
    {
        if (_charge is not null)
        {
            return _charge;
        }

        var id = _world.ThePayment;
        var intent = id.StartsWith("pi_", StringComparison.Ordinal) ? id
            : ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + id), "payment_intent"));
        return _charge = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/payment_intents/" + intent), "latest_charge"));
    }

    private async Task<string> DisputeAsync()
    {
        if (_dispute is null)
        {
            var disputes = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/disputes?charge=" + await ChargeAsync()), "data");
            Check.Equal(1, disputes.GetArrayLength(), "the charge's disputes");
            _dispute = ApiReply.Text(ApiReply.Field(disputes[0], "id"));
        }

        return _dispute;
    }
}
