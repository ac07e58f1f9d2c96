using System.Net;
using System.Text;
using System.Text.Json;
using Harness.Conformance.Binding;
using Harness.Conformance.Running;

namespace Harness.Conformance.Steps.Providers;

/// <summary>
/// Creem's catalog over HTTP as a merchant backend drives it: products, customers and their billing-portal page,
/// discount codes on checkouts and renewals, and licence keys. Names, emails and codes are this run's own, so
/// scenarios sharing a sandbox do not see each other's.
/// </summary>
[Steps]
public sealed class CreemCatalogSteps(ScenarioContext context)
{
    private readonly SandboxWorld _world = context.Get<SandboxWorld>();
    private string? _product;
    private string? _customer;
    private string? _code;
    private string? _discount;
    private string? _subscription;
    private string? _portal;
    private string? _key;
    private readonly List<string> _instances = [];
    private JsonElement? _paid;

    [When("the merchant creates a {string} product of {int} cents billed {string}")]
    public async Task CreateProduct(string type, int cents, string period)
    {
        var product = await OkAsync(HttpMethod.Post, "/v1/products", new
        {
            name = context.Unique("product"), description = "Conformance product", price = cents, currency = "EUR", billing_type = type, billing_period = period,
        });
        _product = ApiReply.Text(ApiReply.Field(product, "id"));
    }

    [When("the merchant changes the product's price to {int} cents")]
    public Task Reprice(int cents) => OkAsync(new HttpMethod("PATCH"), $"/v1/products/{Product}", new { price = cents });

