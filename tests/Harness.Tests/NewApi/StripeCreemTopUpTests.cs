using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.NewApi.Quota;
using Harness.Sandbox.Creem;
using Harness.Sandbox.Stripe;
using Harness.Security.Signing;
using Harness.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>
/// Stripe and Creem top-ups against the provider sandbox: orders are placed on the sandbox, paid there, and the
/// webhook the sandbox built is handed to New-API as the provider would send it — once, again, at once, tampered, late.
/// </summary>
public sealed class StripeCreemTopUpTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_paid_Stripe_checkout_credits_once_and_a_tampered_or_late_event_is_refused()
    {
        await using var sandbox = await StartSandboxAsync();
        await using var app = new NewApiTestApp(Settings(sandbox));
        var user = app.NewUser("stripe-payer");
        using var http = app.As(user);

        Assert.Equal("""{"message":"success","data":"80.00"}""", await PostAsync(http, "/api/user/stripe/amount", new { amount = 10 }));
        Assert.Equal("""{"message":"error","data":"不支持的支付渠道"}""", await PostAsync(http, "/api/user/stripe/pay", new { amount = 5 }));
        Assert.Equal("""{"message":"充值数量不能小于 1","data":10}""", await PostAsync(http, "/api/user/stripe/pay", new { amount = 0, payment_method = "stripe" }));
        Assert.Equal("""{"message":"充值数量不能大于 10000","data":10}""", await PostAsync(http, "/api/user/stripe/pay", new { amount = 10_001, payment_method = "stripe" }));

        var link = JsonNode.Parse(await PostAsync(http, "/api/user/stripe/pay", new { amount = 5, payment_method = "stripe" }))!["data"]!["pay_link"]!.GetValue<string>();
        var session = link[(link.LastIndexOf('/') + 1)..];
        var body = await PaidEventAsync(sandbox, session, "checkout.session.completed");

        Assert.Equal(HttpStatusCode.BadRequest, await StripeWebhookAsync(app, body.Replace("\"paid\"", "\"unpaid\"", StringComparison.Ordinal), StripeSignature(body)));
        Assert.Equal(HttpStatusCode.BadRequest, await StripeWebhookAsync(app, body, StripeSignature(body, DateTimeOffset.UtcNow.AddMinutes(-10))));
        Assert.Equal(HttpStatusCode.BadRequest, await StripeWebhookAsync(app, body, ""));
        Assert.Equal(0, Quota(app, user));

        var copies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => StripeWebhookAsync(app, body, StripeSignature(body))));
        Assert.All(copies, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, body, StripeSignature(body)));
        Assert.Equal(5 * QuotaAccounts.PerUnit, Quota(app, user));
        var order = (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self", Ct))!["data"]!["items"]![0]!;
        Assert.Equal("success", order["status"]!.GetValue<string>());
        Assert.StartsWith("ref_", order["trade_no"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotEqual("", app.Users.Find(user.NumericId)!.StripeCustomer);
    }

    [Fact]
    public async Task An_expired_Stripe_checkout_expires_its_pending_order_and_a_paid_one_stays_paid()
    {
        await using var sandbox = await StartSandboxAsync();
        await using var app = new NewApiTestApp(Settings(sandbox));
        using var http = app.As(app.NewUser("stripe-expiry"));
        var link = JsonNode.Parse(await PostAsync(http, "/api/user/stripe/pay", new { amount = 2, payment_method = "stripe" }))!["data"]!["pay_link"]!.GetValue<string>();
        var session = link[(link.LastIndexOf('/') + 1)..];

        using var stripe = new HttpClient { BaseAddress = new Uri(sandbox.Server.BaseUrlOf("stripe")) };
        stripe.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        (await stripe.PostAsync($"/v1/checkout/sessions/{session}/expire", null, Ct)).EnsureSuccessStatusCode();
        var body = await EventAsync(sandbox, session, "checkout.session.expired");

        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, body, StripeSignature(body)));
        Assert.Equal("expired", (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self", Ct))!["data"]!["items"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_paid_Creem_checkout_credits_the_products_raw_quota_once_and_bad_signatures_get_401()
    {
        await using var sandbox = await StartSandboxAsync();
        await using var app = new NewApiTestApp(Settings(sandbox));
        var user = app.NewUser("creem-payer");
        using var http = app.As(user);

        // The info page tells the front end what is enabled and which products to offer, from the settings.
        var info = (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/info", Ct))!["data"]!;
        Assert.True(info["enable_stripe_topup"]!.GetValue<bool>());
        Assert.True(info["enable_creem_topup"]!.GetValue<bool>());
        Assert.Contains(CreemProvider.OneTimeProduct, info["creem_products"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("1", info["pay_methods"]!.AsArray().Single(m => m!["type"]!.GetValue<string>() == "stripe")!["min_topup"]!.GetValue<string>());

        Assert.Equal("""{"message":"error","data":"请选择产品"}""", await PostAsync(http, "/api/user/creem/pay", new { payment_method = "creem" }));
        Assert.Equal("""{"message":"error","data":"产品不存在"}""", await PostAsync(http, "/api/user/creem/pay", new { product_id = "prod_x", payment_method = "creem" }));
        var pay = JsonNode.Parse(await PostAsync(http, "/api/user/creem/pay", new { product_id = CreemProvider.OneTimeProduct, payment_method = "creem" }))!["data"]!;
        var checkout = pay["checkout_url"]!.GetValue<string>();
        var body = await PaidEventAsync(sandbox, checkout[(checkout.LastIndexOf('/') + 1)..], "checkout.completed");
        Assert.Contains(pay["order_id"]!.GetValue<string>(), body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Unauthorized, await CreemWebhookAsync(app, body, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await CreemWebhookAsync(app, body, HmacSignature.Sha256Hex("whsec_wrong", body)));
        Assert.Equal(HttpStatusCode.Unauthorized, await CreemWebhookAsync(app, body.Replace("\"paid\"", "\"paid \"", StringComparison.Ordinal), CreemSignature(body)));
        Assert.Equal(HttpStatusCode.BadRequest, await CreemWebhookAsync(app, "{not json", CreemSignature("{not json")));
        var unknown = body.Replace(pay["order_id"]!.GetValue<string>(), "ref_unknown", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, await CreemWebhookAsync(app, unknown, CreemSignature(unknown)));
        Assert.Equal(0, Quota(app, user));

        var copies = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CreemWebhookAsync(app, body, CreemSignature(body))));
        Assert.All(copies, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(5_000_000, Quota(app, user));
        Assert.Equal("", await (await app.Anonymous().PostAsync("/api/creem/webhook", new StringContent(body), Ct)).Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_Stripe_and_a_Creem_subscription_order_each_deliver_one_subscription_through_the_webhooks()
    {
        await using var sandbox = await StartSandboxAsync();
        await using var app = new NewApiTestApp(Settings(sandbox));
        using var admin = app.As(app.Root);
        var plan = JsonNode.Parse(await PostAsync(admin, "/api/subscription/admin/plans", new
        {
            plan = new { title = "Pro", price_amount = 9.99, duration_unit = "month", stripe_price_id = StripeCatalog.MonthlyPrice, creem_product_id = CreemProvider.MonthlyProduct },
        }))!["data"]!["id"]!.GetValue<int>();
        var unpriced = JsonNode.Parse(await PostAsync(admin, "/api/subscription/admin/plans", new { plan = new { title = "Bare", price_amount = 1 } }))!["data"]!["id"]!.GetValue<int>();
        var user = app.NewUser("subscriber");
        using var http = app.As(user);

        Assert.Equal("""{"success":false,"message":"该套餐未配置 StripePriceId"}""", await PostAsync(http, "/api/subscription/stripe/pay", new { plan_id = unpriced }));
        Assert.Equal("""{"message":"error","data":"该套餐未配置 CreemProductId"}""", await PostAsync(http, "/api/subscription/creem/pay", new { plan_id = unpriced }));
        Assert.Equal("""{"message":"error","data":"参数错误"}""", await PostAsync(http, "/api/subscription/creem/pay", new { }));

        var link = JsonNode.Parse(await PostAsync(http, "/api/subscription/stripe/pay", new { plan_id = plan }))!["data"]!["pay_link"]!.GetValue<string>();
        var stripeEvent = await PaidEventAsync(sandbox, link[(link.LastIndexOf('/') + 1)..], "checkout.session.completed");
        Assert.Contains("\"client_reference_id\": \"sub_ref_", stripeEvent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, stripeEvent, StripeSignature(stripeEvent)));
        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, stripeEvent, StripeSignature(stripeEvent)));

        var checkout = JsonNode.Parse(await PostAsync(http, "/api/subscription/creem/pay", new { plan_id = plan }))!["data"]!["checkout_url"]!.GetValue<string>();
        var creemEvent = await PaidEventAsync(sandbox, checkout[(checkout.LastIndexOf('/') + 1)..], "checkout.completed");
        Assert.Equal(HttpStatusCode.OK, await CreemWebhookAsync(app, creemEvent, CreemSignature(creemEvent)));
        Assert.Equal(HttpStatusCode.OK, await CreemWebhookAsync(app, creemEvent, CreemSignature(creemEvent)));

        var self = (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!;
        Assert.Equal(2, self["subscriptions"]!.AsArray().Count);
        Assert.All(self["subscriptions"]!.AsArray(), s => Assert.Equal("order", s!["subscription"]!["source"]!.GetValue<string>()));
        Assert.Equal(0, Quota(app, user)); // a subscription order credits no wallet quota
    }

    /// <summary>The reference extends a Stripe subscription on each renewal and ends it with Stripe's (upstream ignores both).</summary>
    [Fact]
    public async Task Three_Stripe_renewals_extend_the_subscription_three_times_and_a_cancel_at_period_end_ends_it()
    {
        await using var sandbox = await StartSandboxAsync();
        await using var app = new NewApiTestApp(Settings(sandbox));
        using var admin = app.As(app.Root);
        var plan = JsonNode.Parse(await PostAsync(admin, "/api/subscription/admin/plans", new
        {
            plan = new { title = "Monthly", price_amount = 9.99, duration_unit = "day", duration_value = 30, stripe_price_id = StripeCatalog.MonthlyPrice },
        }))!["data"]!["id"]!.GetValue<int>();
        using var http = app.As(app.NewUser("renewing"));
        var link = JsonNode.Parse(await PostAsync(http, "/api/subscription/stripe/pay", new { plan_id = plan }))!["data"]!["pay_link"]!.GetValue<string>();
        var session = link[(link.LastIndexOf('/') + 1)..];
        var completed = await PaidEventAsync(sandbox, session, "checkout.session.completed");
        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, completed, StripeSignature(completed)));
        var stripeSubscription = JsonNode.Parse(completed)!["data"]!["object"]!["subscription"]!.GetValue<string>();
        var firstEnd = await EndTimeAsync(http);

        var handed = new HashSet<string>();
        for (var renewal = 1; renewal <= 3; renewal++)
        {
            (await sandbox.Control.PostAsJsonAsync($"/control/stripe/subscriptions/{stripeSubscription}/renew", new { }, Ct)).EnsureSuccessStatusCode();
            var paid = Assert.Single(await EventsAsync(sandbox, stripeSubscription, "invoice.paid"), e => e.Contains("subscription_cycle", StringComparison.Ordinal) && !handed.Contains(e));
            handed.Add(paid);
            Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, paid, StripeSignature(paid)));
            Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, paid, StripeSignature(paid))); // a resend extends nothing more
            Assert.Equal(firstEnd + (renewal * 30L * 86_400), await EndTimeAsync(http));
        }

        using var stripe = new HttpClient { BaseAddress = new Uri(sandbox.Server.BaseUrlOf("stripe")) };
        stripe.DefaultRequestHeaders.Authorization = new("Bearer", StripeProvider.SecretKey);
        (await stripe.PostAsync($"/v1/subscriptions/{stripeSubscription}", new FormUrlEncodedContent([new("cancel_at_period_end", "true")]), Ct)).EnsureSuccessStatusCode();
        (await sandbox.Control.PostAsJsonAsync($"/control/stripe/subscriptions/{stripeSubscription}/renew", new { }, Ct)).EnsureSuccessStatusCode();
        Assert.Equal(3, (await EventsAsync(sandbox, stripeSubscription, "invoice.paid")).Count(e => e.Contains("subscription_cycle", StringComparison.Ordinal)));
        var deleted = Assert.Single(await EventsAsync(sandbox, stripeSubscription, "customer.subscription.deleted"));
        Assert.Equal(HttpStatusCode.OK, await StripeWebhookAsync(app, deleted, StripeSignature(deleted)));

        var self = (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!;
        Assert.Empty(self["subscriptions"]!.AsArray());
        Assert.Equal("expired", self["all_subscriptions"]![0]!["subscription"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Without_Creem_settings_the_webhook_is_forbidden()
    {
        await using var app = new NewApiTestApp();
        Assert.Equal(HttpStatusCode.Forbidden, await CreemWebhookAsync(app, "{}", CreemSignature("{}")));
        Assert.Equal(HttpStatusCode.Forbidden, await StripeWebhookAsync(app, "{}", StripeSignature("{}")));
    }

    /// <summary>The sandbox, with webhook URLs set (to a closed port) so that it builds and logs the webhooks.</summary>
    private static async Task<ChannelSandbox> StartSandboxAsync()
    {
        var sandbox = await ChannelSandbox.StartAsync();
        foreach (var provider in new[] { "stripe", "creem" })
        {
            (await sandbox.Control.PutAsJsonAsync($"/control/providers/{provider}/settings", new Dictionary<string, string> { ["webhook_url"] = "http://127.0.0.1:9/hook" }, Ct)).EnsureSuccessStatusCode();
        }

        return sandbox;
    }

    private static Dictionary<string, string?> Settings(ChannelSandbox sandbox) => NewApiOnSandbox.Settings(sandbox.Server.BaseUrlOf);

    /// <summary>Pays the payment on the sandbox and returns the body of its webhook of <paramref name="type"/>.</summary>
    private static async Task<string> PaidEventAsync(ChannelSandbox sandbox, string paymentId, string type)
    {
        (await sandbox.Control.PostAsJsonAsync($"/control/payments/{paymentId}/pay", new { }, Ct)).EnsureSuccessStatusCode();
        return await EventAsync(sandbox, paymentId, type);
    }

    /// <summary>
    /// The body the sandbox built for the payment's webhook. Its URL points at a closed port (the app under test is
    /// in memory), so the test hands the body over itself, signed as the provider signs.
    /// </summary>
    private static async Task<string> EventAsync(ChannelSandbox sandbox, string paymentId, string type)
    {
        var deliveries = await sandbox.Control.GetFromJsonAsync<JsonArray>($"/control/deliveries?payment_id={paymentId}", Ct);
        return deliveries!.Single(d => d!["event_type"]!.GetValue<string>() == type)!["body"]!.GetValue<string>();
    }

    private static async Task<List<string>> EventsAsync(ChannelSandbox sandbox, string subject, string type)
    {
        var deliveries = await sandbox.Control.GetFromJsonAsync<JsonArray>($"/control/deliveries?payment_id={subject}", Ct);
        return [.. deliveries!.Where(d => d!["event_type"]!.GetValue<string>() == type).Select(d => d!["body"]!.GetValue<string>())];
    }

    private static async Task<long> EndTimeAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]![0]!["subscription"]!["end_time"]!.GetValue<long>();

    private static string StripeSignature(string body, DateTimeOffset? at = null)
    {
        var t = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={HmacSignature.Sha256Hex(StripeProvider.WebhookSecret, t + "." + body)}";
    }

    private static string CreemSignature(string body) => HmacSignature.Sha256Hex(CreemProvider.WebhookSecret, body);

    private static async Task<HttpStatusCode> StripeWebhookAsync(NewApiTestApp app, string body, string signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/stripe/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        using var response = await app.Anonymous().SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> CreemWebhookAsync(NewApiTestApp app, string body, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/creem/webhook") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("creem-signature", signature);
        }

        using var response = await app.Anonymous().SendAsync(request, Ct);
        return response.StatusCode;
    }

    private static long Quota(NewApiTestApp app, Harness.NewApi.Auth.NewApiUser user) => app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId);

    private static async Task<string> PostAsync(HttpClient http, string path, object body) =>
        await (await http.PostAsJsonAsync(path, body, Ct)).Content.ReadAsStringAsync(Ct);
}
