using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Tests.Support;

namespace Harness.Sandbox.Tests.Creem;

/// <summary>
/// Creem's catalog: products, customers and their billing portal, discounts on checkouts and renewals, and licence
/// keys, through the official SDK and on the wire.
/// </summary>
public sealed class CreemCatalogTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly DateTimeOffset Start = new(2026, 1, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_official_creem_SDK_manages_products_customers_discounts_and_licences()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        var run = await CreemTests.RunSdkAsync(sandbox, "creem-catalog.mjs", ("CREEM_LICENSED_PRODUCT", CreemProvider.LicensedProduct));

        Assert.True(run.ExitCode == 0, run.Errors + run.Output);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        var product = result["product"]!;
        Assert.Equal(("every-month", "customerCredits", "500"), (Str(product["period"]), Str(product["feature"]), Str(product["credits"])));
        Assert.Equal((2500, "Team plan v2"), (product["updatedPrice"]!.GetValue<int>(), Str(product["updatedName"])));
        Assert.Equal("archived", Str(result["archivedStatus"]));
        Assert.True(result["activeHasPlan"]!.GetValue<bool>());
        Assert.False(result["activeHasArchived"]!.GetValue<bool>());
        Assert.Single(result["archivedListed"]!.AsArray());
        Assert.Equal(400, result["archivedCheckout"]!.GetValue<int>());

        var customer = result["customer"]!;
        Assert.Equal(Str(customer["id"]), Str(customer["byEmail"]));
        Assert.Equal(("Team Lead", "user_42", 1, 400), (Str(customer["renamed"]), Str(customer["externalId"]), customer["listed"]!.GetValue<int>(), customer["duplicate"]!.GetValue<int>()));

        var discount = result["discount"]!;
        Assert.Equal(("LAUNCH20", 1, "active", 1, "deleted", 404), (
            Str(discount["code"]), discount["found"]!.GetValue<int>(), Str(discount["status"]), discount["redeemCount"]!.GetValue<int>(),
            Str(discount["deletedStatus"]), discount["deletedCode"]!.GetValue<int>()));
        var order = result["order"]!;
        Assert.Equal((2000, 2500, 500), (order["amount"]!.GetValue<int>(), order["subTotal"]!.GetValue<int>(), order["discountAmount"]!.GetValue<int>()));
        Assert.StartsWith("dis_", Str(order["discount"]), StringComparison.Ordinal);
        Assert.Equal(("LAUNCH20", 20, 2), (Str(result["checkoutDiscount"]!["discountCode"]), result["checkoutDiscount"]!["amount"]!.GetValue<int>(), result["checkoutDiscount"]!["durationInMonths"]!.GetValue<int>()));
        Assert.Equal("LAUNCH20", Str(result["subscriptionDiscount"]));

        // Two months off: the first renewal (period starting a month in) is discounted, the second (two months in) is not.
        Assert.Equal([2000, 2500], result["renewals"]!.AsArray().Select(a => a!.GetValue<int>()));
        Assert.Single(result["customerSubscriptions"]!.AsArray());
        Assert.Equal(1, result["customerOrders"]!.GetValue<int>());
        Assert.StartsWith(sandbox.BaseUrl("creem") + "/portal/", Str(result["portal"]!["link"]), StringComparison.Ordinal);
        Assert.Equal(("subscription.scheduled_cancel", "scheduled_cancel"), (Str(result["portal"]!["event"]), Str(result["portal"]!["status"])));

        var license = result["license"]!;
        Assert.Equal(("inactive", CreemProvider.LicenseActivationLimit, 2, "active", "laptop"), (
            Str(license["status"]), license["limit"]!.GetValue<int>(), license["activated"]!.GetValue<int>(), Str(license["validStatus"]), Str(license["validInstance"])));
        Assert.Equal(("deactivated", 1), (Str(license["deactivated"]), license["activationAfter"]!.GetValue<int>()));
        Assert.Equal(["desktop:deactivated", "laptop:active"], license["instances"]!.AsArray().Select(i => Str(i)));
        Assert.Equal(1, license["customerLicenses"]!.GetValue<int>());
        Assert.Equal("disabled", Str(license["refundedStatus"]));
        Assert.Equal(0, result["pending"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("""{"name":"x","description":"d","price":50,"currency":"USD","billing_type":"onetime"}""", "price must be an integer between 100 and 99999999")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"GBP","billing_type":"onetime"}""", "currency must be one of the following values: EUR, USD")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"recurring"}""", "billing_period must be a recurring period")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"onetime","billing_period":"every-month"}""", "billing_period must be once")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"recurring","billing_period":"custom"}""", "recurring_interval and recurring_interval_count are required")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"recurring","billing_period":"every-month","pay_what_you_want":true}""", "pay_what_you_want is not simulated by the sandbox")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"onetime","colour":"red"}""", "property colour should not exist")]
    [InlineData("""{"description":"d","price":1000,"currency":"USD","billing_type":"onetime"}""", "name must be a string")]
    [InlineData("""{"name":"x","description":"d","price":1000,"currency":"USD","billing_type":"onetime","features":[{"type":"licenseKey","description":"k"}]}""", "each feature must be")]
    public async Task Bad_product_requests_get_creem_errors(string body, string message)
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = CreemTests.Client(sandbox);
        await AssertRefusedAsync(await http.PostAsync("/v1/products", Json(body), Ct), 400, message);
    }

    [Fact]
    public async Task A_custom_period_product_renews_every_two_weeks()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        using var http = CreemTests.Client(sandbox);
        var product = await PostAsync(http, "/v1/products", new
        {
            name = "Fortnightly", description = "Every two weeks", price = 700, currency = "USD", billing_type = "recurring",
            billing_period = "custom", recurring_interval = "week", recurring_interval_count = 2,
        });
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = Str(product["id"]) });
        await sandbox.ActAsync(Str(checkout["id"]), "pay");
        var customer = (await GetAsync(http, "/v1/customers/list"))["items"]![0]!;
        var subscriptions = await GetAsync(http, $"/v1/customers/{Str(customer["id"])}/subscriptions");
        Assert.Equal("2026-01-24T12:00:00.000Z", Str(subscriptions["items"]![0]!["current_period_end_date"]));
    }

    [Fact]
    public async Task A_discount_is_refused_when_expired_used_up_deleted_or_for_another_product()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        using var http = CreemTests.Client(sandbox);
        await PostAsync(http, "/v1/discounts", new
        {
            name = "Five off", code = "FIVE", type = "fixed", amount = 500, currency = "USD", duration = "once",
            applies_to_products = new[] { CreemProvider.OneTimeProduct }, max_redemptions = 1, expiry_date = "2026-02-01T00:00:00Z",
        });

        // A fixed amount off a one-time order: the order, its transaction and the payment all say 500 off 1000.
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.OneTimeProduct, discount_code = "five" });
        Assert.Equal(("FIVE", 500), (Str(checkout["discount"]!["discountCode"]), checkout["discount"]!["amount"]!.GetValue<int>()));
        Assert.Equal(500, (await sandbox.GetJsonAsync($"/control/payments/{Str(checkout["id"])}"))["amount"]!.GetValue<int>());
        await sandbox.ActAsync(Str(checkout["id"]), "pay");
        var order = (await GetAsync(http, $"/v1/checkouts?checkout_id={Str(checkout["id"])}"))["order"]!;
        Assert.Equal((500, 1000, 500), (order["amount"]!.GetValue<int>(), order["sub_total"]!.GetValue<int>(), order["discount_amount"]!.GetValue<int>()));
        Assert.Equal(500, (await GetAsync(http, $"/v1/transactions?transaction_id={Str(order["transaction"])}"))["discount_amount"]!.GetValue<int>());

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/checkouts", new { product_id = CreemProvider.OneTimeProduct, discount_code = "FIVE" }, Ct), 400, "maximum redemptions");
        await PostAsync(http, "/v1/discounts", new { name = "Ten", code = "TEN", type = "percentage", percentage = 10, duration = "forever", applies_to_products = new[] { CreemProvider.OneTimeProduct }, expiry_date = "2026-01-20T00:00:00Z" });
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/checkouts", new { product_id = CreemProvider.MonthlyProduct, discount_code = "TEN" }, Ct), 400, "does not apply to this product");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(10));
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/checkouts", new { product_id = CreemProvider.OneTimeProduct, discount_code = "TEN" }, Ct), 400, "has expired");
        Assert.Equal("expired", Str((await GetAsync(http, "/v1/discounts?discount_code=TEN"))["status"]));
        var ten = await GetAsync(http, "/v1/discounts?discount_code=TEN");
        (await http.DeleteAsync($"/v1/discounts/{Str(ten["id"])}/delete", Ct)).EnsureSuccessStatusCode();
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/checkouts", new { product_id = CreemProvider.OneTimeProduct, discount_code = "TEN" }, Ct), 404, "Discount code TEN not found");
        await AssertRefusedAsync(await http.DeleteAsync($"/v1/discounts/{Str(ten["id"])}/delete", Ct), 404, "Discount not found");
        Assert.Equal(1, (await GetAsync(http, "/v1/discounts/search?status=deleted"))["pagination"]!["total_records"]!.GetValue<int>());

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/discounts", new { name = "x", type = "percentage", percentage = 150, duration = "repeating", applies_to_products = new[] { "prod_x" } }, Ct), 400, "percentage must be an integer between 1 and 100");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/discounts", new { name = "x", type = "percentage", percentage = 15, duration = "repeating", applies_to_products = new[] { CreemProvider.MonthlyProduct } }, Ct), 400, "duration_in_months must be");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/discounts", new { name = "x", type = "percentage", percentage = 15, duration = "once", applies_to_products = new[] { "prod_missing" } }, Ct), 404, "Product prod_missing not found");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/discounts", new { name = "x", code = "five", type = "percentage", percentage = 15, duration = "once", applies_to_products = new[] { CreemProvider.MonthlyProduct } }, Ct), 400, "already exists");
        await AssertRefusedAsync(await http.GetAsync("/v1/discounts", Ct), 400, "discount_id or discount_code must be provided");
    }

    [Fact]
    public async Task A_forever_discount_takes_its_share_off_every_renewal_on_the_clock()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        using var http = CreemTests.Client(sandbox);
        await PostAsync(http, "/v1/discounts", new { name = "Always", code = "ALWAYS", type = "percentage", percentage = 15, duration = "forever", applies_to_products = new[] { CreemProvider.MonthlyProduct } });
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct, discount_code = "ALWAYS" });
        await sandbox.ActAsync(Str(checkout["id"]), "pay");
        await sandbox.AdvanceAsync(TimeSpan.FromDays(31));
        await sandbox.AdvanceAsync(TimeSpan.FromDays(29));

        // 15 % of 999 is 149.85, rounded half up to 150: every charge is 849.
        var subscriptionId = Str((await GetAsync(http, $"/v1/checkouts?checkout_id={Str(checkout["id"])}"))["subscription"]!["id"]);
        var customerId = Str((await GetAsync(http, $"/v1/subscriptions?subscription_id={subscriptionId}"))["customer"]!["id"]);
        var charges = (await GetAsync(http, $"/v1/transactions/search?customer_id={customerId}"))["items"]!.AsArray();
        Assert.Equal(3, charges.Count);
        Assert.All(charges, t => Assert.Equal((849, 150), (t!["amount"]!.GetValue<int>(), t["discount_amount"]!.GetValue<int>())));
    }

    [Fact]
    public async Task The_portal_cancels_only_the_customers_own_subscriptions_and_an_unknown_link_is_404()
    {
        await using var sandbox = await TestSandbox.StartAsync();
        using var http = CreemTests.Client(sandbox);
        var mine = await PaidSubscriptionAsync(sandbox, http, "mine@example.com");
        var theirs = await PaidSubscriptionAsync(sandbox, http, "<b>theirs</b>@example.com");
        var customerId = Str((await GetAsync(http, "/v1/customers?email=mine@example.com"))["id"]);
        var link = Str((await PostAsync(http, "/v1/customers/billing", new { customer_id = customerId }))["customer_portal_link"]);
        using var browser = new HttpClient();

        var page = await browser.GetStringAsync(link, Ct);
        Assert.Contains(mine, page, StringComparison.Ordinal);
        Assert.DoesNotContain(theirs, page, StringComparison.Ordinal);
        var refused = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["subscription_id"] = theirs, ["action"] = "cancel" }), Ct);
        Assert.Contains("No such subscription of yours.", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("active", Str((await GetAsync(http, $"/v1/subscriptions?subscription_id={theirs}"))["status"]));
        var canceled = await browser.PostAsync(link, new FormUrlEncodedContent(new Dictionary<string, string> { ["subscription_id"] = mine, ["action"] = "cancel" }), Ct);
        Assert.Contains("ends at the end of the current period", await canceled.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal("scheduled_cancel", Str((await GetAsync(http, $"/v1/subscriptions?subscription_id={mine}"))["status"]));

        var other = Str((await PostAsync(http, "/v1/customers/billing", new { customer_id = Str((await GetAsync(http, "/v1/customers?email=%3Cb%3Etheirs%3C%2Fb%3E@example.com"))["id"]) }))["customer_portal_link"]);
        Assert.Contains("&lt;b&gt;theirs&lt;/b&gt;@example.com", await browser.GetStringAsync(other, Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync(sandbox.BaseUrl("creem") + "/portal/not-a-token", Ct)).StatusCode);
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/customers/billing", new { customer_id = "cust_missing" }, Ct), 404, "Customer not found");
        await AssertRefusedAsync(await http.GetAsync("/v1/customers/cust_missing/orders", Ct), 404, "Customer not found");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/customers", new { email = "not-an-email", name = "x" }, Ct), 400, "email must be an email");
        await AssertRefusedAsync(await http.GetAsync("/v1/customers", Ct), 400, "customer_id or email must be provided");
    }

    [Fact]
    public async Task A_licence_stops_at_its_activation_limit_and_expires_when_its_subscription_ends()
    {
        await using var sandbox = await TestSandbox.StartAsync(Start);
        using var http = CreemTests.Client(sandbox);
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.LicensedMonthlyProduct });
        await sandbox.ActAsync(Str(checkout["id"]), "pay");
        var paid = await GetAsync(http, $"/v1/checkouts?checkout_id={Str(checkout["id"])}");
        var key = Str(paid["license_keys"]![0]!["key"]);
        Assert.Matches("^[0-9A-F]{5}(-[0-9A-F]{5}){3}$", key);

        var instances = new List<string>();
        for (var i = 0; i < CreemProvider.LicenseActivationLimit; i++)
        {
            instances.Add(Str((await PostAsync(http, "/v1/licenses/activate", new { key, instance_name = $"device {i}" }))["instance"]!["id"]));
        }

        var first = instances[0];

        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/licenses/activate", new { key, instance_name = "one too many" }, Ct), 400, "activation limit");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/licenses/activate", new { key = "NOPE", instance_name = "x" }, Ct), 404, "License key not found");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/licenses/validate", new { key, instance_id = "lki_other" }, Ct), 404, "License instance not found");
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/licenses/validate", new { key }, Ct), 400, "instance_id must be a string");

        (await http.PostAsync($"/v1/subscriptions/{Str(paid["subscription"]!["id"])}/cancel", null, Ct)).EnsureSuccessStatusCode();
        var expired = await PostAsync(http, "/v1/licenses/validate", new { key, instance_id = first });
        Assert.Equal(("expired", "2026-01-10T12:00:00.000Z"), (Str(expired["status"]), Str(expired["expires_at"])));
        await AssertRefusedAsync(await http.PostAsJsonAsync("/v1/licenses/activate", new { key, instance_name = "later" }, Ct), 400, "License key is expired");
    }

    /// <summary>Everything the catalog made is in the sandbox's store: a stop and a start find it all, and it keeps working.</summary>
    [Fact]
    public async Task Products_customers_discounts_and_licences_survive_a_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "harness-sandbox-tests", Guid.NewGuid().ToString("N"));
        var options = new SandboxOptions { DataDirectory = data, BasePort = 0, Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start) };
        string productId, customerId, key, instanceId;
        await using (var first = await SandboxServer.StartAsync(options, Ct))
        {
            using var http = Client(first);
            productId = Str((await PostAsync(http, "/v1/products", new { name = "Kept", description = "d", price = 1200, currency = "EUR", billing_type = "onetime" }))["id"]);
            customerId = Str((await PostAsync(http, "/v1/customers", new { email = "kept@example.com", name = "Kept" }))["id"]);
            await PostAsync(http, "/v1/discounts", new { name = "Kept", code = "KEPT", type = "fixed", amount = 200, currency = "EUR", duration = "once", applies_to_products = new[] { productId } });
            var checkout = await PostAsync(http, "/v1/checkouts", new { product_id = CreemProvider.LicensedProduct, customer = new { id = customerId } });
            using var control = new HttpClient { BaseAddress = new Uri(first.ControlBaseUrl) };
            (await control.PostAsync($"/control/payments/{Str(checkout["id"])}/pay", null, Ct)).EnsureSuccessStatusCode();
            key = Str((await GetAsync(http, $"/v1/checkouts?checkout_id={Str(checkout["id"])}"))["license_keys"]![0]!["key"]);
            instanceId = Str((await PostAsync(http, "/v1/licenses/activate", new { key, instance_name = "kept" }))["instance"]!["id"]);
        }

        await using (var second = await SandboxServer.StartAsync(options, Ct))
        {
            using var http = Client(second);
            Assert.Equal("Kept", Str((await GetAsync(http, $"/v1/products/{productId}"))["name"]));
            Assert.Equal(customerId, Str((await GetAsync(http, "/v1/customers?email=kept@example.com"))["id"]));
            Assert.Single((await GetAsync(http, $"/v1/customers/{customerId}/licenses"))["items"]!.AsArray());
            Assert.Equal("active", Str((await PostAsync(http, "/v1/licenses/validate", new { key, instance_id = instanceId }))["status"]));
            var discounted = await PostAsync(http, "/v1/checkouts", new { product_id = productId, discount_code = "KEPT" });
            Assert.Equal("KEPT", Str(discounted["discount"]!["discountCode"]));
        }
    }

    private static async Task<string> PaidSubscriptionAsync(TestSandbox sandbox, HttpClient http, string email)
    {
        var checkout = await CreemTests.CreateAsync(sandbox, new { product_id = CreemProvider.MonthlyProduct, customer = new { email } });
        await sandbox.ActAsync(Str(checkout["id"]), "pay");
        return Str((await GetAsync(http, $"/v1/checkouts?checkout_id={Str(checkout["id"])}"))["subscription"]!["id"]);
    }

    private static HttpClient Client(SandboxServer server)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrlOf("creem")) };
        http.DefaultRequestHeaders.Add("x-api-key", CreemProvider.ApiKey);
        return http;
    }

    private static async Task<JsonNode> PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> GetAsync(HttpClient http, string path) => JsonNode.Parse(await http.GetStringAsync(path, Ct))!;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static string Str(JsonNode? node) => node!.GetValue<string>();

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int status, string message)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(status == (int)response.StatusCode, body);
            Assert.Contains(message, body, StringComparison.Ordinal);
        }
    }
}
