using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeCatalogTests;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// Tiered prices and <c>transform_quantity</c> through Stripe.net 53.1.0: creation, tiers shown only when expanded,
/// volume and graduated amounts at and just past each tier's bound (with flat amounts) on subscription invoices and
/// previews, packages rounded up and down, and Stripe's refusals.
/// </summary>
public sealed partial class StripeTieredPriceTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    /// <summary>A tier up to <paramref name="upTo"/> units (null: <c>inf</c>) at <paramref name="unit"/> a unit plus <paramref name="flat"/>.</summary>
    internal static PriceTierOptions Tier(long? upTo, long? unit = null, long? flat = null) =>
        new() { UpTo = upTo is { } bound ? bound : PriceTierUpTo.Inf, UnitAmount = unit, FlatAmount = flat };

    /// <summary>A monthly tiered price of a new product; metered by <paramref name="meter"/> when given.</summary>
    internal static Task<Price> TieredPriceAsync(StripeClient stripe, string mode, List<PriceTierOptions> tiers, string? meter = null) =>
        stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd",
            ProductData = new PriceProductDataOptions { Name = "API calls" },
            BillingScheme = "tiered",
            TiersMode = mode,
            Tiers = tiers,
            Recurring = new PriceRecurringOptions { Interval = "month", UsageType = meter is null ? null : "metered", Meter = meter },
        }, cancellationToken: Ct);

    /// <summary>Volume: 10.00 a unit up to 5, 8.00 a unit and 5.00 flat up to 10, then 6.00 a unit.</summary>
    internal static readonly List<PriceTierOptions> VolumeTiers = [Tier(5, unit: 1000), Tier(10, unit: 800, flat: 500), Tier(null, unit: 600)];

    /// <summary>Graduated: the first 5 at 10.00 with 2.00 flat, the next 5 at 8.00 with 1.00 flat, the rest at 6.00.</summary>
    internal static readonly List<PriceTierOptions> GraduatedTiers = [Tier(5, unit: 1000, flat: 200), Tier(10, unit: 800, flat: 100), Tier(null, unit: 600)];

    private static async Task<(Subscription Subscription, Invoice Invoice)> SubscribeAsync(StripeClient stripe, string price, long quantity)
    {
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = "tiers@example.com" }, cancellationToken: Ct);
        var subscription = await stripe.V1.Subscriptions.CreateAsync(new SubscriptionCreateOptions
        {
            Customer = customer.Id,
            Items = [new SubscriptionItemOptions { Price = price, Quantity = quantity }],
            Expand = ["latest_invoice"],
        }, cancellationToken: Ct);
        return (subscription, subscription.LatestInvoice);
    }

    private static async Task<JsonObject> GetRawAsync(TestSandbox sandbox, string path)
    {
        using var http = StripeErrorTests.Http(sandbox);
        return (JsonObject)JsonNode.Parse(await http.GetStringAsync(path, Ct))!;
    }

    [Fact]
    public async Task A_tiered_price_is_created_without_a_unit_amount_and_shows_its_tiers_only_when_expanded()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var created = await TieredPriceAsync(stripe, "graduated", [Tier(1000, unit: 0, flat: 500), new PriceTierOptions { UpTo = PriceTierUpTo.Inf, UnitAmountDecimal = 2 }]);
        Assert.Equal(("tiered", "graduated", "recurring"), (created.BillingScheme, created.TiersMode, created.Type));
        Assert.Null(created.UnitAmount);
        Assert.Null(created.UnitAmountDecimal);
        Assert.Null(created.Tiers);

        var raw = await GetRawAsync(sandbox, $"/v1/prices/{created.Id}");
        Assert.False(raw.ContainsKey("tiers"));
        Assert.Equal("tiered", raw["billing_scheme"]!.GetValue<string>());

        var expanded = await stripe.V1.Prices.GetAsync(created.Id, new PriceGetOptions { Expand = ["tiers"] }, cancellationToken: Ct);
        Assert.Equal([1000L, null], expanded.Tiers.Select(t => t.UpTo));
        Assert.Equal([0L, 2L], expanded.Tiers.Select(t => t.UnitAmount));
        Assert.Equal([500L, null], expanded.Tiers.Select(t => t.FlatAmount));
        Assert.Equal([0m, 2m], expanded.Tiers.Select(t => t.UnitAmountDecimal));

        var listed = await stripe.V1.Prices.ListAsync(new PriceListOptions { Product = created.ProductId, Expand = ["data.tiers"] }, cancellationToken: Ct);
        Assert.Equal(2, Assert.Single(listed.Data).Tiers.Count);
        var unexpanded = await stripe.V1.Prices.ListAsync(new PriceListOptions { Product = created.ProductId }, cancellationToken: Ct);
        Assert.Null(Assert.Single(unexpanded.Data).Tiers);

        // A subscription's item shows its price without the tiers too.
        var (subscription, _) = await SubscribeAsync(stripe, created.Id, 3);
        var item = (JsonObject)(await GetRawAsync(sandbox, $"/v1/subscriptions/{subscription.Id}"))["items"]!["data"]![0]!["price"]!;
        Assert.Equal(created.Id, item["id"]!.GetValue<string>());
        Assert.False(item.ContainsKey("tiers"));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(5, 5000)]
    [InlineData(6, 5300)]
    [InlineData(10, 8500)]
    [InlineData(11, 6600)]
    public async Task Volume_tiers_bill_every_unit_at_the_tier_the_whole_quantity_falls_in_with_its_flat_amount(long quantity, long amount)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var price = await TieredPriceAsync(stripe, "volume", VolumeTiers);
        var (subscription, invoice) = await SubscribeAsync(stripe, price.Id, quantity);
        Assert.Equal(("active", "paid", amount, amount), (subscription.Status, invoice.Status, invoice.Total, invoice.AmountPaid));
        var line = Assert.Single(invoice.Lines.Data);
        Assert.Equal((amount, quantity), (line.Amount, line.Quantity));

        var preview = await stripe.V1.Invoices.CreatePreviewAsync(new InvoiceCreatePreviewOptions { Subscription = subscription.Id }, cancellationToken: Ct);
        Assert.Equal((amount, amount), (preview.Subtotal, preview.AmountDue));
    }

    [Theory]
    [InlineData(1, 1200)]
    [InlineData(5, 5200)]
    [InlineData(6, 6100)]
    [InlineData(10, 9300)]
    [InlineData(11, 9900)]
    public async Task Graduated_tiers_bill_each_tiers_units_at_its_amount_and_the_flat_amount_of_every_tier_reached(long quantity, long amount)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var price = await TieredPriceAsync(stripe, "graduated", GraduatedTiers);
        var (subscription, invoice) = await SubscribeAsync(stripe, price.Id, quantity);
        Assert.Equal(("paid", amount), (invoice.Status, invoice.AmountPaid));
        Assert.Equal(amount, Assert.Single(invoice.Lines.Data).Amount);

        // The renewal bills the same again.
        await AdvanceToPeriodEndAsync(sandbox, stripe, subscription.Id);
        var renewal = (await stripe.V1.Subscriptions.GetAsync(subscription.Id, new SubscriptionGetOptions { Expand = ["latest_invoice"] }, cancellationToken: Ct)).LatestInvoice;
        Assert.Equal(("subscription_cycle", "paid", amount), (renewal.BillingReason, renewal.Status, renewal.AmountPaid));
    }

    [Fact]
    public async Task Transform_quantity_bills_packages_rounded_up_or_down_on_subscriptions_and_invoice_items()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        Task<Price> PackageAsync(string round, PriceRecurringOptions? recurring) => stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd",
            UnitAmount = 1000,
            ProductData = new PriceProductDataOptions { Name = "Seats in tens" },
            TransformQuantity = new PriceTransformQuantityOptions { DivideBy = 10, Round = round },
            Recurring = recurring,
        }, cancellationToken: Ct);

        var up = await PackageAsync("up", new PriceRecurringOptions { Interval = "month" });
        Assert.Equal((10L, "up", "per_unit", 1000L), (up.TransformQuantity.DivideBy, up.TransformQuantity.Round, up.BillingScheme, up.UnitAmount));
        Assert.Equal((3000L, 25L), await AmountAsync(up.Id, 25));
        Assert.Equal((2000L, 20L), await AmountAsync(up.Id, 20));

        var down = await PackageAsync("down", new PriceRecurringOptions { Interval = "month" });
        Assert.Equal((2000L, 25L), await AmountAsync(down.Id, 25));
        Assert.Equal((0L, 9L), await AmountAsync(down.Id, 9));

        var oneTime = await PackageAsync("up", null);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        var item = await stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Pricing = new InvoiceItemPricingOptions { Price = oneTime.Id }, Quantity = 21,
        }, cancellationToken: Ct);
        Assert.Equal((3000L, 21L), (item.Amount, item.Quantity));

        async Task<(long Amount, long Quantity)> AmountAsync(string price, long quantity)
        {
            var (_, invoice) = await SubscribeAsync(stripe, price, quantity);
            var line = Assert.Single(invoice.Lines.Data);
            Assert.Equal(line.Amount, invoice.AmountDue);
            return (line.Amount, line.Quantity!.Value);
        }
    }

    [Theory]
    [InlineData("billing_scheme=tiered&tiers[0][up_to]=inf&tiers[0][unit_amount]=1", "tiers_mode", "parameter_missing")]
    [InlineData("billing_scheme=tiered&tiers_mode=graduated", "tiers", "parameter_missing")]
    [InlineData("billing_scheme=tiered&tiers_mode=stepped&tiers[0][up_to]=inf&tiers[0][unit_amount]=1", "tiers_mode", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&unit_amount=100&tiers[0][up_to]=inf&tiers[0][unit_amount]=1", "unit_amount", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][unit_amount]=1&transform_quantity[divide_by]=10&transform_quantity[round]=up", "transform_quantity", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=10&tiers[0][unit_amount]=1", "tiers[0][up_to]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][unit_amount]=1&tiers[1][up_to]=inf&tiers[1][unit_amount]=1", "tiers[0][up_to]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=10&tiers[0][unit_amount]=1&tiers[1][up_to]=10&tiers[1][unit_amount]=1&tiers[2][up_to]=inf&tiers[2][unit_amount]=1", "tiers[1][up_to]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=0&tiers[0][unit_amount]=1&tiers[1][up_to]=inf&tiers[1][unit_amount]=1", "tiers[0][up_to]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=10&tiers[1][up_to]=inf&tiers[1][unit_amount]=1", "tiers[0]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][unit_amount]=1", "tiers[0][up_to]", "parameter_missing")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][unit_amount]=1&tiers[0][unit_amount_decimal]=1", "tiers[0][unit_amount]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][flat_amount]=-1", "tiers[0][flat_amount]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][unit_amount_decimal]=0.2", "tiers[0][unit_amount_decimal]", "parameter_invalid")]
    [InlineData("billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=inf&tiers[0][unit_amount]=1&tiers[0][price]=1", "tiers[0][price]", "parameter_unknown")]
    [InlineData("tiers[0][up_to]=inf&tiers[0][unit_amount]=1&unit_amount=5", "tiers", "parameter_invalid")]
    [InlineData("tiers_mode=volume&unit_amount=5", "tiers_mode", "parameter_invalid")]
    [InlineData("unit_amount=5&transform_quantity[divide_by]=0&transform_quantity[round]=up", "transform_quantity[divide_by]", "parameter_invalid")]
    [InlineData("unit_amount=5&transform_quantity[divide_by]=10", "transform_quantity[round]", "parameter_missing")]
    [InlineData("unit_amount=5&transform_quantity[round]=up", "transform_quantity[divide_by]", "parameter_missing")]
    public async Task Bad_tiers_and_transforms_are_refused_with_a_400_naming_the_parameter(string form, string param, string code)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (status, body) = await PostFormAsync(sandbox, "/v1/prices", "currency=usd&product=prod_HarnessPro&recurring[interval]=month&" + form);
        var error = body["error"]!;
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param, code),
            (status, error["type"]!.GetValue<string>(), error["param"]!.GetValue<string>(), error["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Stripes_wording_for_a_tier_without_an_amount_and_the_sandboxs_for_what_it_does_not_simulate()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var noAmount = await RefusedAsync(() => TieredPriceAsync(stripe, "volume", [new PriceTierOptions { UpTo = 10 }, Tier(null, unit: 1)]), HttpStatusCode.BadRequest, "tiers[0]");
        Assert.Equal("An entry in the tiers array is missing an amount.", noAmount.StripeError.Message);

        var fraction = await RefusedAsync(() => TieredPriceAsync(stripe, "graduated", [Tier(1000, unit: 0), new PriceTierOptions { UpTo = PriceTierUpTo.Inf, UnitAmountDecimal = 0.2m }]),
            HttpStatusCode.BadRequest, "tiers[1][unit_amount_decimal]");
        Assert.Contains("is not simulated by the sandbox", fraction.StripeError.Message);

        var oneTime = await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", Product = "prod_HarnessPro", BillingScheme = "tiered", TiersMode = "volume", Tiers = [Tier(null, unit: 100)],
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "billing_scheme");
        Assert.Contains("is not simulated by the sandbox", oneTime.StripeError.Message);

        // Invoice items take one-time prices only, so never a tiered one.
        var tiered = await TieredPriceAsync(stripe, "volume", VolumeTiers);
        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions(), cancellationToken: Ct);
        await RefusedAsync(() => stripe.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id, Pricing = new InvoiceItemPricingOptions { Price = tiered.Id }, Quantity = 3,
        }, cancellationToken: Ct), HttpStatusCode.BadRequest, "pricing[price]");
    }
}
