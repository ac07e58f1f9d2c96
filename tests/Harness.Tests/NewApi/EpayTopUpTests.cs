using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.NewApi.Quota;
using Harness.NewApi.TopUp;
using Harness.Security.Signing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>Top-up through Epay (new-api.md §5): quote, order, the signed notify credited once, lists and manual completion.</summary>
public sealed class EpayTopUpTests
{
    private const string Key = "epay-test-key-0123456789";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, string?> Epay = new()
    {
        ["NewApi:PayAddress"] = "http://epay.test/",
        ["NewApi:EpayId"] = "1000",
        ["NewApi:EpayKey"] = Key,
        ["NewApi:AmountDiscount:100"] = "0.9",
        ["NewApi:TopupGroupRatio:vip"] = "2",
    };

    [Fact]
    public async Task Quotes_follow_price_group_ratio_and_discount_and_refuse_what_upstream_refuses()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("quoter");
        using var http = app.As(user);

        Assert.Equal("""{"message":"success","data":"73.00"}""", await PostAsync(http, "/api/user/amount", new { amount = 10 }));
        Assert.Equal("""{"message":"success","data":"657.00"}""", await PostAsync(http, "/api/user/amount", new { amount = 100 }));
        Assert.Equal("""{"message":"error","data":"充值数量不能小于 1"}""", await PostAsync(http, "/api/user/amount", new { amount = 0 }));
        Assert.Equal("""{"message":"error","data":"充值数量不能小于 1"}""", await PostAsync(http, "/api/user/amount", new { }));
        user.Group = "vip";
        app.Users.Save(user);
        Assert.Equal("""{"message":"success","data":"146.00"}""", await PostAsync(http, "/api/user/amount", new { amount = 10 }));

