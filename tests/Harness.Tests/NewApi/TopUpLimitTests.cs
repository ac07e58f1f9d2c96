using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.NewApi.Quota;
using Harness.NewApi.TopUp;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>
/// What a top-up order may ask for (new-api.md §5.3, §5.6–5.12): a missing amount is Go's 0, and an order whose quota the
/// user's balance could not take is refused before anything is paid, on every channel. No provider is called.
/// </summary>
public sealed class TopUpLimitTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> Channels = new()
    {
        ["NewApi:PayAddress"] = "http://epay.test/",
        ["NewApi:EpayId"] = "1000",
        ["NewApi:EpayKey"] = "epay-test-key-0123456789",
        ["NewApi:StripeApiSecret"] = "sk_test_limits",
        ["NewApi:StripeWebhookSecret"] = "whsec_limits",
        ["NewApi:StripePriceId"] = "price_limits",
        ["NewApi:StripeApiBase"] = "http://stripe.invalid",
        ["NewApi:CreemApiKey"] = "creem_limits",
        ["NewApi:CreemApiBase"] = "http://creem.invalid",
        ["NewApi:CreemProducts"] = """[{"productId":"prod_big","name":"Big","price":10,"currency":"USD","quota":5000000}]""",
    };

    [Fact]
    public async Task A_missing_amount_is_zero_as_Go_binds_it_so_the_minimum_refuses_it()
    {
        await using var app = new NewApiTestApp(Channels);
        using var http = app.As(app.NewUser("no-amount"));

        Assert.Equal("""{"message":"error","data":"充值数量不能小于 1"}""", await PostAsync(http, "/api/user/amount", new { }));
        Assert.Equal("""{"message":"error","data":"充值数量不能小于 1"}""", await PostAsync(http, "/api/user/pay", new { payment_method = "alipay" }));
        Assert.Equal("""{"message":"error","data":"充值数量不能小于 1"}""", await PostAsync(http, "/api/user/stripe/amount", new { }));

        // Stripe's order checks the channel first, then the amount (in its odd shape).
        Assert.Equal("""{"message":"error","data":"不支持的支付渠道"}""", await PostAsync(http, "/api/user/stripe/pay", new { }));
        Assert.Equal("""{"message":"充值数量不能小于 1","data":10}""", await PostAsync(http, "/api/user/stripe/pay", new { payment_method = "stripe" }));
    }

    [Fact]
    public async Task An_Epay_amount_whose_quota_no_balance_can_hold_is_refused_before_an_order_exists()
    {
        await using var app = new NewApiTestApp(Channels);
        using var http = app.As(app.NewUser("too-much"));
        var max = QuotaAccounts.MaxQuota / QuotaAccounts.PerUnit;
        var tooMany = $$"""{"message":"error","data":"单笔充值数量不能大于 {{max.ToString(CultureInfo.InvariantCulture)}}"}""";

        Assert.Equal(tooMany, await PostAsync(http, "/api/user/amount", new { amount = max + 1 }));
        Assert.Equal(tooMany, await PostAsync(http, "/api/user/pay", new { amount = long.MaxValue, payment_method = "alipay" }));
        Assert.Equal(tooMany, await PostAsync(http, "/api/user/pay", new { amount = max + 1, payment_method = "alipay" }));
        Assert.Equal("success", JsonNode.Parse(await PostAsync(http, "/api/user/amount", new { amount = max }))!["message"]!.GetValue<string>());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self", Ct))!["data"]!["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_top_up_the_users_balance_cannot_take_is_refused_on_every_channel()
    {
        await using var app = new NewApiTestApp(Channels);
        var user = app.NewUser("nearly-full");
        using var http = app.As(user);
        var room = 2 * QuotaAccounts.PerUnit;
        await app.Services.GetRequiredService<QuotaAccounts>().CreditAsync(
            user.NumericId, QuotaAccounts.MaxQuota - room, TopUpCompletion.LedgerKind, "test", "fill", "fill", "fill", Ct);
        const string Unrepresentable = """{"message":"error","data":"充值额度超出系统可表示范围"}""";

        Assert.Equal(Unrepresentable, await PostAsync(http, "/api/user/amount", new { amount = 3 }));
        Assert.Equal(Unrepresentable, await PostAsync(http, "/api/user/pay", new { amount = 3, payment_method = "alipay" }));
        Assert.Equal(Unrepresentable, await PostAsync(http, "/api/user/stripe/pay", new { amount = 3, payment_method = "stripe" }));
        Assert.Equal(Unrepresentable, await PostAsync(http, "/api/user/creem/pay", new { product_id = "prod_big", payment_method = "creem" }));

        // Exactly the room left still fits.
        Assert.Equal("success", JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 2, payment_method = "alipay" }))!["message"]!.GetValue<string>());
        Assert.Equal(1, (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self", Ct))!["data"]!["total"]!.GetValue<int>());
    }

    private static async Task<string> PostAsync(HttpClient http, string path, object body) =>
        await (await http.PostAsJsonAsync(path, body, Ct)).Content.ReadAsStringAsync(Ct);
}
