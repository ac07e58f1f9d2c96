using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using global::Stripe;
using global::Stripe.Checkout;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// SEPA Direct Debit in Checkout, Stripe's delayed-notification method: the checkout completes unpaid, and the debit
/// settles later with <c>checkout.session.async_payment_succeeded</c> or <c>async_payment_failed</c>, read through Stripe.net.
/// </summary>
public sealed partial class StripeBankDebitTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_debit_from_the_settling_IBAN_completes_unpaid_then_settles_paid_with_async_payment_succeeded()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var id = await EuroSessionAsync(stripe);
        using var browser = Browser(sandbox);

        var page = await browser.GetStringAsync(new Uri($"/pay/{id}", UriKind.Relative), Ct);
        Assert.Contains("<td><code>DE89370400440532013000</code></td>", page, StringComparison.Ordinal);
        using var paid = await browser.PostAsync(new Uri($"/pay/{id}", UriKind.Relative), Form("de89 3704 0044 0532 0130 00"), Ct);

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal($"https://merchant.example/done?session={id}", paid.Headers.Location?.ToString());
        var session = await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct);
        Assert.Equal(("complete", "unpaid"), (session.Status, session.PaymentStatus));
        Assert.Null(session.CustomerId); // a guest's checkout (customer_creation if_required): the debit settles without a customer
        var intent = await stripe.V1.PaymentIntents.GetAsync(session.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("processing", 0L), (intent.Status, intent.AmountReceived));
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("pending", false, "sepa_debit", "3000", "DE"),
            (charge.Status, charge.Paid, charge.PaymentMethodDetails.Type, charge.PaymentMethodDetails.SepaDebit.Last4, charge.PaymentMethodDetails.SepaDebit.Country));
        Assert.Equal(["checkout.session.completed", "payment_intent.processing"], await EventTypesAsync(receiver, 2));

        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay - TimeSpan.FromSeconds(1));
        Assert.Equal("unpaid", (await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct)).PaymentStatus);
        await sandbox.AdvanceAsync(TimeSpan.FromSeconds(1));

        Assert.Equal("paid", (await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct)).PaymentStatus);
        intent = await stripe.V1.PaymentIntents.GetAsync(session.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("succeeded", 1500L), (intent.Status, intent.AmountReceived));
        Assert.Equal("succeeded", (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).Status);
        var settled = receiver.All.Skip(2).Select(r => JsonNode.Parse(r.Body)!).ToList();
        Assert.Equal(["checkout.session.async_payment_succeeded", "payment_intent.succeeded"], settled.Select(e => e["type"]!.GetValue<string>()));
        Assert.Equal("paid", settled[0]["data"]!["object"]!["payment_status"]!.GetValue<string>());
        Assert.Equal(session.PaymentIntentId, settled[1]["data"]!["object"]!["id"]!.GetValue<string>());

        // Settled once: a day later nothing more is sent.
        await sandbox.AdvanceAsync(TimeSpan.FromDays(1));
        Assert.Equal(4, receiver.All.Count);
    }

    [Fact]
    public async Task A_debit_from_the_failing_IBAN_paid_through_the_control_API_fails_with_async_payment_failed()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);
        var id = await EuroSessionAsync(stripe);

        var answer = await sandbox.PostJsonAsync($"/control/payments/{id}/pay?iban=DE62370400440532013001");
        Assert.Equal("paid", answer["payment"]!["status"]!.GetValue<string>());
        Assert.Equal(["checkout.session.completed", "payment_intent.processing"], await EventTypesAsync(receiver, 2));
        await sandbox.AdvanceAsync(StripeBankDebits.SettlementDelay);

        var session = await stripe.V1.Checkout.Sessions.GetAsync(id, cancellationToken: Ct);
        Assert.Equal(("complete", "unpaid"), (session.Status, session.PaymentStatus));
        var intent = await stripe.V1.PaymentIntents.GetAsync(session.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(("requires_payment_method", "insufficient_funds"), (intent.Status, intent.LastPaymentError.Code));
        var charge = await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct);
        Assert.Equal(("failed", "insufficient_funds"), (charge.Status, charge.FailureCode));
        var failed = receiver.All.Skip(2).Select(r => JsonNode.Parse(r.Body)!["type"]!.GetValue<string>());
        Assert.Equal(["checkout.session.async_payment_failed", "payment_intent.payment_failed"], failed);
    }

    [Theory]
    [InlineData("", "Your IBAN is incomplete.")]
    [InlineData("DE00 3704 0044 0532 0130 00", "Your IBAN is invalid.")]
    [InlineData("DE89", "Your IBAN is invalid.")]
    [InlineData("GB82 WEST 1234 5698 7654 32", "Your request was in test mode, but used a non test bank account. Use one of the test IBANs below.")]
    public async Task An_IBAN_that_cannot_be_debited_is_refused_on_the_page_and_by_the_control_API(string iban, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var id = await EuroSessionAsync(Client(sandbox));
        using var browser = Browser(sandbox);

        using var page = await browser.PostAsync(new Uri($"/pay/{id}", UriKind.Relative), Form(iban), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var control = await sandbox.Control.PostAsync(new Uri($"/control/payments/{id}/pay?iban={Uri.EscapeDataString(iban)}", UriKind.Relative), null, Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(message, WebUtility.HtmlDecode(Notice().Match(html).Groups[1].Value));
        Assert.Contains($"value=\"{iban}\"", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, control.StatusCode);
        Assert.Equal(message, JsonNode.Parse(await control.Content.ReadAsStringAsync(Ct))!["error"]!.GetValue<string>());
        Assert.Equal("open", (await sandbox.GetJsonAsync($"/control/payments/{id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_a_euro_payment_session_that_lists_sepa_debit_offers_the_debit()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);

        var dollars = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(Options("usd", ["card", "sepa_debit"]), cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "payment_method_types"), (dollars.HttpStatusCode, dollars.StripeError.Param));
        Assert.Equal("The currency provided (usd) is invalid. Payments with sepa_debit support the following currencies: eur.", dollars.StripeError.Message);

        var cardOnly = (await stripe.V1.Checkout.Sessions.CreateAsync(Options("eur", ["card"]), cancellationToken: Ct)).Id;
        using var browser = Browser(sandbox);
        Assert.DoesNotContain("name=\"iban\"", await browser.GetStringAsync(new Uri($"/pay/{cardOnly}", UriKind.Relative), Ct), StringComparison.Ordinal);
        using var refused = await sandbox.Control.PostAsync(new Uri($"/control/payments/{cardOnly}/pay?iban=DE89370400440532013000", UriKind.Relative), null, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("open", (await sandbox.GetJsonAsync($"/control/payments/{cardOnly}"))["status"]!.GetValue<string>());

        // The card form stays: the same session pays by card at once.
        var both = await EuroSessionAsync(stripe);
        Assert.NotNull(await sandbox.ActAsync(both, "pay"));
        Assert.Equal("paid", (await stripe.V1.Checkout.Sessions.GetAsync(both, cancellationToken: Ct)).PaymentStatus);
    }

    private static StripeClient Client(TestSandbox sandbox) => new(StripeProvider.SecretKey, apiBase: sandbox.BaseUrl("stripe"));

    private static async Task<string> EuroSessionAsync(StripeClient stripe) =>
        (await stripe.V1.Checkout.Sessions.CreateAsync(Options("eur", ["card", "sepa_debit"]), cancellationToken: Ct)).Id;

    private static SessionCreateOptions Options(string currency, List<string> methods)
    {
        var options = Create(currency);

        // Stripe.net 53 has no typed field for it (Stripe now prefers dynamic payment methods); the API still takes it.
        for (var i = 0; i < methods.Count; i++)
        {
            options.AddExtraParam($"payment_method_types[{i}]", methods[i]);
        }

        return options;
    }

    private static SessionCreateOptions Create(string currency) => new()
    {
        Mode = "payment",
        LineItems =
        [
            new SessionLineItemOptions
            {
                PriceData = new SessionLineItemPriceDataOptions { Currency = currency, UnitAmount = 1500, ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Credits" } },
                Quantity = 1,
            },
        ],
        SuccessUrl = "https://merchant.example/done?session={CHECKOUT_SESSION_ID}",
    };

    private static async Task<List<string>> EventTypesAsync(Receiver receiver, int count)
    {
        var types = new List<string>();
        for (var i = 0; i < count; i++)
        {
            types.Add(JsonNode.Parse((await receiver.NextAsync()).Body)!["type"]!.GetValue<string>());
        }

        return types;
    }

    private static FormUrlEncodedContent Form(string iban) => new([new("action", "pay-debit"), new("iban", iban)]);

    private static HttpClient Browser(TestSandbox sandbox) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };

    [GeneratedRegex("<p class=\"notice\" id=\"notice\" role=\"status\">([^<]*)</p>")]
    private static partial Regex Notice();
}