    [When("the merchant archives the product")]
    public async Task Archive() =>
        Check.Equal("archived", ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Delete, $"/v1/products/{Product}"), "status")), "the archived product's status");

    [Then("a search of active products finds it at {int} cents")]
    public async Task SearchFinds(int cents)
    {
        var found = (await OkAsync(HttpMethod.Get, "/v1/products/search?status=active&page_size=100")).GetProperty("items").EnumerateArray()
            .FirstOrDefault(p => ApiReply.Text(ApiReply.Field(p, "id")) == Product);
        Check.That(found.ValueKind == JsonValueKind.Object, "the search of active products does not list the product");
        Check.Equal(cents, ApiReply.Field(found, "price").GetInt32(), "the product's price");
    }

    [Then("a checkout for the product is for {int} cents")]
    public async Task CheckoutAmount(int cents)
    {
        var checkout = await OkAsync(HttpMethod.Post, "/v1/checkouts", new { product_id = Product });
        var payment = await _world.PaymentAsync(ApiReply.Text(ApiReply.Field(checkout, "id")));
        Check.Equal(cents, ApiReply.Field(payment, "amount").GetInt32(), "the checkout's amount");
    }

    [Then("a checkout for the product is refused with {int} and a message that mentions {string}")]
    public async Task CheckoutRefused(int status, string message)
    {
        await CreemAsync(HttpMethod.Post, "/v1/checkouts", new { product_id = Product });
        Refused(status, message);
    }

    [Given("a customer created through the API")]
    public async Task CreateCustomer()
    {
        var customer = await OkAsync(HttpMethod.Post, "/v1/customers", new { email = context.Unique("customer") + "@example.com", name = "Conformance Customer" });
        _customer = ApiReply.Text(ApiReply.Field(customer, "id"));
    }

    [Given("the customer paid a Creem checkout for {string}")]
    public Task CustomerPaid(string product) => PayAsync(new { product_id = product, customer = new { id = Customer } });

    [Given("the customer paid a Creem checkout for {string} with the discount code")]
    public Task CustomerPaidWithCode(string product) => PayAsync(new { product_id = product, customer = new { id = Customer }, discount_code = Code });

    [When("the merchant asks for the customer's billing-portal link")]
    public async Task PortalLink() =>
        _portal = ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Post, "/v1/customers/billing", new { customer_id = Customer }), "customer_portal_link"));

    [When("the customer cancels the subscription on the portal page")]
    public async Task CancelOnPortal()
    {
        var form = new FormUrlEncodedContent([new("subscription_id", Subscription), new("action", "cancel")]);
        var page = await _world.SendAsync(HttpMethod.Post, Portal, form);
        Check.Equal(HttpStatusCode.OK, page.Status, $"the portal's answer ({page.Body})");
        await _world.RunDueAsync();
    }

    [Then("the portal page shows the subscription as {string}")]
    public async Task PortalShows(string status)
    {
        var page = await _world.SendAsync(HttpMethod.Get, Portal);
        Check.Equal(HttpStatusCode.OK, page.Status, "the portal page's status");
        var row = page.Body.IndexOf($"<tr id=\"{Subscription}\">", StringComparison.Ordinal);
        Check.That(row >= 0, $"the portal page does not list {Subscription}");
        Check.That(page.Body.IndexOf($"<td class=\"status\">{status}</td>", row, StringComparison.Ordinal) > row, $"the portal page does not show {Subscription} as {status}");
    }

    [Then("the customer's subscriptions through the API are {string}")]
    public async Task CustomerSubscriptions(string status) => AllHave(await OkAsync(HttpMethod.Get, $"/v1/customers/{Customer}/subscriptions"), status);

    [Then("the customer's licences through the API are {string}")]
    public async Task CustomerLicences(string status) => AllHave(await OkAsync(HttpMethod.Get, $"/v1/customers/{Customer}/licenses"), status);

    [Then("the last webhook of the subscription is a verifiable {string}")]
    public async Task LastWebhook(string type)
    {
        var mine = (await _world.ReceivedAsync()).Where(r => ApiReply.Text(ApiReply.Path(SandboxWorld.ParseJson(r.Body), "object.id")) == Subscription).ToList();
        Check.That(mine.Count > 0, "no webhook of the subscription arrived");
        Check.Equal(type, SandboxWorld.EventType(mine[^1]), "the subscription's last webhook");
        Check.Equal(ProviderSignatures.Creem(await _world.CredentialAsync("creem", "webhook_secret"), mine[^1].Body), mine[^1].Header("creem-signature"), "creem-signature");
    }

    [Given("a {int} percent discount {string} for {int} month(s) on {string}")]
    public Task PercentDiscount(int percent, string duration, int months, string product) =>
        CreateDiscountAsync(new { name = "Conformance", code = NewCode(), type = "percentage", percentage = percent, duration, duration_in_months = months, applies_to_products = new[] { product } });

    [Given("a {int} cents off discount {string} on {string} redeemable {int} time(s)")]
    public Task FixedDiscount(int cents, string duration, string product, int times) =>
        CreateDiscountAsync(new { name = "Conformance", code = NewCode(), type = "fixed", amount = cents, currency = "USD", duration, applies_to_products = new[] { product }, max_redemptions = times });

    [When("a checkout for {string} uses the discount code")]
    public Task CheckoutWithCode(string product) => CreemAsync(HttpMethod.Post, "/v1/checkouts", new { product_id = product, discount_code = Code });

    [When("a checkout for {string} uses the discount code and is paid")]
    public Task PaidWithCode(string product) => PayAsync(new { product_id = product, discount_code = Code });

    [When("the merchant deletes the discount")]
    public Task DeleteDiscount() => OkAsync(HttpMethod.Delete, $"/v1/discounts/{_discount}/delete");

    [Then("the checkout is refused with {int} and a message that mentions {string}")]
    public void CheckoutIsRefused(int status, string message) => Refused(status, message);

    [Then("the checkout's order is {int} cents with {int} cents off and sub_total {int}")]
    public void Order(int cents, int off, int subtotal)
    {
        var order = ApiReply.Field(Paid, "order");
        Check.Equal(cents, ApiReply.Field(order, "amount").GetInt32(), "order.amount");
        Check.Equal(off, ApiReply.Field(order, "discount_amount").GetInt32(), "order.discount_amount");
        Check.Equal(subtotal, ApiReply.Field(order, "sub_total").GetInt32(), "order.sub_total");
    }

    [When("the control API renews the customer's subscription")]
    public async Task Renew()
    {
        await _world.ControlAsync(HttpMethod.Post, $"/control/creem/subscriptions/{Subscription}/renew");
        await _world.RunDueAsync();
    }

    [Then("the subscription's last transaction is {int} cents with {int} cents off")]
    public async Task LastTransaction(int cents, int off)
    {
        var subscription = await OkAsync(HttpMethod.Get, "/v1/subscriptions?subscription_id=" + Uri.EscapeDataString(Subscription));
        Check.Equal(cents, ApiReply.Path(subscription, "last_transaction.amount").GetInt32(), "last_transaction.amount");
        Check.Equal(off, ApiReply.Path(subscription, "last_transaction.discount_amount").GetInt32(), "last_transaction.discount_amount");
    }

    [Then("the checkout.completed webhook carries the licence key, {string}")]
    public async Task LicenceInWebhook(string status)
    {
        var checkout = ApiReply.Field(SandboxWorld.ParseJson((await CompletedAsync()).Body), "object");
        var license = ApiReply.Field(checkout, "license_keys")[0];
        Check.Equal(status, ApiReply.Text(ApiReply.Field(license, "status")), "license_keys[0].status");
        _key = ApiReply.Text(ApiReply.Field(license, "key"));
        Check.Equal(_key, ApiReply.Text(ApiReply.Path(checkout, "feature.license_key.key")), "feature.license_key.key");
    }

    [When("the licence key is activated on {int} devices")]
    public async Task Activate(int devices)
    {
        for (var i = 0; i < devices; i++)
        {
            var license = await OkAsync(HttpMethod.Post, "/v1/licenses/activate", new { key = Key, instance_name = $"device {i + 1}" });
            _instances.Add(ApiReply.Text(ApiReply.Path(license, "instance.id")));
        }
    }

    [Then("activating it on one more device is refused with {int} and a message that mentions {string}")]
    public async Task OneMore(int status, string message)
    {
        await CreemAsync(HttpMethod.Post, "/v1/licenses/activate", new { key = Key, instance_name = "one more" });
        Refused(status, message);
    }

    [Then("validating the first device's instance answers {string}")]
    public async Task Validate(string status)
    {
        var license = await OkAsync(HttpMethod.Post, "/v1/licenses/validate", new { key = Key, instance_id = _instances[0] });
        Check.Equal(status, ApiReply.Text(ApiReply.Field(license, "status")), "the licence's status");
    }

    [When("the merchant refunds the checkout's order")]
    public async Task RefundOrder()
    {
        var refund = await OkAsync(HttpMethod.Post, "/v1/refunds", new { transaction_id = ApiReply.Text(ApiReply.Path(Paid, "order.transaction")) });
        Check.Equal("succeeded", ApiReply.Text(ApiReply.Field(refund, "status")), "the refund's status");
    }

    private string Product => _product ?? throw new AssertionException("the scenario has created no product");

    private string Customer => _customer ?? throw new AssertionException("the scenario has created no customer");

    private string Code => _code ?? throw new AssertionException("the scenario has created no discount");

    private string Subscription => _subscription ?? throw new AssertionException("the scenario has no subscription");

    private string Portal => _portal ?? throw new AssertionException("the scenario has no billing-portal link");

    private string Key => _key ?? throw new AssertionException("the scenario has no licence key");

    private JsonElement Paid => _paid ?? throw new AssertionException("the scenario has paid no checkout");

    /// <summary>A code of this scenario run's own (17 letters, digits and a dash: a valid Creem code).</summary>
    private string NewCode() => _code = context.Unique("code");

    private async Task CreateDiscountAsync(object body) =>
        _discount = ApiReply.Text(ApiReply.Field(await OkAsync(HttpMethod.Post, "/v1/discounts", body), "id"));

    /// <summary>Creates a checkout, pays it on the hosted page and keeps the paid checkout (and its subscription, if any).</summary>
    private async Task PayAsync(object body)
    {
        var checkout = await OkAsync(HttpMethod.Post, "/v1/checkouts", body);
        _world.PaymentId = ApiReply.Text(ApiReply.Field(checkout, "id"));
        await _world.ClickAsync("pay");
        var paid = await OkAsync(HttpMethod.Get, "/v1/checkouts?checkout_id=" + Uri.EscapeDataString(_world.PaymentId));
        Check.Equal("completed", ApiReply.Text(ApiReply.Field(paid, "status")), "the checkout's status after paying");
        _paid = paid;
        if (paid.TryGetProperty("subscription", out var subscription))
        {
            _subscription = ApiReply.Text(ApiReply.Field(subscription, "id"));
        }
    }

    /// <summary>This scenario's checkout.completed: other scenarios' webhooks may have reached the same receiver.</summary>
    private async Task<ReceivedRequest> CompletedAsync() =>
        (await _world.ReceivedAsync()).FirstOrDefault(r => SandboxWorld.EventType(r) == "checkout.completed" && ApiReply.Text(ApiReply.Path(SandboxWorld.ParseJson(r.Body), "object.id")) == _world.ThePayment)
        ?? throw new AssertionException("the receiver got no checkout.completed for the scenario's checkout");

    private static void AllHave(JsonElement page, string status)
    {
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Check.That(items.Count > 0, "the list is empty");
        foreach (var item in items)
        {
            Check.Equal(status, ApiReply.Text(ApiReply.Field(item, "status")), $"{ApiReply.Text(ApiReply.Field(item, "id"))}'s status");
        }
    }

    private void Refused(int status, string message)
    {
        Check.Equal(status, (int)_world.Last.Status, $"HTTP status ({_world.Last.Body})");
        Check.That(_world.Last.Body.Contains(message, StringComparison.Ordinal), $"the answer {_world.Last.Body} does not mention \"{message}\"");
    }

    private async Task<JsonElement> OkAsync(HttpMethod method, string path, object? body = null)
    {
        var reply = await CreemAsync(method, path, body);
        Check.Equal(HttpStatusCode.OK, reply.Status, $"{method} {path} ({reply.Body})");
        return reply.Json;
    }

    private async Task<WireReply> CreemAsync(HttpMethod method, string path, object? body = null)
    {
        var headers = new[] { new KeyValuePair<string, string>("x-api-key", await _world.CredentialAsync("creem", "api_key")) };
        var content = body is null ? null : new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        return _world.LastReply = await _world.SendAsync(method, await _world.BaseUrlAsync("creem") + path, content, headers);
    }
}
