using System.Net;
using System.Text.Json.Nodes;
using Harness.Sandbox.Stripe;
using Harness.Sandbox.Tests.Support;
using Stripe;
using static Harness.Sandbox.Tests.Stripe.StripeRecurringTests;

namespace Harness.Sandbox.Tests.Stripe;

/// <summary>
/// The Products and Prices API through Stripe.net 53.1.0: creating, updating, archiving, deleting and listing them,
/// lookup keys and their transfer, the pricing models the sandbox refuses, and the events each change sends.
/// </summary>
public sealed class StripeCatalogTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    internal static async Task<StripeException> RefusedAsync(Func<Task> call, HttpStatusCode status, string? param, string? code = "parameter_invalid")
    {
        var refused = await Assert.ThrowsAsync<StripeException>(call);
        Assert.Equal((status, "invalid_request_error", param, code), (refused.HttpStatusCode, refused.StripeError.Type, refused.StripeError.Param, refused.StripeError.Code));
        return refused;
    }

    /// <summary>A form POST outside Stripe.net, for parameters its options do not have; the status and the parsed body.</summary>
    internal static async Task<(HttpStatusCode Status, JsonNode Body)> PostFormAsync(TestSandbox sandbox, string path, string form)
    {
        using var http = StripeErrorTests.Http(sandbox);
        using var content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await http.PostAsync(path, content, Ct);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!);
    }

    [Fact]
    public async Task A_product_with_a_custom_id_and_default_price_data_is_created_updated_and_archived_with_its_events()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        var product = await stripe.V1.Products.CreateAsync(new ProductCreateOptions
        {
            Id = "prod_gold",
            Name = "Gold",
            Description = "The gold plan",
            Metadata = new Dictionary<string, string> { ["tier"] = "3", ["legacy"] = "yes" },
            Images = ["https://merchant.example/gold.png"],
            Url = "https://merchant.example/gold",
            DefaultPriceData = new ProductDefaultPriceDataOptions
            {
                Currency = "usd", UnitAmount = 1500, Recurring = new ProductDefaultPriceDataRecurringOptions { Interval = "month", IntervalCount = 3 },
            },
        }, cancellationToken: Ct);
        Assert.Equal(("prod_gold", "Gold", "The gold plan", true, "service"), (product.Id, product.Name, product.Description, product.Active, product.Type));
        Assert.Equal(["https://merchant.example/gold.png"], product.Images);
        var price = await stripe.V1.Prices.GetAsync(product.DefaultPriceId, cancellationToken: Ct);
        Assert.Equal(("prod_gold", "usd", 1500L, "recurring", "month", 3L), (price.ProductId, price.Currency, price.UnitAmount, price.Type, price.Recurring.Interval, price.Recurring.IntervalCount));
        Assert.Equal(1500m, price.UnitAmountDecimal);

        var duplicate = await RefusedAsync(() => stripe.V1.Products.CreateAsync(new ProductCreateOptions { Id = "prod_gold", Name = "Again" }, cancellationToken: Ct),
            HttpStatusCode.BadRequest, "id", "resource_already_exists");
        Assert.Equal("Product already exists.", duplicate.StripeError.Message);

        var updated = await stripe.V1.Products.UpdateAsync(product.Id, new ProductUpdateOptions
        {
            Name = "Gold (2027)",
            Metadata = new Dictionary<string, string> { ["legacy"] = "", ["region"] = "eu" },
            Expand = ["default_price"],
        }, cancellationToken: Ct);
        Assert.Equal("Gold (2027)", updated.Name);
        Assert.Equal(new Dictionary<string, string> { ["tier"] = "3", ["region"] = "eu" }, updated.Metadata);
        Assert.Equal(1500L, updated.DefaultPrice.UnitAmount);

        // A default price must be one of the product's own, and the default price cannot be archived.
        await RefusedAsync(() => stripe.V1.Products.UpdateAsync(product.Id, new ProductUpdateOptions { DefaultPrice = StripeCatalog.MonthlyPrice }, cancellationToken: Ct),
            HttpStatusCode.BadRequest, "default_price");
        await RefusedAsync(() => stripe.V1.Prices.UpdateAsync(price.Id, new PriceUpdateOptions { Active = false }, cancellationToken: Ct), HttpStatusCode.BadRequest, "active");

        var refused = await RefusedAsync(() => stripe.V1.Products.DeleteAsync(product.Id, cancellationToken: Ct), HttpStatusCode.BadRequest, null, null);
        Assert.Equal("This product cannot be deleted because it has one or more user-created prices.", refused.StripeError.Message);
        var archived = await stripe.V1.Products.UpdateAsync(product.Id, new ProductUpdateOptions { Active = false }, cancellationToken: Ct);
        Assert.False(archived.Active);

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "product.updated") == 2);
        Assert.Equal(["product.created", "price.created", "product.updated", "product.updated"], events.Select(e => e.Type));
        Assert.Equal("prod_gold", ((Product)events[0].Data.Object).Id);
        var rename = JsonNode.Parse(receiver.All.Single(r => r.Body.Contains("\"Gold (2027)\"", StringComparison.Ordinal) && r.Body.Contains("\"name\": \"Gold\"", StringComparison.Ordinal)).Body)!;
        Assert.Equal("yes", rename["data"]!["previous_attributes"]!["metadata"]!["legacy"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_empty_metadata_unsets_every_key_on_an_update_as_stripe_net_sends_a_null_one()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var product = await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Tagged", Metadata = new() { ["a"] = "1", ["b"] = "2" } }, cancellationToken: Ct);

        var cleared = await stripe.V1.Products.UpdateAsync(product.Id, new ProductUpdateOptions { Metadata = null }, cancellationToken: Ct);
        Assert.Empty(cleared.Metadata);

        var customer = await stripe.V1.Customers.CreateAsync(new CustomerCreateOptions { Metadata = new() { ["tier"] = "gold" } }, cancellationToken: Ct);
        var (status, body) = await PostFormAsync(sandbox, "/v1/customers/" + customer.Id, "metadata=&email=tagged%40example.com");
        Assert.Equal((HttpStatusCode.OK, 0, "tagged@example.com"), (status, body["metadata"]!.AsObject().Count, body["email"]!.GetValue<string>()));

        // On a create it is no metadata at all.
        var (created, createdBody) = await PostFormAsync(sandbox, "/v1/products", "name=Bare&metadata=");
        Assert.Equal((HttpStatusCode.OK, 0), (created, createdBody["metadata"]!.AsObject().Count));
    }

    [Fact]
    public async Task A_product_without_prices_is_deleted_and_lists_filter_and_page_both_ways()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        // The seeded products are listed, oldest last.
        var seeded = await stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 100 }, cancellationToken: Ct);
        Assert.Equal(["prod_HarnessTeam", "prod_HarnessPro", "prod_HarnessCredits"], seeded.Data.Select(p => p.Id));

        var made = new List<Product>();
        foreach (var name in new[] { "A", "B", "C", "D" })
        {
            made.Add(await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = name, Active = name != "B" }, cancellationToken: Ct));
        }

        var page = await stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 2 }, cancellationToken: Ct);
        Assert.Equal(("D C", true), (string.Join(' ', page.Data.Select(p => p.Name)), page.HasMore));
        var next = await stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 2, StartingAfter = page.Data[^1].Id }, cancellationToken: Ct);
        Assert.Equal(["B", "A"], next.Data.Select(p => p.Name));
        var back = await stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 1, EndingBefore = next.Data[0].Id }, cancellationToken: Ct);
        Assert.Equal(("C", true), (string.Join(' ', back.Data.Select(p => p.Name)), back.HasMore));
        var inactive = await stripe.V1.Products.ListAsync(new ProductListOptions { Active = false }, cancellationToken: Ct);
        Assert.Equal(["B"], inactive.Data.Select(p => p.Name));
        var byId = await stripe.V1.Products.ListAsync(new ProductListOptions { Ids = [made[0].Id, made[3].Id, "prod_HarnessPro"] }, cancellationToken: Ct);
        Assert.Equal(["D", "A", "Sandbox Pro"], byId.Data.Select(p => p.Name));

        var deleted = await stripe.V1.Products.DeleteAsync(made[0].Id, cancellationToken: Ct);
        Assert.Equal((made[0].Id, true), (deleted.Id, deleted.Deleted));
        await RefusedAsync(() => stripe.V1.Products.GetAsync(made[0].Id, cancellationToken: Ct), HttpStatusCode.NotFound, "id", "resource_missing");
        await RefusedAsync(() => stripe.V1.Products.DeleteAsync(made[0].Id, cancellationToken: Ct), HttpStatusCode.NotFound, "id", "resource_missing");
        Assert.DoesNotContain(made[0].Id, (await stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 100 }, cancellationToken: Ct)).Data.Select(p => p.Id));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "product.deleted") == 1);
        Assert.Equal(made[0].Id, ((Product)events.Single(e => e.Type == "product.deleted").Data.Object).Id);
        Assert.Equal(4, Count(events, "product.created"));

        await RefusedAsync(() => stripe.V1.Products.CreateAsync(new ProductCreateOptions { Description = "nameless" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "name", "parameter_missing");
        await RefusedAsync(() => stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Taxed", TaxCode = "txcd_10000000" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "tax_code");
        await RefusedAsync(() => stripe.V1.Products.ListAsync(new ProductListOptions { Limit = 0 }, cancellationToken: Ct), HttpStatusCode.BadRequest, "limit");
    }

    [Fact]
    public async Task Prices_are_created_updated_and_listed_and_a_lookup_key_moves_only_when_transferred()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        await sandbox.SetWebhookUrlAsync("stripe", receiver.Url);
        var stripe = Client(sandbox);

        var oneTime = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmountDecimal = 2500m, ProductData = new PriceProductDataOptions { Name = "Top-up" }, Nickname = "top-up", LookupKey = "topup",
        }, cancellationToken: Ct);
        Assert.Equal(("one_time", 2500L, "top-up", "topup", true), (oneTime.Type, oneTime.UnitAmount, oneTime.Nickname, oneTime.LookupKey, oneTime.Active));
        Assert.Equal("Top-up", (await stripe.V1.Products.GetAsync(oneTime.ProductId, cancellationToken: Ct)).Name);

        var weekly = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "eur", UnitAmount = 300, Product = "prod_HarnessPro",
            Recurring = new PriceRecurringOptions { Interval = "week", IntervalCount = 2 }, TaxBehavior = "exclusive", Metadata = new Dictionary<string, string> { ["plan"] = "fortnight" },
        }, cancellationToken: Ct);
        Assert.Equal(("recurring", "week", 2L, "licensed", "exclusive"), (weekly.Type, weekly.Recurring.Interval, weekly.Recurring.IntervalCount, weekly.Recurring.UsageType, weekly.TaxBehavior));

        var taken = await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 3000, Product = oneTime.ProductId, LookupKey = "topup" }, cancellationToken: Ct),
            HttpStatusCode.BadRequest, "lookup_key");
        Assert.Equal($"A price (`{oneTime.Id}`) already uses that lookup key.", taken.StripeError.Message);
        var dearer = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions
        {
            Currency = "usd", UnitAmount = 3000, Product = oneTime.ProductId, LookupKey = "topup", TransferLookupKey = true,
        }, cancellationToken: Ct);
        Assert.Null((await stripe.V1.Prices.GetAsync(oneTime.Id, cancellationToken: Ct)).LookupKey);
        var byKey = await stripe.V1.Prices.ListAsync(new PriceListOptions { LookupKeys = ["topup"], Expand = ["data.product"] }, cancellationToken: Ct);
        Assert.Equal((dearer.Id, "Top-up"), (byKey.Data.Single().Id, byKey.Data.Single().Product.Name));

        var archived = await stripe.V1.Prices.UpdateAsync(oneTime.Id, new PriceUpdateOptions { Active = false, Nickname = "old top-up", Metadata = new Dictionary<string, string> { ["why"] = "repriced" } }, cancellationToken: Ct);
        Assert.Equal((false, "old top-up", 2500L), (archived.Active, archived.Nickname, archived.UnitAmount));

        // The amount cannot change: Stripe's update has no such parameter.
        var (status, body) = await PostFormAsync(sandbox, $"/v1/prices/{oneTime.Id}", "unit_amount=1");
        Assert.Equal((HttpStatusCode.BadRequest, "Received unknown parameter: unit_amount", "parameter_unknown"), (status, body["error"]!["message"]!.GetValue<string>(), body["error"]!["code"]!.GetValue<string>()));

        Assert.Equal([dearer.Id], (await stripe.V1.Prices.ListAsync(new PriceListOptions { Product = oneTime.ProductId, Active = true }, cancellationToken: Ct)).Data.Select(p => p.Id));
        Assert.Equal([weekly.Id], (await stripe.V1.Prices.ListAsync(new PriceListOptions { Recurring = new PriceRecurringListOptions { Interval = "week" } }, cancellationToken: Ct)).Data.Select(p => p.Id));
        Assert.Equal([weekly.Id, StripeCatalog.EuroMonthlyPrice], (await stripe.V1.Prices.ListAsync(new PriceListOptions { Currency = "eur" }, cancellationToken: Ct)).Data.Select(p => p.Id));
        var oneTimes = await stripe.V1.Prices.ListAsync(new PriceListOptions { Type = "one_time", Limit = 100 }, cancellationToken: Ct);
        Assert.Equal([dearer.Id, oneTime.Id, StripeCatalog.CreditsPrice], oneTimes.Data.Select(p => p.Id));

        var events = new List<Event>();
        await CollectAsync(receiver, events, e => Count(e, "price.updated") == 2);
        Assert.Equal(3, Count(events, "price.created"));
        Assert.Equal(1, Count(events, "product.created"));
        var moved = events.Where(e => e.Type == "price.updated").Select(e => (Price)e.Data.Object).Single(p => p.Active);
        Assert.Equal((oneTime.Id, null), (moved.Id, moved.LookupKey));
    }

    [Fact]
    public async Task Products_and_prices_are_searched_with_exact_clauses_joined_by_AND_a_page_at_a_time()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        var alpha = await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Alpha", Metadata = new Dictionary<string, string> { ["plan"] = "pro" } }, cancellationToken: Ct);
        var beta = await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Beta", Active = false, Metadata = new Dictionary<string, string> { ["plan"] = "pro" } }, cancellationToken: Ct);
        await stripe.V1.Products.CreateAsync(new ProductCreateOptions { Name = "Gamma", Metadata = new Dictionary<string, string> { ["plan"] = "basic" } }, cancellationToken: Ct);

        var active = await stripe.V1.Products.SearchAsync(new ProductSearchOptions { Query = "active:'true' AND metadata['plan']:'pro'" }, cancellationToken: Ct);
        Assert.Equal([alpha.Id], active.Data.Select(p => p.Id));
        var first = await stripe.V1.Products.SearchAsync(new ProductSearchOptions { Query = "metadata[\"plan\"]:\"pro\"", Limit = 1 }, cancellationToken: Ct);
        Assert.Equal([beta.Id], first.Data.Select(p => p.Id));
        Assert.Equal((true, beta.Id), (first.HasMore, first.NextPage));
        var second = await stripe.V1.Products.SearchAsync(new ProductSearchOptions { Query = "metadata['plan']:'pro'", Limit = 1, Page = first.NextPage }, cancellationToken: Ct);
        Assert.Equal([alpha.Id], second.Data.Select(p => p.Id));
        Assert.Equal((false, (string?)null), (second.HasMore, second.NextPage));

        var keyed = await stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 100, Product = alpha.Id, LookupKey = "searched" }, cancellationToken: Ct);
        Assert.Equal([keyed.Id], (await stripe.V1.Prices.SearchAsync(new PriceSearchOptions { Query = "lookup_key:'searched'" }, cancellationToken: Ct)).Data.Select(p => p.Id));
        var pro = await stripe.V1.Prices.SearchAsync(new PriceSearchOptions { Query = "product:'prod_HarnessPro' AND active:'true'" }, cancellationToken: Ct);
        Assert.Equal([StripeCatalog.EuroMonthlyPrice, StripeCatalog.YearlyPrice, StripeCatalog.MonthlyPrice], pro.Data.Select(p => p.Id));

        await RefusedAsync(() => stripe.V1.Products.SearchAsync(new ProductSearchOptions { Query = "name~'Al'" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "query");
        await RefusedAsync(() => stripe.V1.Prices.SearchAsync(new PriceSearchOptions { Query = "active:'true' OR type:'one_time'" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "query");
    }

    [Theory]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&billing_scheme=tiered", "unit_amount")]
    [InlineData("currency=usd&product=prod_HarnessPro&tiers[0][up_to]=inf&tiers[0][unit_amount]=1", "tiers")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&transform_quantity[divide_by]=10&transform_quantity[round]=sideways", "transform_quantity[round]")]
    [InlineData("currency=usd&product=prod_HarnessPro&custom_unit_amount[enabled]=true", "custom_unit_amount")]
    [InlineData("currency=usd&unit_amount_decimal=12.5&product=prod_HarnessPro", "unit_amount_decimal")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&recurring[interval]=month&recurring[usage_type]=metered", "recurring[meter]")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&recurring[interval]=month&recurring[meter]=mtr_x", "recurring[meter]")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&recurring[interval]=month&recurring[interval_count]=37", "recurring[interval_count]")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&recurring[interval]=fortnight", "recurring[interval]")]
    [InlineData("currency=usd&unit_amount=-1&product=prod_HarnessPro", "unit_amount")]
    [InlineData("currency=usd&unit_amount=100&unit_amount_decimal=100&product=prod_HarnessPro", "unit_amount")]
    [InlineData("currency=usd&unit_amount=100&product=prod_HarnessPro&product_data[name]=Twice", "product")]
    public async Task Pricing_the_sandbox_does_not_simulate_and_bad_prices_are_refused_with_400(string form, string param)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var (status, body) = await PostFormAsync(sandbox, "/v1/prices", form);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", param), (status, body["error"]!["type"]!.GetValue<string>(), body["error"]!["param"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_price_needs_its_currency_amount_and_an_existing_product()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var stripe = Client(sandbox);
        await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions { UnitAmount = 100, Product = "prod_HarnessPro" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "currency", "parameter_missing");
        await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", Product = "prod_HarnessPro" }, cancellationToken: Ct), HttpStatusCode.BadRequest, "unit_amount", "parameter_missing");
        await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 100 }, cancellationToken: Ct), HttpStatusCode.BadRequest, "product", "parameter_missing");
        await RefusedAsync(() => stripe.V1.Prices.CreateAsync(new PriceCreateOptions { Currency = "usd", UnitAmount = 100, Product = "prod_nope" }, cancellationToken: Ct), HttpStatusCode.NotFound, "product", "resource_missing");
        await RefusedAsync(() => stripe.V1.Prices.GetAsync("price_nope", cancellationToken: Ct), HttpStatusCode.NotFound, "price", "resource_missing");
    }
}
