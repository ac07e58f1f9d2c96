using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Portaly.Demo;
using Harness.Portaly.Emails;
using Harness.Portaly.HostedCheckout;
using Harness.Portaly.Orders;
using Harness.Portaly.Payments;
using Harness.Portaly.Subscriptions;
using Harness.Security.Signing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Portaly;

/// <summary>The hosted checkout page driven as a buyer's browser would, paying through the in-process TapPay sandbox.</summary>
public sealed partial class HostedCheckoutTests : PortalyOnSandbox
{
    private const string Approved = "4242424242424242";
    private const string Declined = "4000000000000002";
    private const string Success = "https://merchant.example/thanks";
    private const string Email = "buyer@example.com";

    private HttpClient _browser = null!;
    private readonly HttpClient _cardForm = new(new HttpClientHandler { AllowAutoRedirect = false });

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override async ValueTask StartedAsync()
    {
        _browser = App.Anonymous();
        await App.Test().Put("/config", new { merchantName = "Studio <Lin>" });
    }

    protected override ValueTask DisposingAsync()
    {
        _cardForm.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_buyer_verifies_their_email_pays_with_a_card_and_lands_on_the_success_url()
    {
        var id = await Session(new { customerEmail = Email, customerName = "Buyer" });

        var page = await Page(id);
        Assert.Contains("Studio &lt;Lin&gt;", page, StringComparison.Ordinal);
        Assert.Contains("TWD 300 / month", page, StringComparison.Ordinal);
        Assert.Contains($"value=\"{Email}\"", page, StringComparison.Ordinal);
        Assert.Contains("name=\"phone\"", page, StringComparison.Ordinal);

        await VerifyBuyer(id, phone: "0912-345-678");
        var paid = await PayByCard(id, Approved);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal($"{Success}?sessionId={id}", paid.Headers.Location!.ToString());
        var session = (await App.Test().Get("/checkout-sessions/" + id)).Data;
        Assert.Equal(("completed", "Buyer", Email, "0912345678"), (session["status"]!.GetValue<string>(), session["customer"]!["name"]!.GetValue<string>(), session["customer"]!["email"]!.GetValue<string>(), session["customer"]!["phone"]!.GetValue<string>()));
        var subscription = App.Services.GetRequiredService<SubscriptionStore>().Get(id)!;
        Assert.Equal("4242", subscription.Card!.LastFour);
        var order = Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id));
        Assert.Equal((300L, OrderStatus.Paid, TapPayGateway.PaymentMethod), (order.Amount, order.Status, order.PaymentMethod));
        Assert.Single(await Records(id));

