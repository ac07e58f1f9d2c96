using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.TapPay;
using Harness.Sandbox.Tests.Creem;
using Harness.Sandbox.Tests.Stripe;
using Harness.Sandbox.Tests.Support;
using Harness.Sandbox.Tests.TapPay;
using global::Stripe;

namespace Harness.Sandbox.Tests.Common;

/// <summary>
/// The card pages of Stripe and Creem and TapPay's card form, driven as plain form posts (the browser tests cover
/// the same page in Chromium): the documented test cards decide, and refusals are shown on the page.
/// </summary>
public sealed partial class CardPayPageTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("4000000000009995", "Your card has insufficient funds.")]
    [InlineData("4000000000000069", "Your card has expired.")]
    [InlineData("4000000000000127", "Your card's security code is incorrect.")]
    [InlineData("4000000000000341", "Your card was declined.")]
    [InlineData("4111111111111111", "Your card was declined. Your request was in test mode, but used a non test card.")]
    public async Task Decline_cards_show_Stripes_message_and_leave_the_session_open(string card, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await StripeSessionAsync(sandbox, "payment", StripeCatalog.CreditsPrice);
        using var browser = Browser(sandbox);

        var (status, notice, _) = await PayAsync(browser, id, Card(card));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(message, notice);
        var payment = await sandbox.GetJsonAsync($"/control/payments/{id}");
        Assert.Equal("open", payment["status"]!.GetValue<string>());
        Assert.Equal(1, payment["declines"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("4242 4242 4242 4241", "12 / 34", "123", "Your card number is invalid.")]
    [InlineData("4242 4242", "12 / 34", "123", "Your card number is incomplete.")]
    [InlineData("4242424242424242", "01 / 20", "123", "Your card's expiration date is in the past.")]
    [InlineData("4242424242424242", "13 / 34", "123", "Your card's expiration date is invalid.")]
    [InlineData("4242424242424242", "12", "123", "Your card's expiration date is incomplete.")]
    [InlineData("4242424242424242", "12 / 34", "12", "Your card's security code is incomplete.")]
    public async Task Card_fields_that_cannot_be_charged_are_refused_before_the_bank(string number, string expiry, string cvc, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await StripeSessionAsync(sandbox, "payment", StripeCatalog.CreditsPrice);
        using var browser = Browser(sandbox);

        var (status, notice, html) = await PayAsync(browser, id, Card(number, expiry, cvc));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(message, notice);
        Assert.Contains($"value=\"{number}\"", html, StringComparison.Ordinal);
        Assert.Equal(0, (await sandbox.GetJsonAsync($"/control/payments/{id}"))["declines"]!.GetValue<int>());
    }

    [Fact]
    public async Task Failing_3DS_authentication_declines_and_the_session_stays_open()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await StripeSessionAsync(sandbox, "payment", StripeCatalog.CreditsPrice);
        using var browser = Browser(sandbox);

        var (_, _, challenge) = await PayAsync(browser, id, Card("4000000000003220"));
        Assert.Contains("<h1>3-D Secure authentication</h1>", challenge, StringComparison.Ordinal);
        var (status, notice, _) = await PayAsync(browser, id, Card("4000000000003220", action: "fail-authentication"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("We are unable to authenticate your payment method. Please choose a different payment method and try again.", notice);
        Assert.Equal("open", (await sandbox.GetJsonAsync($"/control/payments/{id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_paid_card_is_recorded_on_the_payment_and_on_Stripes_charge_and_the_control_API_pays_without_one()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await StripeSessionAsync(sandbox, "payment", StripeCatalog.CreditsPrice);
        using var browser = Browser(sandbox);

        using var paid = await browser.PostAsync($"/pay/{id}", new FormUrlEncodedContent(Card("5555 5555 5555 4444", "07 / 2031")), Ct);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var payment = await sandbox.GetJsonAsync($"/control/payments/{id}");
        Assert.Equal(("mastercard", "4444", 7, 2031), (payment["card_brand"]!.GetValue<string>(), payment["card_last4"]!.GetValue<string>(),
            payment["card_exp_month"]!.GetValue<int>(), payment["card_exp_year"]!.GetValue<int>()));
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var intent = await stripe.V1.PaymentIntents.GetAsync((await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct)).PaymentIntentId, cancellationToken: Ct);
        var card = (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).PaymentMethodDetails.Card;
        Assert.Equal(("mastercard", "4444"), (card.Brand, card.Last4));

        var other = await StripeSessionAsync(sandbox, "payment", StripeCatalog.CreditsPrice);
        Assert.NotNull(await sandbox.ActAsync(other, "pay"));
        Assert.Null((await sandbox.GetJsonAsync($"/control/payments/{other}"))["card_last4"]);
    }

    [Fact]
    public async Task Card_0341_pays_a_subscription_whose_renewal_then_declines()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await StripeSessionAsync(sandbox, "subscription", StripeCatalog.MonthlyPrice);
        using var browser = Browser(sandbox);

        using var paid = await browser.PostAsync($"/pay/{id}", new FormUrlEncodedContent(Card("4000000000000341")), Ct);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var stripe = new StripeClient(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));
        var subscription = (await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct)).SubscriptionId;
        Assert.Equal("active", (await stripe.V1.Subscriptions.GetAsync(subscription, cancellationToken: Ct)).Status);

        await sandbox.AdvanceAsync(TimeSpan.FromDays(32));
        Assert.Equal("past_due", (await stripe.V1.Subscriptions.GetAsync(subscription, cancellationToken: Ct)).Status);
    }

    [Fact]
    public async Task Creems_page_declines_the_decline_card_then_pays_with_the_success_card()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct, request_id = "cards", success_url = "https://merchant.example/thanks" });
        var id = checkout["id"]!.GetValue<string>();
        using var browser = Browser(sandbox);

        var (_, notice, html) = await PayAsync(browser, id, Card("4000 0000 0000 0002"));
        Assert.Equal("Your card was declined.", notice);
        Assert.Contains("4242 4242 4242 4242", html, StringComparison.Ordinal);
        using var paid = await browser.PostAsync($"/pay/{id}", new FormUrlEncodedContent(Card("4242 4242 4242 4242")), Ct);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.StartsWith("https://merchant.example/thanks", paid.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Creems_0341_card_pays_a_subscription_whose_renewal_then_makes_it_past_due()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct });
        var id = checkout["id"]!.GetValue<string>();
        using var browser = Browser(sandbox);

        using var paid = await browser.PostAsync($"/pay/{id}", new FormUrlEncodedContent(Card("4000 0000 0000 0341")), Ct);
        Assert.Equal("paid", (await sandbox.GetJsonAsync($"/control/payments/{id}"))["status"]!.GetValue<string>());
        var subscription = (await sandbox.GetArrayAsync("/control/creem/subscriptions"))[0]!;
        Assert.True(subscription["failing"]!.GetValue<bool>());

        var renewed = await sandbox.PostJsonAsync($"/control/creem/subscriptions/{subscription["id"]!.GetValue<string>()}/renew");
        Assert.Equal("past_due", renewed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task TapPays_card_form_issues_a_prime_that_pays_and_hands_it_to_return_url()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var front = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.BaseUrl("tappay")) };
        var page = await front.GetStringAsync("/sandbox/card-form", Ct);
        Assert.Contains("4000 0000 0000 0119", page, StringComparison.Ordinal);

        var (_, refused, _) = await PostAsync(front, "/sandbox/card-form", Card("4242424242424242", "01/20"));
        Assert.Equal("Your card's expiration date is in the past.", refused);
        using var shown = await front.PostAsync("/sandbox/card-form", new FormUrlEncodedContent(Card("4242 4242 4242 4242")), Ct);
        var prime = WebUtility.HtmlDecode(PrimeElement().Match(await shown.Content.ReadAsStringAsync(Ct)).Groups[1].Value);
        using var tappay = new TapPayClient(sandbox);
        Assert.Equal(0, (await tappay.PayAsync(TapPayClient.PrimeBody(prime)))["status"]!.GetValue<int>());

        using var redirected = await front.PostAsync("/sandbox/card-form", new FormUrlEncodedContent(
            [.. Card("3530111333300000"), new("return_url", "https://merchant.example/checkout?step=2")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, redirected.StatusCode);
        var location = redirected.Headers.Location!.ToString();
        Assert.StartsWith("https://merchant.example/checkout?step=2&prime=prime_", location, StringComparison.Ordinal);
        Assert.NotEqual(TapPayTestData.DirectPayPrime, location[(location.IndexOf("prime=", StringComparison.Ordinal) + 6)..]);
    }

    private static KeyValuePair<string, string>[] Card(string number, string expiry = "12 / 34", string cvc = "123", string action = "pay") =>
        [new("action", action), new("card_number", number), new("card_expiry", expiry), new("card_cvc", cvc)];

    private static HttpClient Browser(TestSandbox sandbox) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

    private static Task<(HttpStatusCode Status, string? Notice, string Html)> PayAsync(HttpClient browser, string id, KeyValuePair<string, string>[] form) =>
        PostAsync(browser, $"/pay/{id}", form);

    /// <summary>Posts a page's form; returns the answer's status, the text of its <c>#notice</c> and the HTML.</summary>
    private static async Task<(HttpStatusCode Status, string? Notice, string Html)> PostAsync(HttpClient browser, string path, KeyValuePair<string, string>[] form)
    {
        using var response = await browser.PostAsync(path, new FormUrlEncodedContent(form), Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);
        var notice = NoticeElement().Match(html);
        return (response.StatusCode, notice.Success ? WebUtility.HtmlDecode(notice.Groups[1].Value) : null, html);
    }

    private static async Task<string> StripeSessionAsync(TestSandbox sandbox, string mode, string price)
    {
        using var stripe = StripeErrorTests.Http(sandbox);
        using var created = await stripe.PostAsync("/v1/checkout/sessions", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["mode"] = mode,
            ["line_items[0][price]"] = price,
            ["line_items[0][quantity]"] = "1",
            ["success_url"] = "https://merchant.example/done?id={CHECKOUT_SESSION_ID}",
        }), Ct);
        return JsonNode.Parse(await created.Content.ReadAsStringAsync(Ct))!["id"]!.GetValue<string>();
    }

    [GeneratedRegex("id=\"notice\"[^>]*>([^<]*)<")]
    private static partial Regex NoticeElement();

    [GeneratedRegex("id=\"prime\">([^<]*)<")]
    private static partial Regex PrimeElement();
}