        var info = (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/info", Ct))!["data"]!;
        Assert.True(info["enable_online_topup"]!.GetValue<bool>());
        Assert.Equal(["alipay", "wxpay", "custom1"], info["pay_methods"]!.AsArray().Select(m => m!["type"]!.GetValue<string>()));
        Assert.Equal(0.9m, info["discount"]!["100"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task In_TOKENS_display_amounts_are_tokens_priced_by_the_USD_they_are_worth_and_stored_as_whole_USD()
    {
        await using var app = new NewApiTestApp(new Dictionary<string, string?>(Epay) { ["NewApi:QuotaDisplayType"] = "TOKENS" });
        var user = app.NewUser("tokens");
        using var http = app.As(user);

        Assert.Equal("""{"message":"error","data":"充值数量不能小于 500000"}""", await PostAsync(http, "/api/user/amount", new { amount = 499_999 }));
        Assert.Equal("""{"message":"error","data":"充值数量不能小于 500000"}""", await PostAsync(http, "/api/user/stripe/amount", new { }));
        Assert.Equal("""{"message":"success","data":"73.00"}""", await PostAsync(http, "/api/user/amount", new { amount = 5_000_000 }));
        Assert.Equal("""{"message":"success","data":"7.30"}""", await PostAsync(http, "/api/user/amount", new { amount = 500_000 }));

        // 10.5 USD of tokens is charged as such; the order keeps ⌊10.5⌋ = 10 USD, which is what the notify credits.
        var form = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 5_250_000, payment_method = "alipay" }))!["data"]!;
        Assert.Equal("76.65", form["money"]!.GetValue<string>());
        Assert.Equal("TUC5250000", form["name"]!.GetValue<string>());
        var tradeNo = form["out_trade_no"]!.GetValue<string>();
        Assert.Equal(10, app.Services.GetRequiredService<TopUpOrders>().Find(tradeNo)!.Amount);
        Assert.Equal("success", await NotifyAsync(app, tradeNo, "76.65", "alipay"));
        Assert.Equal(10 * QuotaAccounts.PerUnit, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
    }

    [Fact]
    public async Task An_order_is_a_signed_submit_form_and_its_notify_credits_once_however_often_it_comes()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("payer");
        using var http = app.As(user);

        Assert.Equal("""{"message":"error","data":"支付方式不存在"}""", await PostAsync(http, "/api/user/pay", new { amount = 5, payment_method = "paypal" }));
        var order = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 5, payment_method = "alipay" }))!;
        Assert.Equal("http://epay.test/submit.php", order["url"]!.GetValue<string>());
        var form = order["data"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value!.GetValue<string>());
        Assert.Matches($"^USR{user.Id}NO[A-Za-z0-9]{{6}}\\d{{10}}$", form["out_trade_no"]);
        Assert.Equal("36.50", form["money"]);
        Assert.Equal("TUC5", form["name"]);
        Assert.Equal("pc", form["device"]);
        Assert.EndsWith("/api/user/epay/notify", form["notify_url"], StringComparison.Ordinal);
        Assert.True(SortedParamsMd5.Verify(form, Key, form["sign"]));
        var tradeNo = form["out_trade_no"]!;

        // Five copies at once, then a resend: one credit of 5 × 500,000.
        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => NotifyAsync(app, tradeNo, "36.50", "wxpay")));
        Assert.All(answers, a => Assert.Equal("success", a));
        Assert.Equal("success", await NotifyAsync(app, tradeNo, "36.50", "wxpay", post: true));
        Assert.Equal(5 * QuotaAccounts.PerUnit, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));

        var mine = (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self?keyword=NO", Ct))!["data"]!["items"]![0]!;
        Assert.Equal("success", mine["status"]!.GetValue<string>());
        Assert.Equal("wxpay", mine["payment_method"]!.GetValue<string>()); // the type the gateway reports is recorded
        Assert.True(mine["complete_time"]!.GetValue<long>() > 0);
        Assert.Equal(36.5m, mine["money"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Tampered_stale_amount_and_unknown_notifies_fail_and_credit_nothing()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("careful");
        using var http = app.As(user);
        var tradeNo = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 2, payment_method = "wxpay" }))!["data"]!["out_trade_no"]!.GetValue<string>();

        Assert.Equal("fail", await NotifyAsync(app, tradeNo, "14.60", "wxpay", tamper: true));
        Assert.Equal("fail", await NotifyAsync(app, tradeNo, "14.61", "wxpay"));
        Assert.Equal("fail", await NotifyAsync(app, "USR9NOabcdef1700000000", "14.60", "wxpay"));
        Assert.Equal("fail", await app.Anonymous().GetStringAsync("/api/user/epay/notify", Ct));
        Assert.Equal(0, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
        Assert.Equal("success", await NotifyAsync(app, tradeNo, "14.60", "wxpay"));
        Assert.Equal(2 * QuotaAccounts.PerUnit, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
    }

    [Theory]
    [InlineData("/api/user/epay/notify")]
    [InlineData("/api/subscription/epay/notify")]
    public async Task A_notify_whose_multipart_body_is_cut_short_is_refused_as_unsigned_not_a_500(string path)
    {
        await using var app = new NewApiTestApp(Epay);
        using var content = new StringContent("--xyz\r\nContent-Disposition: form-data; name=\"out_trade_no\"\r\n\r\nabc");
        content.Headers.Remove("Content-Type");
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=xyz");

        using var response = await app.Anonymous().PostAsync(path, content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("fail", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Manual_completion_credits_once_even_when_two_admins_race_and_refuses_orders_not_pending()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("manual");
        using var http = app.As(user);
        using var admin = app.As(app.Root);
        var tradeNo = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 3, payment_method = "alipay" }))!["data"]!["out_trade_no"]!.GetValue<string>();

        var answers = await Task.WhenAll(PostAsync(admin, "/api/user/topup/complete", new { trade_no = tradeNo }), PostAsync(admin, "/api/user/topup/complete", new { trade_no = tradeNo }));
        Assert.All(answers, a => Assert.Equal("""{"success":true,"message":"","data":null}""", a));
        Assert.Equal(3 * QuotaAccounts.PerUnit, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));

        Assert.Equal("""{"success":false,"message":"充值订单不存在"}""", await PostAsync(admin, "/api/user/topup/complete", new { trade_no = "nope" }));
        Assert.Equal("""{"success":false,"message":"参数错误"}""", await PostAsync(admin, "/api/user/topup/complete", new { }));
        var expired = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 1, payment_method = "alipay" }))!["data"]!["out_trade_no"]!.GetValue<string>();
        var orders = app.Services.GetRequiredService<TopUpOrders>();
        var order = orders.Find(expired)!;
        order.Status = "expired";
        orders.Save(order);
        Assert.Equal("""{"success":false,"message":"订单状态不是待支付，无法补单"}""", await PostAsync(admin, "/api/user/topup/complete", new { trade_no = expired }));
        Assert.Equal(2, (await admin.GetFromJsonAsync<JsonObject>("/api/user/topup?keyword=USR", Ct))!["data"]!["total"]!.GetValue<int>());
        Assert.Contains("权限不足", await (await http.GetAsync("/api/user/topup", Ct)).Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_credit_posted_before_a_crash_is_found_again_and_not_repeated()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("crashy");
        using var http = app.As(user);
        var tradeNo = JsonNode.Parse(await PostAsync(http, "/api/user/pay", new { amount = 4, payment_method = "alipay" }))!["data"]!["out_trade_no"]!.GetValue<string>();
        var orders = app.Services.GetRequiredService<TopUpOrders>();
        var order = orders.Find(tradeNo)!;
        order.CreditStarted = true;
        orders.Save(order);
        await app.Services.GetRequiredService<QuotaAccounts>().CreditAsync(user.NumericId, 4 * QuotaAccounts.PerUnit, TopUpCompletion.LedgerKind, "newapi:topup", tradeNo, "x", tradeNo, Ct);

        Assert.Equal("success", await NotifyAsync(app, tradeNo, "29.20", "alipay"));
        Assert.Equal(4 * QuotaAccounts.PerUnit, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
        Assert.Equal("success", orders.Find(tradeNo)!.Status);
    }

    [Fact]
    public async Task Without_the_Epay_settings_an_order_is_refused_and_the_info_says_so()
    {
        await using var app = new NewApiTestApp();
        using var http = app.As(app.NewUser("unset"));

        Assert.Equal("""{"message":"error","data":"当前管理员未配置支付信息"}""", await PostAsync(http, "/api/user/pay", new { amount = 5, payment_method = "alipay" }));
        Assert.False((await http.GetFromJsonAsync<JsonObject>("/api/user/topup/info", Ct))!["data"]!["enable_online_topup"]!.GetValue<bool>());
    }

    /// <summary>Epay's notify as the gateway sends it: every parameter signed with the merchant key.</summary>
    private static async Task<string> NotifyAsync(NewApiTestApp app, string tradeNo, string money, string type, bool tamper = false, bool post = false)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["pid"] = "1000",
            ["trade_no"] = "2026120400001",
            ["out_trade_no"] = tradeNo,
            ["type"] = type,
            ["name"] = "TUC",
            ["money"] = money,
            ["trade_status"] = "TRADE_SUCCESS",
        };
        parameters["sign"] = SortedParamsMd5.Sign(parameters, Key);
        parameters["sign_type"] = "MD5";
        if (tamper)
        {
            parameters["sign"] = parameters["sign"]![..^1] + (parameters["sign"]![^1] == '0' ? '1' : '0');
        }

        using var http = app.Anonymous();
        return post
            ? await (await http.PostAsync("/api/user/epay/notify", new FormUrlEncodedContent(parameters!), Ct)).Content.ReadAsStringAsync(Ct)
            : await http.GetStringAsync(QueryHelpers.AddQueryString("/api/user/epay/notify", parameters), Ct);
    }

    private static async Task<string> PostAsync(HttpClient http, string path, object body) =>
        await (await http.PostAsJsonAsync(path, body, Ct)).Content.ReadAsStringAsync(Ct);
}
