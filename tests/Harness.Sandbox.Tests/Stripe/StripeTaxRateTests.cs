using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Tax Rates through Stripe.net 53.1.0: create, retrieve, update, list (filters, paging both ways), events, refusals,
/// a restart; rates on payment-mode Checkout lines (exclusive on top, inclusive inside, after a discount) and the
/// rounding rule (per line per rate, half away from zero).
/// </summary>
public sealed class StripeTaxRateTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static async Task<StripeException> RefusedAsync(Task task) => await Assert.ThrowsAsync<StripeException>(() => task);

    internal static Task<TaxRate> RateAsync(StripeClient stripe, decimal percentage, bool inclusive, string name = "VAT", bool? active = null) =>
        stripe.V1.TaxRates.CreateAsync(new TaxRateCreateOptions { DisplayName = name, Percentage = percentage, Inclusive = inclusive, Active = active }, cancellationToken: Ct);

    private static Task<Session> CheckoutAsync(StripeClient stripe, long quantity, List<string> rates, string price = StripeCatalog.CreditsPrice, SessionDiscountOptions? discount = null) =>
        stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            LineItems = [new SessionLineItemOptions { Price = price, Quantity = quantity, TaxRates = rates }],
            SuccessUrl = "https://merchant.example/ok",
            Discounts = discount is null ? null : [discount],
        }, cancellationToken: Ct);

    private static async Task PayAsync(TestSandbox sandbox, string sessionId)
    {
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(sandbox.Server.ControlBaseUrl) };
        using var paid = await browser.PostAsync($"/pay/{sessionId}", new FormUrlEncodedContent(
            [new("action", "pay"), new("card_number", "4242424242424242"), new("card_expiry", "12 / 34"), new("card_cvc", "123")]), Ct);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
    }

    [Fact]
    public async Task A_tax_rate_is_created_retrieved_updated_and_archived_with_its_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var rate = await stripe.V1.TaxRates.CreateAsync(new TaxRateCreateOptions
        {
            DisplayName = "Sales tax", Percentage = 8.875m, Inclusive = false, Country = "us", State = "ny", Jurisdiction = "NYC", Description = "New York City",
            TaxType = "sales_tax", Metadata = new Dictionary<string, string> { ["region"] = "east" },
        }, cancellationToken: Ct);
        Assert.Matches("^txr_", rate.Id);
        Assert.Equal(("tax_rate", "Sales tax", 8.875m, false, true, "US", "NY", "NYC", "sales_tax", "percentage"),
            (rate.Object, rate.DisplayName, rate.Percentage, rate.Inclusive, rate.Active, rate.Country, rate.State, rate.Jurisdiction, rate.TaxType, rate.RateType));
        Assert.Equal((8.875m, "east"), (rate.EffectivePercentage, rate.Metadata["region"]));

        var fetched = await stripe.V1.TaxRates.GetAsync(rate.Id, cancellationToken: Ct);
        Assert.Equal((rate.Id, 8.875m), (fetched.Id, fetched.Percentage));

        var updated = await stripe.V1.TaxRates.UpdateAsync(rate.Id, new TaxRateUpdateOptions { DisplayName = "NY sales tax", Description = "", Active = false }, cancellationToken: Ct);
        Assert.Equal(("NY sales tax", (string?)null, false, 8.875m, false), (updated.DisplayName, updated.Description, updated.Active, updated.Percentage, updated.Inclusive));

        var missing = await RefusedAsync(stripe.V1.TaxRates.GetAsync("txr_x", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "No such tax rate: 'txr_x'", "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Message, missing.StripeError.Code));

        var events = (await stripe.V1.Events.ListAsync(new EventListOptions { Limit = 100 }, cancellationToken: Ct)).Data;
        Assert.Equal(["tax_rate.updated", "tax_rate.created"], events.Select(e => e.Type));
        var changed = events[0];
        Assert.Equal((rate.Id, false), (((TaxRate)changed.Data.Object).Id, ((TaxRate)changed.Data.Object).Active));
        Assert.Equal("Sales tax", (string)changed.Data.PreviousAttributes.display_name);
    }

    [Fact]
    public async Task Tax_rates_are_listed_by_active_inclusive_and_created_and_paged_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var first = await RateAsync(stripe, 20, inclusive: true);
        var second = await RateAsync(stripe, 5, inclusive: false);
        var third = await RateAsync(stripe, 7, inclusive: false, active: false);

        var all = await stripe.V1.TaxRates.ListAsync(cancellationToken: Ct);
        Assert.Equal([third.Id, second.Id, first.Id], all.Data.Select(r => r.Id));
        Assert.Equal([second.Id, first.Id], (await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Active = true }, cancellationToken: Ct)).Data.Select(r => r.Id));
        Assert.Equal([first.Id], (await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Inclusive = true }, cancellationToken: Ct)).Data.Select(r => r.Id));
        Assert.Equal(3, (await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Created = new DateRangeOptions { LessThanOrEqual = DateTime.UtcNow.AddMinutes(1) } }, cancellationToken: Ct)).Data.Count);
        Assert.Empty((await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Created = new DateRangeOptions { GreaterThan = DateTime.UtcNow.AddDays(1) } }, cancellationToken: Ct)).Data);

        var page = await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Limit = 1, StartingAfter = third.Id }, cancellationToken: Ct);
        Assert.Equal((second.Id, true), (page.Data.Single().Id, page.HasMore));
        var back = await stripe.V1.TaxRates.ListAsync(new TaxRateListOptions { Limit = 1, EndingBefore = second.Id }, cancellationToken: Ct);
        Assert.Equal((third.Id, false), (back.Data.Single().Id, back.HasMore));
    }

    [Theory]
    [InlineData("percentage=10&inclusive=false", "display_name")]
    [InlineData("display_name=VAT&inclusive=false", "percentage")]
    [InlineData("display_name=VAT&percentage=10", "inclusive")]
    [InlineData("display_name=VAT&percentage=-1&inclusive=false", "percentage")]
    [InlineData("display_name=VAT&percentage=100.5&inclusive=false", "percentage")]
    [InlineData("display_name=VAT&percentage=1.23456&inclusive=false", "percentage")]
    [InlineData("display_name=VAT&percentage=ten&inclusive=false", "percentage")]
    [InlineData("display_name=VAT&percentage=10&inclusive=maybe", "inclusive")]
    [InlineData("display_name=VAT&percentage=10&inclusive=false&tax_type=poll_tax", "tax_type")]
    [InlineData("display_name=VAT&percentage=10&inclusive=false&country=USA", "country")]
    [InlineData("display_name=VAT&percentage=10&inclusive=false&flat_amount=5", "flat_amount")]
    public async Task Bad_tax_rates_are_refused_naming_the_param(string form, string param)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync("/v1/tax_rates", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param), (response.StatusCode, (string?)error["type"], (string?)error["param"]));
    }

    [Theory]
    [InlineData("percentage=5")]
    [InlineData("inclusive=true")]
    public async Task Percentage_and_inclusive_do_not_change_on_an_update(string form)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var rate = await RateAsync(Client(sandbox), 10, inclusive: false);
        using var http = StripeErrorTests.Http(sandbox);
        using var response = await http.PostAsync($"/v1/tax_rates/{rate.Id}", new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!["error"]!;
        Assert.Equal((HttpStatusCode.BadRequest, $"Received unknown parameter: {form.Split('=')[0]}"), (response.StatusCode, (string?)error["message"]));
        Assert.Equal(10m, (await Client(sandbox).V1.TaxRates.GetAsync(rate.Id, cancellationToken: Ct)).Percentage);
    }

    [Fact]
    public async Task An_exclusive_rate_on_a_checkout_line_adds_tax_on_top_and_the_buyer_is_charged_it()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var rate = await RateAsync(stripe, 8.25m, inclusive: false, "Sales tax");
        // 3 × 100 = 300; 8.25 % of it is 24.75: 25 to the nearest cent.
        var session = await CheckoutAsync(stripe, 3, [rate.Id]);
        Assert.Equal((300L, 325L, 25L), (session.AmountSubtotal, session.AmountTotal, session.TotalDetails.AmountTax));

        var line = (await stripe.V1.Checkout.Sessions.GetAsync(session.Id, new SessionGetOptions { Expand = ["line_items"] }, cancellationToken: Ct)).LineItems.Data.Single();
        Assert.Equal((300L, 25L, 325L), (line.AmountSubtotal, line.AmountTax, line.AmountTotal));
        Assert.Equal((25L, 300L, rate.Id), (line.Taxes.Single().Amount, line.Taxes.Single().TaxableAmount, line.Taxes.Single().Rate.Id));

        await PayAsync(sandbox, session.Id);
        var paid = await stripe.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: Ct);
        Assert.Equal(("paid", 325L), (paid.PaymentStatus, paid.AmountTotal));
        var intent = await stripe.V1.PaymentIntents.GetAsync(paid.PaymentIntentId, cancellationToken: Ct);
        Assert.Equal(325L, intent.Amount);
        Assert.Equal(325L, (await stripe.V1.Charges.GetAsync(intent.LatestChargeId, cancellationToken: Ct)).Amount);
    }

    [Fact]
    public async Task An_inclusive_rate_is_inside_the_price_and_the_total_does_not_change()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var rate = await RateAsync(stripe, 20, inclusive: true);
        // 1000 includes 20 %: 1000 − 1000 / 1.2 = 166.67, 167.
        var session = await CheckoutAsync(stripe, 10, [rate.Id]);
        Assert.Equal((1000L, 1000L, 167L), (session.AmountSubtotal, session.AmountTotal, session.TotalDetails.AmountTax));
        var line = (await stripe.V1.Checkout.Sessions.LineItems.ListAsync(session.Id, cancellationToken: Ct)).Data.Single();
        Assert.Equal((167L, 1000L, 833L), (line.AmountTax, line.AmountTotal, line.Taxes.Single().TaxableAmount));
    }

    [Fact]
    public async Task Tax_is_computed_on_the_amount_after_the_discount()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await StripeDiscountTests.CouponAsync(stripe, "QUARTER", percent: 25);
        var rate = await RateAsync(stripe, 10, inclusive: false);
        // 800 less 25 % is 600; 10 % of 600 is 60.
        var session = await CheckoutAsync(stripe, 8, [rate.Id], discount: new SessionDiscountOptions { Coupon = "QUARTER" });
        Assert.Equal((800L, 200L, 60L, 660L), (session.AmountSubtotal, session.TotalDetails.AmountDiscount, session.TotalDetails.AmountTax, session.AmountTotal));
    }

    [Fact]
    public async Task Rates_on_a_checkout_line_are_refused_as_stripe_refuses_them()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var exclusive = await RateAsync(stripe, 5, inclusive: false);
        var inclusive = await RateAsync(stripe, 5, inclusive: true);
        var archived = await RateAsync(stripe, 5, inclusive: false, active: false);

        var unknown = await RefusedAsync(CheckoutAsync(stripe, 1, ["txr_x"]));
        Assert.Equal((HttpStatusCode.NotFound, "No such tax rate: 'txr_x'", "line_items[0][tax_rates][0]"), (unknown.HttpStatusCode, unknown.StripeError.Message, unknown.StripeError.Param));
        var old = await RefusedAsync(CheckoutAsync(stripe, 1, [archived.Id]));
        Assert.Equal((HttpStatusCode.BadRequest, "line_items[0][tax_rates][0]"), (old.HttpStatusCode, old.StripeError.Param));
        Assert.Contains("archived", old.StripeError.Message, StringComparison.Ordinal);

        var many = new List<string>();
        for (var i = 0; i < StripeTaxes.MaxRatesPerLine + 1; i++)
        {
            many.Add((await RateAsync(stripe, 1, inclusive: false, $"Levy {i}")).Id);
        }

        var tooMany = await RefusedAsync(CheckoutAsync(stripe, 1, many));
        Assert.Equal((HttpStatusCode.BadRequest, "line_items[0][tax_rates]"), (tooMany.HttpStatusCode, tooMany.StripeError.Param));

        // A price whose tax_behavior is exclusive cannot take an inclusive rate.
        var price = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 500, Product = "prod_HarnessCredits", TaxBehavior = "exclusive" }, cancellationToken: Ct);
        var conflict = await RefusedAsync(CheckoutAsync(stripe, 1, [inclusive.Id], price.Id));
        Assert.Equal("One or more prices has a `tax_behavior` that conflicts with the tax rates that apply to the corresponding line item.", conflict.StripeError.Message);

        // Mixing one inclusive and one exclusive rate is allowed: 20 − 20/1.05 = 0.95 → 1 inside; 5 % of the 19 left is 0.95 → 1 on top.
        var mixed = await CheckoutAsync(stripe, 1, [inclusive.Id, exclusive.Id], (await stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 20, Product = "prod_HarnessCredits" }, cancellationToken: Ct)).Id);
        Assert.Equal((20L, 21L, 2L), (mixed.AmountSubtotal, mixed.AmountTotal, mixed.TotalDetails.AmountTax));
    }

    [Theory]
    [InlineData(300, "8.25", false, 25)] // 24.75 rounds up
    [InlineData(43, "15", false, 6)] // 6.45 → 6 (Stripe's rounding example)
    [InlineData(484, "15", false, 73)] // 72.6 → 73
    [InlineData(10, "25", false, 3)] // 2.5: half away from zero
    [InlineData(-10, "25", false, -3)] // a credit's tax is the same below zero
    [InlineData(1000, "20", true, 167)] // 166.666…
    [InlineData(105, "5", true, 5)] // exactly 5 contained
    [InlineData(999, "0", false, 0)]
    [InlineData(1, "100", true, 1)] // 0.5 contained: away from zero
    [InlineData(99_999_999, "12.3456", false, 12_345_600)] // 12345599.88 at the largest amount
    public void Each_line_is_taxed_per_rate_to_the_nearest_minor_unit_half_away_from_zero(long amount, string percentage, bool inclusive, long tax)
    {
        var rate = new JsonObject { ["id"] = "txr_vector", ["percentage"] = decimal.Parse(percentage, System.Globalization.CultureInfo.InvariantCulture), ["inclusive"] = inclusive };
        var computed = StripeTaxes.Compute(amount, [rate]).Single();
        Assert.Equal(tax, computed.Amount);
        Assert.Equal(inclusive ? amount - tax : amount, computed.TaxableAmount);
    }

    [Fact]
    public async Task Tax_rates_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-stripe-tax-" + Guid.NewGuid().ToString("N"));
        string id;
        await using (var before = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data))
        {
            id = (await RateAsync(Client(before), 19.6m, inclusive: true, "TVA")).Id;
        }

        await using var after = await TestSandbox.StartAsync(configure: o => o.DataDirectory = data);
        var stripe = Client(after);
        var rate = await stripe.V1.TaxRates.GetAsync(id, cancellationToken: Ct);
        Assert.Equal(("TVA", 19.6m, true), (rate.DisplayName, rate.Percentage, rate.Inclusive));
        var session = await CheckoutAsync(stripe, 2, [id]);
        // 200 includes 19.6 %: 200 × 19.6 / 119.6 = 32.78 → 33.
        Assert.Equal((200L, 33L), (session.AmountTotal, session.TotalDetails.AmountTax));
    }
}
