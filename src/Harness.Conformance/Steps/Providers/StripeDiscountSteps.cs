using System.Globalization;
using System.Net;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe coupons, promotion codes and discounts over HTTP: a coupon or code on a Checkout Session, a code typed on the
/// hosted page, redemptions, and a subscription's discounted invoices (with <see cref="StripeRecurringSteps"/>' test clock).
/// </summary>
[Steps]
public sealed class StripeDiscountSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _coupon;
    private string? _promo;
    private string? _code;
    private string? _secondCoupon;
    private List<string> _discounts = [];

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    /// <summary>The scenario's coupon, for the steps that apply it beside something else (a tax rate).</summary>
    internal string CouponId => Coupon;

    private string Coupon => _coupon ?? throw new AssertionException("the scenario has no coupon yet");

    [Given("a Stripe coupon of {int} percent off")]
    public Task PercentOff(int percent) => CouponAsync([new("percent_off", Text(percent))]);

    [Given("a Stripe coupon of {int} {string} off")]
    public Task AmountOff(int amount, string currency) => CouponAsync([new("amount_off", Text(amount)), new("currency", currency)]);

    [Given("a Stripe coupon of {int} percent off repeating for {int} months")]
    public Task Repeating(int percent, int months) =>
        CouponAsync([new("percent_off", Text(percent)), new("duration", "repeating"), new("duration_in_months", Text(months))]);

    [Given("a Stripe coupon of {int} percent off forever")]
    public Task PercentOffForever(int percent) => CouponAsync([new("percent_off", Text(percent)), new("duration", "forever")]);

    [Given("a second Stripe coupon of {int} {string} off forever")]
    public async Task SecondAmountOffForever(int amount, string currency)
    {
        var first = _coupon;
        await CouponAsync([new("amount_off", Text(amount)), new("currency", currency), new("duration", "forever")], "second-coupon");
        (_secondCoupon, _coupon) = (_coupon, first);
    }

    [Given("a promotion code for the coupon")]
    public async Task PromotionCode()
    {
        // Codes are letters and digits, unique among active ones: one per run.
        _code = new string([.. context.Unique("code").Where(char.IsLetterOrDigit)]).ToUpperInvariant();
        var promo = await Recurring.OkAsync(HttpMethod.Post, "/v1/promotion_codes", [new("promotion[type]", "coupon"), new("promotion[coupon]", Coupon), new("code", _code)]);
        _promo = ApiReply.Text(ApiReply.Field(promo, "id"));
    }

    [When("the merchant creates a payment checkout session for {int} of {string} with the coupon")]
    public async Task SessionWithCoupon(int quantity, string price)
    {
        var form = await Stripe.SessionFormAsync("payment", price, quantity);
        form.Add(new("discounts[0][coupon]", Coupon));
        _world.PaymentId = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Post, "/v1/checkout/sessions", form), "id"));
    }

    [Given("an open payment checkout session for {int} of {string} that allows promotion codes")]
    public async Task SessionWithCodes(int quantity, string price)
    {
        var form = await Stripe.SessionFormAsync("payment", price, quantity);
        form.Add(new("allow_promotion_codes", "true"));
        _world.PaymentId = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Post, "/v1/checkout/sessions", form), "id"));
    }

    [When("the merchant creates a checkout session with the coupon and allow_promotion_codes")]
    public async Task SessionWithBoth()
    {
        var form = await Stripe.SessionFormAsync("payment");
        form.Add(new("discounts[0][coupon]", Coupon));
        form.Add(new("allow_promotion_codes", "true"));
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", form);
        Check.Equal("allow_promotion_codes", ApiReply.Text(ApiReply.Path(reply.Json, "error.param")), "the refusal's param");
    }

    [When("the buyer types the promotion code {string} on the pay page")]
    public Task TypeCode(string code) => TypeAsync(code);

    [When("the buyer types the promotion code on the pay page")]
    public Task TypeTheCode() => TypeAsync(_code ?? throw new AssertionException("the scenario has no promotion code yet"));

    [Then("the pay page says {string} and shows {string}")]
    public void PageSays(string words, string amount)
    {
        PageShows(words);
        PageShows(amount);
    }

    [Then("the pay page shows {string}")]
    public void PageShows(string text)
    {
        var page = _world.PayPage ?? throw new AssertionException("the buyer has not used the pay page yet");
        Check.Equal(HttpStatusCode.OK, page.Status, "the pay page's answer");
        Check.That(page.Body.Contains(text, StringComparison.Ordinal), $"the pay page does not show \"{text}\": {page.Body}");
    }

    [Then("the session's subtotal is {int}, its discount {int} and its total {int}")]
    public async Task Amounts(int subtotal, int discount, int total)
    {
        var session = await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);
        Check.Equal(subtotal, ApiReply.Field(session, "amount_subtotal").GetInt64(), "the session's amount_subtotal");
        Check.Equal(discount, ApiReply.Path(session, "total_details.amount_discount").GetInt64(), "the session's total_details.amount_discount");
        Check.Equal(total, ApiReply.Field(session, "amount_total").GetInt64(), "the session's amount_total");
    }

    [Then("the session's payment intent is for {int}")]
    public async Task IntentAmount(int amount)
    {
        var session = await Recurring.OkAsync(HttpMethod.Get, "/v1/checkout/sessions/" + _world.ThePayment);
        var intent = await Recurring.OkAsync(HttpMethod.Get, "/v1/payment_intents/" + ApiReply.Text(ApiReply.Field(session, "payment_intent")));
        Check.Equal(amount, ApiReply.Field(intent, "amount").GetInt64(), "the PaymentIntent's amount");
    }

    [Then("the coupon has been redeemed {int} time(s)")]
    public async Task CouponRedeemed(int times) =>
        Check.Equal(times, ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/coupons/" + Coupon), "times_redeemed").GetInt64(), "the coupon's times_redeemed");

    [Then("the promotion code has been redeemed {int} time(s)")]
    public async Task CodeRedeemed(int times) =>
        Check.Equal(times, ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/promotion_codes/" + _promo), "times_redeemed").GetInt64(), "the promotion code's times_redeemed");

    [When("the customer subscribes to {string} through the API with the coupon")]
    public async Task SubscribeWithCoupon(string price)
    {
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", price), new("discounts[0][coupon]", Coupon)]);
        Check.Equal(1, ApiReply.Field(subscription, "discounts").GetArrayLength(), "the subscription's discounts");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [When("the customer subscribes to {string} through the API with both coupons, the first coupon first")]
    public async Task SubscribeWithBoth(string price)
    {
        var second = _secondCoupon ?? throw new AssertionException("the scenario has no second coupon");
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions",
            [new("customer", Recurring.Customer), new("items[0][price]", price), new("discounts[0][coupon]", Coupon), new("discounts[1][coupon]", second)]);
        _discounts = [.. ApiReply.Field(subscription, "discounts").EnumerateArray().Select(ApiReply.Text)];
        Check.Equal(2, _discounts.Count, "the subscription's discounts");
        Recurring.Subscribed(ApiReply.Text(ApiReply.Field(subscription, "id")));
    }

    [When("the merchant keeps only the second coupon's discount on the subscription")]
    public async Task KeepSecond()
    {
        var kept = _discounts.ElementAtOrDefault(1) ?? throw new AssertionException("the subscription has no second discount");
        var subscription = await Recurring.OkAsync(HttpMethod.Post, "/v1/subscriptions/" + Recurring.Subscription, [new("discounts[0][discount]", kept)]);
        Check.Equal(kept, string.Join(",", ApiReply.Field(subscription, "discounts").EnumerateArray().Select(ApiReply.Text)), "the subscription's discounts after the update");
    }

    private async Task CouponAsync(List<KeyValuePair<string, string>> form, string label = "coupon")
    {
        form.Add(new("id", context.Unique(label)));
        _coupon = ApiReply.Text(ApiReply.Field(await Recurring.OkAsync(HttpMethod.Post, "/v1/coupons", form), "id"));
    }

    private async Task TypeAsync(string code)
    {
        var page = _world.PayPageUrl(await _world.CurrentPaymentAsync());
        _world.PayPage = await _world.SendAsync(HttpMethod.Post, page, new FormUrlEncodedContent([new("action", "apply-promotion-code"), new("promotion_code", code)]));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
