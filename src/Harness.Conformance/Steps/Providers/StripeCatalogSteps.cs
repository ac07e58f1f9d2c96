using System.Globalization;
using System.Net;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Stripe products and prices over HTTP as a merchant's setup script makes them: products with a default price,
/// prices with lookup keys, archiving, deleting, and buying a price made this way.
/// </summary>
[Steps]
public sealed class StripeCatalogSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _product;
    private string? _price;

    private StripeSteps Stripe => context.Get<StripeSteps>();

    private StripeRecurringSteps Recurring => context.Get<StripeRecurringSteps>();

    private string Product => _product ?? throw new AssertionException("the scenario has no product yet");

    private string Price => _price ?? throw new AssertionException("the scenario has no price yet");

    private string LookupKey => context.Unique("lookup");

    [When("the merchant creates a product {string}")]
    public Task CreateProduct(string name) => CreateProductAsync([new("name", name)]);

    [When("the merchant creates a product {string} with a default price of {int} {string} every {int} {string}")]
    public Task CreateProductWithPrice(string name, int amount, string currency, int count, string interval) => CreateProductAsync(
    [
        new("name", name), new("default_price_data[currency]", currency), new("default_price_data[unit_amount]", Text(amount)),
        new("default_price_data[recurring][interval]", interval), new("default_price_data[recurring][interval_count]", Text(count)),
    ]);

    [Then("the product's default price is a recurring price of {int} {string} every {int} {string}")]
    public async Task DefaultPrice(int amount, string currency, int count, string interval)
    {
        var product = await Recurring.OkAsync(HttpMethod.Get, $"/v1/products/{Product}?expand[]=default_price");
        var price = ApiReply.Field(product, "default_price");
        Check.Equal(Product, ApiReply.Text(ApiReply.Field(price, "product")), "the default price's product");
        Check.Equal("recurring", ApiReply.Text(ApiReply.Field(price, "type")), "the default price's type");
        Check.Equal(amount, ApiReply.Field(price, "unit_amount").GetInt64(), "the default price's unit_amount");
        Check.Equal(currency, ApiReply.Text(ApiReply.Field(price, "currency")), "the default price's currency");
        Check.Equal(interval, ApiReply.Text(ApiReply.Path(price, "recurring.interval")), "recurring.interval");
        Check.Equal(count, ApiReply.Path(price, "recurring.interval_count").GetInt64(), "recurring.interval_count");
    }

    [Then("the receiver gets a verifiable {string} event for the product")]
    public async Task ProductEvent(string type)
    {
        var events = await Recurring.VerifiedAsync(type);
        var field = type.StartsWith("price.", StringComparison.Ordinal) ? "data.object.product" : "data.object.id";
        Check.That(events.Any(e => ApiReply.Text(ApiReply.Path(e, field)) == Product), $"a {type} event for {Product}");
    }

    [When("the merchant renames the product {string} and archives it")]
    public async Task RenameAndArchive(string name)
    {
        var product = await Recurring.OkAsync(HttpMethod.Post, "/v1/products/" + Product, [new("name", name), new("active", "false")]);
        Check.Equal(name, ApiReply.Text(ApiReply.Field(product, "name")), "the product's new name");
        Check.That(!ApiReply.Field(product, "active").GetBoolean(), "the product is archived (active false)");
    }

    [Then("the product is listed among inactive products and not among active ones")]
    public async Task ListedInactive()
    {
        bool Listed(JsonElement list) => ApiReply.Field(list, "data").EnumerateArray().Any(p => ApiReply.Text(ApiReply.Field(p, "id")) == Product);
        Check.That(Listed(await Recurring.OkAsync(HttpMethod.Get, $"/v1/products?active=false&ids[]={Product}")), "the product listed with active=false");
        Check.That(!Listed(await Recurring.OkAsync(HttpMethod.Get, $"/v1/products?active=true&ids[]={Product}")), "the product not listed with active=true");
    }

    [When("the merchant creates a product {string} with the scenario's metadata")]
    public Task CreateProductWithMetadata(string name) => CreateProductAsync([new("name", name), new("metadata[run]", context.Unique("search"))]);

    [Then("a product search for the scenario's metadata and active 'true' finds only that product")]
    public async Task SearchFinds() => Check.Equal(Product, string.Join(", ", await SearchAsync()), "the products the search found");

    [Then("a product search for the scenario's metadata and active 'true' finds nothing")]
    public async Task SearchFindsNothing() => Check.Equal("", string.Join(", ", await SearchAsync()), "the products the search found");

    [When("the merchant deletes the product")]
    public Task Delete() => Stripe.StripeAsync(HttpMethod.Delete, "/v1/products/" + Product);

    [Then("the product is deleted and no longer found")]
    public async Task Deleted()
    {
        Check.Equal(HttpStatusCode.OK, _world.Last.Status, $"the delete's answer ({_world.Last.Body})");
        Check.That(ApiReply.Field(_world.Last.Json, "deleted").GetBoolean(), "the answer says deleted: true");
        var gone = await Stripe.StripeAsync(HttpMethod.Get, "/v1/products/" + Product);
        Check.Equal(HttpStatusCode.NotFound, gone.Status, $"retrieving the deleted product ({gone.Body})");
    }

    [When("the merchant creates a one-time price of {int} {string}")]
    public Task CreatePrice(int amount, string currency) => CreatePriceAsync(amount, currency, []);

    [When("the merchant creates a one-time price of {int} {string} with the scenario's lookup key")]
    public Task CreatePriceWithKey(int amount, string currency) => CreatePriceAsync(amount, currency, [new("lookup_key", LookupKey)]);

    [When("the merchant creates a one-time price of {int} {string} with the scenario's lookup key and transfer_lookup_key")]
    public Task CreatePriceTransferringKey(int amount, string currency) =>
        CreatePriceAsync(amount, currency, [new("lookup_key", LookupKey), new("transfer_lookup_key", "true")]);

    [Then("listing prices by the scenario's lookup key finds only the price of {int}")]
    public async Task ListByKey(int amount)
    {
        var prices = ApiReply.Field(await Recurring.OkAsync(HttpMethod.Get, "/v1/prices?lookup_keys[]=" + Uri.EscapeDataString(LookupKey)), "data").EnumerateArray().ToList();
        Check.Equal(1, prices.Count, "prices with the lookup key");
        Check.Equal(amount, ApiReply.Field(prices[0], "unit_amount").GetInt64(), "the unit_amount of the price with the lookup key");
    }

    [When("the merchant archives the created price")]
    public async Task ArchivePrice()
    {
        var price = await Recurring.OkAsync(HttpMethod.Post, "/v1/prices/" + Price, [new("active", "false")]);
        Check.That(!ApiReply.Field(price, "active").GetBoolean(), "the price is archived (active false)");
    }

    /// <summary>A session for the price made in the scenario; when it is created it becomes the scenario's payment.</summary>
    [When("the merchant creates a {string} checkout session for {int} of the created price")]
    public async Task Checkout(string mode, int quantity)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/checkout/sessions", await Stripe.SessionFormAsync(mode, Price, quantity));
        if (reply.Status == HttpStatusCode.OK)
        {
            _world.PaymentId = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
        }
    }

    [When("the customer subscribes to the product's default price through the API")]
    public async Task SubscribeToDefault()
    {
        var product = await Recurring.OkAsync(HttpMethod.Get, "/v1/products/" + Product);
        await Recurring.SubscribeByApi(ApiReply.Text(ApiReply.Field(product, "default_price")));
    }

    private async Task<IEnumerable<string>> SearchAsync()
    {
        var query = Uri.EscapeDataString($"metadata['run']:'{context.Unique("search")}' AND active:'true'");
        var found = await Recurring.OkAsync(HttpMethod.Get, "/v1/products/search?query=" + query);
        Check.Equal("search_result", ApiReply.Text(ApiReply.Field(found, "object")), "a search answer's object");
        return ApiReply.Field(found, "data").EnumerateArray().Select(p => ApiReply.Text(ApiReply.Field(p, "id")));
    }

    private async Task CreateProductAsync(List<KeyValuePair<string, string>> form)
    {
        var product = await Recurring.OkAsync(HttpMethod.Post, "/v1/products", form);
        _product = ApiReply.Text(ApiReply.Field(product, "id"));
    }

    /// <summary>A price of a new product (<c>product_data</c>); only a created one becomes the scenario's price.</summary>
    private async Task CreatePriceAsync(int amount, string currency, List<KeyValuePair<string, string>> extra)
    {
        var reply = await Stripe.StripeAsync(HttpMethod.Post, "/v1/prices",
            [new("currency", currency), new("unit_amount", Text(amount)), new("product_data[name]", context.Unique("price")), .. extra]);
        if (reply.Status == HttpStatusCode.OK)
        {
            _price = ApiReply.Text(ApiReply.Field(reply.Json, "id"));
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