        await App.RunDueAsync();
        Assert.Equal(["creator_subscription.checkout.completed", "creator_subscription.active"], Receiver.Received.Select(r => r.Event));
        var callback = Receiver.Received[0];
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        Assert.Equal(order.PaymentReference, JsonNode.Parse(callback.Body)!["paymentReference"]!.GetValue<string>());
        Assert.Contains("data-status=\"completed\"", await Page(id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_email_code_refuses_wrong_codes_counts_attempts_and_expires()
    {
        var id = await Session(new { });

        Assert.Equal(HttpStatusCode.Redirect, (await Post(id, "details", new() { ["email"] = Email, ["name"] = "Buyer", ["phone"] = "0912345678" })).StatusCode);
        var first = Code();
        Assert.Contains("code-sent", await Page(id), StringComparison.Ordinal);
        var wrong = first == "000000" ? "111111" : "000000";

        Assert.Contains("4 attempts left", await Text(Post(id, "verify", new() { ["code"] = wrong })), StringComparison.Ordinal);
        Assert.Contains("less than 60 seconds", await Text(Post(id, "resend", [])), StringComparison.Ordinal);
        for (var i = 0; i < 3; i++)
        {
            await Post(id, "verify", new() { ["code"] = wrong });
        }

        Assert.Contains("Too many wrong codes", await Text(Post(id, "verify", new() { ["code"] = wrong })), StringComparison.Ordinal);
        Assert.Contains("Too many wrong codes", await Text(Post(id, "verify", new() { ["code"] = first })), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await Post(id, "resend", [])).StatusCode);
        var second = Code();
        App.Clock.Advance(TimeSpan.FromMinutes(11));
        Assert.Contains("This code has expired", await Text(Post(id, "verify", new() { ["code"] = second })), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await Post(id, "resend", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await Post(id, "verify", new() { ["code"] = Code()[..3] + " " + Code()[3..] })).StatusCode);
        Assert.Equal(3, Outbox().Count(e => e.Type == EmailTypes.VerificationCode));
        Assert.Contains("id=\"pay\"", await Page(id), StringComparison.Ordinal);
        Assert.Equal(Email, (await App.Test().Get("/checkout-sessions/" + id)).Data["customer"]!["email"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_plan_that_does_not_collect_a_phone_asks_for_none_and_pays_with_the_placeholder()
    {
        var planId = (await App.Test().Post("/plans", new { name = "Zine", amount = 120, billingPeriod = "one-time", collectPhone = false })).Data["id"]!.GetValue<string>();
        var id = await Session(new { planId });

        Assert.DoesNotContain("name=\"phone\"", await Page(id), StringComparison.Ordinal);
        await VerifyBuyer(id, phone: null);
        var paid = await PayByCard(id, Approved);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var session = (await App.Test().Get("/checkout-sessions/" + id)).Data;
        Assert.Equal(("completed", ""), (session["status"]!.GetValue<string>(), session["customer"]!["phone"]!.GetValue<string>()));
        Assert.Equal(CardPayment.PlaceholderPhone, CardPayment.CardholderOf(App.Services.GetRequiredService<Harness.Portaly.Checkout.CheckoutSessions>().Get(id)!).PhoneNumber);
    }

    [Fact]
    public async Task A_declined_card_fails_the_session_without_a_callback()
    {
        var id = await Session(new { customerEmail = Email, emailVerified = true });

        Assert.Contains("required readonly", await Page(id), StringComparison.Ordinal);
        await VerifyBuyer(id, phone: "0912345678");
        var declined = await PayByCard(id, Declined);

        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        Assert.Contains("data-status=\"failed\"", await declined.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("failed", (await App.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
        Assert.Null(App.Services.GetRequiredService<SubscriptionStore>().Get(id));
        Assert.DoesNotContain(Outbox(), e => e.Type == EmailTypes.VerificationCode); // the merchant vouched for the email
        await App.RunDueAsync();
        Assert.Empty(Receiver.Received);
    }

    [Fact]
    public async Task With_checkout_failed_on_a_declined_card_calls_back_with_TapPays_answer_in_the_metadata()
    {
        await App.Test().Put("/config", new { sendCheckoutFailedCallbacks = true });
        var id = await Session(new { customerEmail = Email, emailVerified = true, metadata = new { source = "web" } });
        await VerifyBuyer(id, phone: "0912345678");

        using var declined = await PayByCard(id, Declined);
        await App.RunDueAsync();

        var callback = Assert.Single(Receiver.Received);
        Assert.Equal("creator_subscription.checkout.failed", callback.Event);
        Assert.Equal(PortalyVerdict.Valid, PortalySignature.Verify(PortalyDemo.TestCallbackSecret, callback.Event, callback.Timestamp, callback.Signature, callback.Body, DateTimeOffset.UtcNow));
        var payload = JsonNode.Parse(callback.Body)!;
        var metadata = payload["metadata"]!;
        Assert.Equal(("web", "tappay", 300L, payload["failureReason"]!.GetValue<string>()), (
            metadata["source"]!.GetValue<string>(), metadata["paymentMethod"]!.GetValue<string>(), metadata["paidAmount"]!.GetValue<long>(), metadata["failureReason"]!.GetValue<string>()));
        Assert.StartsWith("TapPay payment failed", metadata["failureReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual(0, metadata["tappayPayment"]!["status"]!.GetValue<int>()); // TapPay's decline, not a success
        Assert.Equal(metadata["paymentReference"]?.GetValue<string>(), metadata["tappayPayment"]!["recTradeId"]?.GetValue<string>());
    }

    [Fact]
    public async Task A_merchants_discount_code_is_charged_struck_through_and_redeemed()
    {
        var http = App.Test();
        await http.Post("/discount-codes", new { code = "HALF", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "percent", value = 50 } } } });
        var id = await Session(new { discountCode = "half" });

        Assert.Contains("<s id=\"original-amount\">TWD 300</s>TWD 150", await Page(id), StringComparison.Ordinal);
        await VerifyBuyer(id, phone: "0912345678");
        var paid = await PayByCard(id, Approved);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal(150, Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id)).Amount);
        Assert.Equal(1, (await http.Get("/discount-codes/lookup?code=HALF")).Data["timesRedeemed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_buyers_signup_ref_code_applies_once_their_email_is_verified()
    {
        var http = App.Test();
        await http.Post("/discount-codes", new { code = "FRIEND", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "fixed", value = 100 } } } });
        await http.Put("/signup-ref-codes", new { customerEmail = Email, code = "friend" });
        var id = await Session(new { });
        Assert.DoesNotContain("TWD 200", await Page(id), StringComparison.Ordinal);

        await VerifyBuyer(id, phone: "0912345678");

        var session = (await http.Get("/checkout-sessions/" + id)).Data;
        Assert.Equal((200L, "ref_code"), (session["amount"]!.GetValue<long>(), session["appliedDiscount"]!["source"]!.GetValue<string>()));
        Assert.Contains("TWD 200", await Page(id), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await PayByCard(id, Approved)).StatusCode);
        Assert.Equal(200, Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id)).Amount);
    }

    [Fact]
    public async Task A_free_checkout_is_confirmed_without_a_charge_and_keeps_no_card()
    {
        await App.Test().Post("/discount-codes", new { code = "GIFT", rules = new[] { new { appliesTo = new { type = "all" }, discount = new { type = "free" } } } });
        var planId = (await App.Test().Post("/plans", new { name = "Zine", amount = 300, billingPeriod = "monthly", collectPhone = false })).Data["id"]!.GetValue<string>();
        var id = await Session(new { planId, discountCode = "GIFT" });

        await VerifyBuyer(id, phone: null);
        var page = await Page(id);
        Assert.Contains("id=\"confirm\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"pay\"", page, StringComparison.Ordinal);
        var confirmed = await Post(id, "confirm", []);

        Assert.Equal($"{Success}?sessionId={id}", confirmed.Headers.Location!.ToString());
        var order = Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id));
        Assert.Equal(("free_" + id, 0L), (order.PaymentReference, order.Amount));
        Assert.Null(App.Services.GetRequiredService<SubscriptionStore>().Get(id)!.Card);
        Assert.Empty(await Records(id));
    }

    [Fact]
    public async Task Expired_canceled_and_unknown_sessions_show_their_state()
    {
        var expiring = await Session(new { });
        var canceling = await Session(new { cancelRedirectUrl = "https://merchant.example/cart" });

        var cancel = await Post(canceling, "cancel", []);
        Assert.Equal("https://merchant.example/cart", cancel.Headers.Location!.ToString());
        Assert.Equal("canceled", (await App.Test().Get("/checkout-sessions/" + canceling)).Data["status"]!.GetValue<string>());
        Assert.Contains("data-status=\"canceled\"", await Page(canceling), StringComparison.Ordinal);

        App.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Contains("data-status=\"expired\"", await Page(expiring), StringComparison.Ordinal);
        Assert.Contains("data-status=\"expired\"", await Text(Post(expiring, "details", new() { ["email"] = Email, ["name"] = "Buyer", ["phone"] = "0912345678" })), StringComparison.Ordinal);
        Assert.Empty(Outbox());

        using var unknown = await _browser.GetAsync("/checkout/subscription/session_nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Bad_input_shows_the_page_again_with_a_message_and_escapes_what_was_typed()
    {
        var id = await Session(new { });

        using var json = await _browser.PostAsync($"/checkout/subscription/{id}/details", new StringContent("{\"email\":1}", System.Text.Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        Assert.Contains("could not be read", await json.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("valid email", await Text(Post(id, "details", new() { ["email"] = "not-an-email", ["name"] = "x", ["phone"] = "0912345678" })), StringComparison.Ordinal);
        Assert.Contains("Enter your phone", await Text(Post(id, "details", new() { ["email"] = Email, ["name"] = "x" })), StringComparison.Ordinal);
        var escaped = await Text(Post(id, "details", new() { ["email"] = Email, ["name"] = "<script>alert(1)</script>", ["phone"] = "12" }));
        Assert.Contains("8 to 15 digits", escaped, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", escaped, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", escaped, StringComparison.Ordinal);
        Assert.Contains("Enter your email first", await Text(Post(id, "verify", new() { ["code"] = "123456" })), StringComparison.Ordinal);
        Assert.Contains("Confirm your email first", await Text(_browser.GetAsync($"/checkout/subscription/{id}/pay?prime=abc", Ct)), StringComparison.Ordinal);
        Assert.Equal("checkout_ready", (await App.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_same_prime_sent_twice_at_once_charges_once()
    {
        var id = await Session(new { });
        await VerifyBuyer(id, phone: "0912345678");
        var payUrl = await PayUrlWithPrime(id, Approved);

        var both = await Task.WhenAll(_browser.GetAsync(payUrl, Ct), _browser.GetAsync(payUrl, Ct));

        Assert.All(both, r => Assert.Equal($"{Success}?sessionId={id}", r.Headers.Location!.ToString()));
        Assert.Single(await Records(id));
        Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id));
    }

    [Fact]
    public async Task A_payment_charged_but_never_recorded_is_completed_once_by_recovery()
    {
        var id = await Session(new { callbackUrl = Receiver.Url });
        await VerifyBuyer(id, phone: "0912345678");
        var prime = QueryHelpers.ParseQuery(new Uri("http://x" + await PayUrlWithPrime(id, Approved)).Query)["prime"].ToString();

        // The page's first two steps, then the process "stops": marker written, TapPay charged, nothing recorded.
        var progress = App.Services.GetRequiredService<BuyerProgressStore>();
        progress.Begin(new PaymentUnderWay(id, 300, "TWD", App.Clock.GetUtcNow()));
        var charge = await App.Services.GetRequiredService<TapPayGateway>().PayByPrimeAsync(prime, 300, "TWD", "Pro", id, new Cardholder("Buyer", Email, "0912345678"), Ct);
        Assert.True(charge.Succeeded);

        Assert.Contains("being confirmed", await Page(id), StringComparison.Ordinal);
        await App.RunDueAsync();
        Assert.Equal("checkout_ready", (await App.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());

        await App.AdvanceAsync(TimeSpan.FromMinutes(3));
        await App.AdvanceAsync(TimeSpan.FromMinutes(3));

        Assert.Equal("completed", (await App.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
        var order = Assert.Single(App.Services.GetRequiredService<OrderStore>().OfSubscription(id));
        Assert.Equal(charge.RecTradeId, order.PaymentReference);
        Assert.Null(App.Services.GetRequiredService<SubscriptionStore>().Get(id)!.Card);
        Assert.Null(progress.PaymentOf(id));
        Assert.Single(Receiver.Received, r => r.Event == "creator_subscription.checkout.completed");
    }

    [Fact]
    public async Task A_marker_without_a_charge_is_cleared_and_the_buyer_can_pay()
    {
        var id = await Session(new { });
        await VerifyBuyer(id, phone: "0912345678");
        var progress = App.Services.GetRequiredService<BuyerProgressStore>();
        progress.Begin(new PaymentUnderWay(id, 300, "TWD", App.Clock.GetUtcNow()));

        await App.AdvanceAsync(TimeSpan.FromMinutes(3));

        Assert.Null(progress.PaymentOf(id));
        Assert.Equal("checkout_ready", (await App.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Redirect, (await PayByCard(id, Approved)).StatusCode);
    }

    [Fact]
    public async Task A_charge_TapPay_never_answers_stays_under_way_until_TapPay_can_say()
    {
        // TapPay's back end unreachable; the card form (the buyer's browser side) still works.
        var settings = PortalyTestApp.OnSandbox(Sandbox.Server);
        settings["Portaly:TapPay:CardFormUrl"] = Sandbox.Server.BaseUrlOf("tappay") + "/sandbox/card-form";
        settings["Portaly:TapPay:BaseUrl"] = "http://127.0.0.1:9";
        await using var app = new PortalyTestApp(settings: settings);
        var planId = await app.Test().CreatePlan();
        var id = (await app.Test().Post("/checkout-sessions", new { planId, customerEmail = Email, emailVerified = true })).Data["sessionId"]!.GetValue<string>();
        var browser = app.Anonymous();
        using var details = await browser.PostAsync($"/checkout/subscription/{id}/details", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Buyer", ["phone"] = "0912345678" }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, details.StatusCode);

        var href = WebUtility.HtmlDecode(PayLink().Match(await browser.GetStringAsync($"/checkout/subscription/{id}", Ct)).Groups[1].Value);
        using var typed = await _cardForm.PostAsync(new Uri(href).GetLeftPart(UriPartial.Path), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["card_number"] = Approved,
            ["card_expiry"] = "12/30",
            ["card_cvc"] = "123",
            ["return_url"] = $"http://localhost/checkout/subscription/{id}/pay",
        }), Ct);
        var paying = await Text(browser.GetAsync(typed.Headers.Location!.PathAndQuery, Ct));

        Assert.Contains("being confirmed", paying, StringComparison.Ordinal);
        await app.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.NotNull(app.Services.GetRequiredService<BuyerProgressStore>().PaymentOf(id));
        Assert.Contains("being confirmed", await Text(browser.PostAsync($"/checkout/subscription/{id}/cancel", new FormUrlEncodedContent([]), Ct)), StringComparison.Ordinal);
        Assert.Equal("checkout_ready", (await app.Test().Get("/checkout-sessions/" + id)).Data["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_TapPay_the_page_says_card_payments_are_unavailable()
    {
        await using var app = new PortalyTestApp();
        var planId = await app.Test().CreatePlan();
        var id = (await app.Test().Post("/checkout-sessions", new { planId })).Data["sessionId"]!.GetValue<string>();

        var page = await app.Anonymous().GetStringAsync($"/checkout/subscription/{id}", Ct);

        Assert.Contains("Card payments are unavailable", page, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"details\"", page, StringComparison.Ordinal);
    }

    private async Task<string> Session(object extra)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(extra))!.AsObject();
        if (!body.ContainsKey("planId"))
        {
            body["planId"] = await App.Test().CreatePlan();
        }

        body["callbackUrl"] ??= Receiver.Url;
        body["successRedirectUrl"] ??= Success;
        var created = await App.Test().Post("/checkout-sessions", body);
        Assert.Equal(HttpStatusCode.OK, created.Status);
        return created.Data["sessionId"]!.GetValue<string>();
    }

    private Task<string> Page(string id) => _browser.GetStringAsync($"/checkout/subscription/{id}", Ct);

    private Task<HttpResponseMessage> Post(string id, string step, Dictionary<string, string> fields) =>
        _browser.PostAsync($"/checkout/subscription/{id}/{step}", new FormUrlEncodedContent(fields), Ct);

    private static async Task<string> Text(Task<HttpResponseMessage> sending)
    {
        using var response = await sending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private IReadOnlyList<OutboxEmail> Outbox() => App.Services.GetRequiredService<EmailOutbox>().Of(PortalyDemo.ProfileId, "test");

    /// <summary>The newest verification code in the outbox.</summary>
    private string Code() => SixDigits().Match(Outbox().First(e => e.Type == EmailTypes.VerificationCode).Text).Value;

    /// <summary>Details, then the emailed code unless the merchant vouched for the email; ends on the pay step.</summary>
    private async Task VerifyBuyer(string id, string? phone)
    {
        var fields = new Dictionary<string, string> { ["email"] = Email, ["name"] = "Buyer" };
        if (phone is not null)
        {
            fields["phone"] = phone;
        }

        using (var details = await Post(id, "details", fields))
        {
            Assert.Equal(HttpStatusCode.Redirect, details.StatusCode);
        }

        if (!(await Page(id)).Contains("id=\"pay\"", StringComparison.Ordinal) && !(await Page(id)).Contains("id=\"confirm\"", StringComparison.Ordinal))
        {
            using var verified = await Post(id, "verify", new() { ["code"] = Code() });
            Assert.Equal(HttpStatusCode.Redirect, verified.StatusCode);
        }
    }

    /// <summary>Follows the page's card link to the sandbox's card form, types the card, and returns the pay URL it sends back (path and query).</summary>
    private async Task<string> PayUrlWithPrime(string id, string card)
    {
        var href = WebUtility.HtmlDecode(PayLink().Match(await Page(id)).Groups[1].Value);
        var form = new Uri(href);
        var returnUrl = QueryHelpers.ParseQuery(form.Query)["return_url"].ToString();
        Assert.Equal($"http://localhost/checkout/subscription/{id}/pay", returnUrl);
        using var typed = await _cardForm.PostAsync(form.GetLeftPart(UriPartial.Path), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["card_number"] = card,
            ["card_expiry"] = "12/30",
            ["card_cvc"] = "123",
            ["return_url"] = returnUrl,
        }), Ct);
        Assert.Equal(HttpStatusCode.Redirect, typed.StatusCode);
        return typed.Headers.Location!.PathAndQuery;
    }

    private async Task<HttpResponseMessage> PayByCard(string id, string card) => await _browser.GetAsync(await PayUrlWithPrime(id, card), Ct);

    private async Task<IReadOnlyList<CardRecord>> Records(string id) =>
        (await App.Services.GetRequiredService<TapPayGateway>().RecordsOfOrderAsync(id, Ct))!;

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();

    [GeneratedRegex("id=\"pay\" href=\"([^\"]+)\"")]
    private static partial Regex PayLink();
}
