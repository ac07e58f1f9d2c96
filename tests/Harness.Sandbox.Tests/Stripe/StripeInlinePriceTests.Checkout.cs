using System.Net;
using Harness.Sandbox.Tests.Support;
using Stripe;
using Stripe.Checkout;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Line <c>price_data</c> of Checkout Sessions and payment links, read by the same reader as the subscriptions': a real,
/// inactive Price shown as the line's price, and a payment link's sold through its page.
/// </summary>
public sealed partial class StripeInlinePriceTests
{
    [Fact]
    public async Task Checkout_price_data_becomes_an_inactive_price_that_is_the_lines_price()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe, "Stored product");
        var session = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            SuccessUrl = "https://merchant.example/done",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 2,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "usd", UnitAmount = 1250,
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = "Ad hoc", Description = "Made inline", Metadata = new() { ["sku"] = "A1" } },
                    },
                },
                new SessionLineItemOptions { Quantity = 1, PriceData = new SessionLineItemPriceDataOptions { Currency = "usd", UnitAmount = 300, Product = product } },
            ],
        }, cancellationToken: Ct);
        Assert.Equal(2800L, session.AmountTotal);

        var lines = (await stripe.V1.Checkout.Sessions.LineItems.ListAsync(session.Id, cancellationToken: Ct)).Data;
        Assert.Equal([(2500L, "Ad hoc"), (300L, "Stored product")], lines.Select(l => (l.AmountTotal, l.Description)));
        var made = await stripe.V1.Prices.GetAsync(lines[0].Price.Id, cancellationToken: Ct);
        Assert.Equal((false, 1250L, "one_time"), (made.Active, made.UnitAmount!.Value, made.Type));
        var madeProduct = await stripe.V1.Products.GetAsync(made.ProductId, cancellationToken: Ct);
        Assert.Equal(("Ad hoc", "Made inline", "A1"), (madeProduct.Name, madeProduct.Description, madeProduct.Metadata["sku"]));
        Assert.Equal((product, false), (lines[1].Price.ProductId, lines[1].Price.Active));

        // The price is the session's own: it cannot be bought again by id.
        var again = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "payment", LineItems = [new SessionLineItemOptions { Price = made.Id, Quantity = 1 }],
        }, cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.BadRequest, "line_items[0][price]"), (again.HttpStatusCode, again.StripeError.Param));

        // A recurring inline price keeps its interval_count for the subscription it starts.
        var quarterly = await stripe.V1.Checkout.Sessions.CreateAsync(new SessionCreateOptions
        {
            Mode = "subscription",
            SuccessUrl = "https://merchant.example/done",
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = "usd", UnitAmount = 2700, Product = product, Recurring = new SessionLineItemPriceDataRecurringOptions { Interval = "month", IntervalCount = 3 },
                    },
                },
            ],
        }, cancellationToken: Ct);
        var recurring = (await stripe.V1.Checkout.Sessions.LineItems.ListAsync(quarterly.Id, cancellationToken: Ct)).Data.Single().Price.Recurring;
        Assert.Equal(("month", 3L), (recurring.Interval, recurring.IntervalCount));
    }

    [Fact]
    public async Task Checkout_and_payment_links_refuse_price_data_as_Stripe_does()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await ProductAsync(stripe);
        var cases = new (SessionLineItemOptions Line, string Param, string Says)[]
        {
            (new() { Quantity = 1, Price = "price_HarnessCredits", PriceData = new() { Currency = "usd", UnitAmount = 1, Product = product } },
                "line_items[0][price]", "You may only specify one of these parameters: price, price_data."),
            (new() { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 1 } }, "line_items[0][price_data][product]", "exactly one of"),
            (new() { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 1, Product = product, ProductData = new() { Name = "Both" } } },
                "line_items[0][price_data][product]", "exactly one of"),
            (new() { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 1, ProductData = new() { Name = "Taxed", TaxCode = "txcd_10000000" } } },
                "line_items[0][price_data][product_data][tax_code]", "is not simulated by the sandbox"),
            (new() { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 1, Product = "prod_missing" } }, "line_items[0][price_data][product]", "No such product"),
            (new() { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 1, Product = product, Recurring = new() { Interval = "fortnight" } } },
                "line_items[0][price_data][recurring][interval]", "Invalid recurring interval"),
        };
        foreach (var (line, param, says) in cases)
        {
            var refused = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.Checkout.Sessions.CreateAsync(
                new SessionCreateOptions { Mode = "subscription", LineItems = [line] }, cancellationToken: Ct));
            Assert.Equal((says.StartsWith("No such", StringComparison.Ordinal) ? HttpStatusCode.NotFound : HttpStatusCode.BadRequest, param),
                (refused.HttpStatusCode, refused.StripeError.Param));
            Assert.Contains(says, refused.StripeError.Message, StringComparison.Ordinal);
        }

        // A payment link's price_data gets Checkout's answer for an amount over eight digits.
        var tooLarge = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.CreateAsync(new PaymentLinkCreateOptions
        {
            LineItems = [new PaymentLinkLineItemOptions { Quantity = 1, PriceData = new() { Currency = "usd", UnitAmount = 100_000_000, Product = product } }],
        }, cancellationToken: Ct));
        Assert.Equal(("amount_too_large", "line_items[0][price_data][unit_amount]", "Amount must be no more than $999,999.99"),
            (tooLarge.StripeError.Code, tooLarge.StripeError.Param, tooLarge.StripeError.Message));
        Assert.Empty((await stripe.V1.PaymentLinks.ListAsync(cancellationToken: Ct)).Data);
    }

    [Fact]
    public async Task A_payment_links_price_data_is_its_inactive_price_sold_through_its_page()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        using var browser = StripePaymentLinkTests.Browser(sandbox);
        var link = await stripe.V1.PaymentLinks.CreateAsync(new PaymentLinkCreateOptions
        {
            LineItems =
            [
                new PaymentLinkLineItemOptions
                {
                    Quantity = 3,
                    PriceData = new PaymentLinkLineItemPriceDataOptions { Currency = "usd", UnitAmount = 1500, ProductData = new() { Name = "Gift card" } },
                },
            ],
        }, cancellationToken: Ct);
        var line = (await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, cancellationToken: Ct)).Data.Single();
        Assert.Equal((4500L, "Gift card", false), (line.AmountTotal, line.Description, line.Price.Active));

        // Each buyer's session sells the link's own price, not a new one.
        var first = await StripePaymentLinkTests.OpenAsync(browser, link);
        var second = await StripePaymentLinkTests.OpenAsync(browser, link);
        foreach (var sessionId in new[] { first, second })
        {
            Assert.Equal(line.Price.Id, (await stripe.V1.Checkout.Sessions.LineItems.ListAsync(sessionId, cancellationToken: Ct)).Data.Single().Price.Id);
        }

        using (var paid = await StripePaymentLinkTests.PayAsync(browser, first))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        var session = await stripe.V1.Checkout.Sessions.GetAsync(first, new SessionGetOptions { Expand = ["payment_intent"] }, cancellationToken: Ct);
        Assert.Equal(("complete", "paid", link.Id, 4500L), (session.Status, session.PaymentStatus, session.PaymentLinkId, session.PaymentIntent.AmountReceived));
    }
}
