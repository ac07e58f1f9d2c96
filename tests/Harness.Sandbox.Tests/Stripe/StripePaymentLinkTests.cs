using System.Net;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Newtonsoft.Json.Linq;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Payment Links through Stripe.net 53.1.0's <c>PaymentLinkService</c>: create, retrieve, list, update, deactivate,
/// line items, events, and the refusals; the link's page and what paying through it does are in the other part.
/// </summary>
public sealed partial class StripePaymentLinkTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static Task<PaymentLink> LinkAsync(StripeClient stripe, string price = StripeCatalog.CreditsPrice, long quantity = 1, PaymentLinkCreateOptions? options = null)
    {
        options ??= new PaymentLinkCreateOptions();
        options.LineItems ??= [new PaymentLinkLineItemOptions { Price = price, Quantity = quantity }];
        return stripe.V1.PaymentLinks.CreateAsync(options, cancellationToken: Ct);
    }

    private static async Task<StripeException> RefusedAsync(StripeClient stripe, PaymentLinkCreateOptions options) =>
        await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.CreateAsync(options, cancellationToken: Ct));

    [Fact]
    public async Task A_link_is_created_with_Stripes_defaults_retrieved_listed_and_its_line_items_paged()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var link = await LinkAsync(stripe, options: new PaymentLinkCreateOptions
        {
            LineItems =
            [
                new PaymentLinkLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 3 },
                new PaymentLinkLineItemOptions { Price = StripeCatalog.CreditsPrice, Quantity = 1, AdjustableQuantity = new PaymentLinkLineItemAdjustableQuantityOptions { Enabled = true } },
            ],
            Metadata = new Dictionary<string, string> { ["order"] = "top-up" },
        });

        Assert.StartsWith("plink_", link.Id);
        Assert.True(link.Active);
        Assert.Equal(("usd", "auto", "if_required", "auto", false), (link.Currency, link.BillingAddressCollection, link.CustomerCreation, link.SubmitType, link.AllowPromotionCodes));
        Assert.Equal(("hosted_confirmation", null), (link.AfterCompletion.Type, link.AfterCompletion.HostedConfirmation.CustomMessage));
        Assert.Null(link.Restrictions);
        Assert.Null(link.SubscriptionData);
        Assert.False(link.InvoiceCreation.Enabled);
        Assert.Equal("top-up", link.Metadata["order"]);
        Assert.StartsWith(sandbox.Server.ControlBaseUrl + "/buy/test_", link.Url);

        var fetched = await stripe.V1.PaymentLinks.GetAsync(link.Id, new PaymentLinkGetOptions { Expand = ["line_items"] }, cancellationToken: Ct);
        Assert.Equal(link.Url, fetched.Url);
        Assert.Equal([300L, 100L], fetched.LineItems.Data.Select(l => l.AmountTotal));

        var first = await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, new PaymentLinkLineItemListOptions { Limit = 1 }, cancellationToken: Ct);
        Assert.True(first.HasMore);
        Assert.Equal((3L, StripeCatalog.CreditsPrice, "Sandbox credits"), (first.Data[0].Quantity, first.Data[0].Price.Id, first.Data[0].Description));
        var second = await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, new PaymentLinkLineItemListOptions { StartingAfter = first.Data[0].Id }, cancellationToken: Ct);
        Assert.Equal((false, 1L), (second.HasMore, second.Data.Single().Quantity));

        var other = await LinkAsync(stripe);
        var page = await stripe.V1.PaymentLinks.ListAsync(new PaymentLinkListOptions { Limit = 1 }, cancellationToken: Ct);
        Assert.Equal((other.Id, true), (page.Data.Single().Id, page.HasMore));
        var back = await stripe.V1.PaymentLinks.ListAsync(new PaymentLinkListOptions { EndingBefore = link.Id }, cancellationToken: Ct);
        Assert.Equal([other.Id], back.Data.Select(l => l.Id));

        var created = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_link.created" }, cancellationToken: Ct);
        Assert.Equal([other.Id, link.Id], created.Data.Select(e => Assert.IsType<PaymentLink>(e.Data.Object).Id));
    }

    [Fact]
    public async Task An_update_deactivates_changes_quantities_and_settings_and_sends_payment_link_updated()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var link = await LinkAsync(stripe, quantity: 2);
        var line = (await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, cancellationToken: Ct)).Data.Single();

        var updated = await stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions
        {
            Active = false,
            AllowPromotionCodes = true,
            InactiveMessage = "Sold out for today.",
            Metadata = new Dictionary<string, string> { ["batch"] = "7" },
            Restrictions = new PaymentLinkRestrictionsOptions { CompletedSessions = new PaymentLinkRestrictionsCompletedSessionsOptions { Limit = 5 } },
            AfterCompletion = new PaymentLinkAfterCompletionOptions { Type = "redirect", Redirect = new PaymentLinkAfterCompletionRedirectOptions { Url = "https://merchant.example/thanks" } },
            LineItems = [new PaymentLinkLineItemOptions { Id = line.Id, Quantity = 4, AdjustableQuantity = new PaymentLinkLineItemAdjustableQuantityOptions { Enabled = true, Minimum = 1, Maximum = 10 } }],
        }, cancellationToken: Ct);

        Assert.False(updated.Active);
        Assert.True(updated.AllowPromotionCodes);
        Assert.Equal("Sold out for today.", updated.InactiveMessage);
        Assert.Equal((0L, 5L), (updated.Restrictions.CompletedSessions.Count, updated.Restrictions.CompletedSessions.Limit));
        Assert.Equal(("redirect", "https://merchant.example/thanks"), (updated.AfterCompletion.Type, updated.AfterCompletion.Redirect.Url));
        Assert.Equal("7", updated.Metadata["batch"]);
        var lines = await stripe.V1.PaymentLinks.LineItems.ListAsync(link.Id, cancellationToken: Ct);
        Assert.Equal((line.Id, 4L, 400L), (lines.Data[0].Id, lines.Data[0].Quantity, lines.Data[0].AmountTotal));

        var inactive = await stripe.V1.PaymentLinks.ListAsync(new PaymentLinkListOptions { Active = false }, cancellationToken: Ct);
        Assert.Equal([link.Id], inactive.Data.Select(l => l.Id));
        Assert.Empty((await stripe.V1.PaymentLinks.ListAsync(new PaymentLinkListOptions { Active = true }, cancellationToken: Ct)).Data);

        var events = await stripe.V1.Events.ListAsync(new EventListOptions { Type = "payment_link.updated" }, cancellationToken: Ct);
        var change = events.Data.Single();
        Assert.False(Assert.IsType<PaymentLink>(change.Data.Object).Active);
        Assert.True(Assert.IsType<JObject>((object)change.Data.PreviousAttributes)["active"]!.Value<bool>());

        var outOfRange = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions
        {
            LineItems = [new PaymentLinkLineItemOptions { Id = line.Id, Quantity = 11 }],
        }, cancellationToken: Ct));
        Assert.Equal(("line_items[0][quantity]", HttpStatusCode.BadRequest), (outOfRange.StripeError.Param, outOfRange.HttpStatusCode));
        var unknownLine = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions
        {
            LineItems = [new PaymentLinkLineItemOptions { Id = "li_missing", Quantity = 1 }],
        }, cancellationToken: Ct));
        Assert.Equal("line_items[0][id]", unknownLine.StripeError.Param);
        var notSimulated = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.UpdateAsync(link.Id, new PaymentLinkUpdateOptions { SubmitType = "pay" }, cancellationToken: Ct));
        Assert.Equal("submit_type", notSimulated.StripeError.Param);
        Assert.Contains("not simulated", notSimulated.StripeError.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<StripeException>(() => stripe.V1.PaymentLinks.GetAsync("plink_missing", cancellationToken: Ct));
        Assert.Equal((HttpStatusCode.NotFound, "resource_missing"), (missing.HttpStatusCode, missing.StripeError.Code));
    }

    [Fact]
    public async Task Bad_line_items_and_settings_are_refused_in_Stripes_shape_naming_the_parameter()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var archived = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 500, Product = "prod_HarnessCredits" }, cancellationToken: Ct);
        await stripe.V1.Prices.UpdateAsync(archived.Id, new PriceUpdateOptions { Active = false }, cancellationToken: Ct);
        var weekly = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 300, Product = "prod_HarnessPro", Recurring = new PriceRecurringOptions { Interval = "week" },
        }, cancellationToken: Ct);
        PaymentLinkLineItemOptions Line(string price, long? quantity = 1) => new() { Price = price, Quantity = quantity };

        var cases = new (PaymentLinkCreateOptions Options, string Param, HttpStatusCode Status)[]
        {
            (new() { LineItems = [Line("price_missing")] }, "line_items[0][price]", HttpStatusCode.NotFound),
            (new() { LineItems = [Line(archived.Id)] }, "line_items[0][price]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.MonthlyPrice), Line(StripeCatalog.EuroMonthlyPrice)] }, "line_items[1][price]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.MonthlyPrice), Line(weekly.Id)] }, "line_items[1][price]", HttpStatusCode.BadRequest),
            (new() { LineItems = [.. Enumerable.Range(0, 21).Select(_ => Line(StripeCatalog.CreditsPrice))] }, "line_items", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice, null)] }, "line_items[0][quantity]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice, 0)] }, "line_items[0][quantity]", HttpStatusCode.BadRequest),
            (new() { LineItems = [new() { Price = StripeCatalog.CreditsPrice, Quantity = 20, AdjustableQuantity = new() { Enabled = true, Minimum = 1, Maximum = 10 } }] },
                "line_items[0][quantity]", HttpStatusCode.BadRequest),
            (new() { LineItems = [new() { Price = StripeCatalog.CreditsPrice, Quantity = 1, AdjustableQuantity = new() { Enabled = true, Maximum = 1_000_000 } }] },
                "line_items[0][adjustable_quantity][maximum]", HttpStatusCode.BadRequest),
            (new() { LineItems = [new() { PriceData = new() { Currency = "usd", ProductData = new() { Name = "Gift" } }, Quantity = 1 }] },
                "line_items[0][price_data][unit_amount]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], Currency = "eur" }, "currency", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], SubscriptionData = new() { TrialPeriodDays = 7 } }, "subscription_data", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.MonthlyPrice)], PaymentIntentData = new() { Description = "x" } }, "payment_intent_data", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], PaymentIntentData = new() { CaptureMethod = "manual" } }, "payment_intent_data[capture_method]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], InvoiceCreation = new() { Enabled = true } }, "invoice_creation", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], ShippingAddressCollection = new() { AllowedCountries = ["US"] } }, "shipping_address_collection", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], AfterCompletion = new() { Type = "redirect" } }, "after_completion[redirect][url]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], Restrictions = new() { CompletedSessions = new() { Limit = 0 } } }, "restrictions[completed_sessions][limit]", HttpStatusCode.BadRequest),
            (new() { LineItems = [Line(StripeCatalog.CreditsPrice)], SubmitType = "shout" }, "submit_type", HttpStatusCode.BadRequest),
            (new(), "line_items", HttpStatusCode.BadRequest),
        };
        foreach (var (options, param, status) in cases)
        {
            var refused = await RefusedAsync(stripe, options);
            Assert.Equal((status, "invalid_request_error", param), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param));
        }

        var mixed = await RefusedAsync(stripe, new() { LineItems = [Line(StripeCatalog.MonthlyPrice), Line(StripeCatalog.EuroMonthlyPrice)] });
        Assert.Equal("All line items must use the same currency.", mixed.StripeError.Message);
        var priceData = await RefusedAsync(stripe, cases[9].Options);
        Assert.Equal(("parameter_missing", "Missing required param: line_items[0][price_data][unit_amount]."), (priceData.StripeError.Code, priceData.StripeError.Message));
        Assert.Empty((await stripe.V1.PaymentLinks.ListAsync(cancellationToken: Ct)).Data);
    }
}
