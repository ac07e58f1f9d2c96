using System.Net;
using System.Net.Http.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Harness.NewApi.Subscriptions;
using Harness.Security.Signing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>Subscriptions (new-api.md §6): Epay orders delivered once, expiry on the clock, admin grants; plans and the billing preference in SubscriptionTests.Plans.cs.</summary>
public sealed partial class SubscriptionTests
{
    private const string Key = "epay-test-key-0123456789";
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Dictionary<string, string?> Epay = new()
    {
        ["NewApi:PayAddress"] = "http://epay.test/",
        ["NewApi:EpayId"] = "1000",
        ["NewApi:EpayKey"] = Key,
        ["NewApi:ServerAddress"] = "http://site.test/",
    };

    [Fact]
    public async Task An_Epay_order_is_delivered_once_a_month_long_with_the_group_upgraded_and_a_mirror_top_up()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("subscriber");
        using var http = app.As(user);
        var planId = await CreatePlanAsync(app, new { title = "Pro", price_amount = 9.9, upgrade_group = "vip", total_amount = 1000, quota_reset_period = "monthly" });

        var order = await SendAsync(http, HttpMethod.Post, "/api/subscription/epay/pay", new { plan_id = planId, payment_method = "alipay" });
        Assert.Equal("success", order["message"]!.GetValue<string>());
        Assert.Null(order["success"]);
        Assert.Equal("http://epay.test/submit.php", order["url"]!.GetValue<string>());
        var form = order["data"]!.AsObject().ToDictionary(p => p.Key, p => (string?)p.Value!.GetValue<string>());
        Assert.Matches($"^SUBUSR{user.Id}NO[A-Za-z0-9]{{6}}\\d{{10}}$", form["out_trade_no"]);
        Assert.Equal("SUB:Pro", form["name"]);
        Assert.Equal("9.90", form["money"]);
        Assert.Equal("http://site.test/api/subscription/epay/notify", form["notify_url"]);
        Assert.Equal("http://site.test/api/subscription/epay/return", form["return_url"]);
        Assert.True(SortedParamsMd5.Verify(form, Key, form["sign"]));
        var tradeNo = form["out_trade_no"]!;

        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "9.90", "wxpay"));
        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "9.90", "wxpay", post: true));

        var self = (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!;
        var subscription = Assert.Single(self["subscriptions"]!.AsArray())!["subscription"]!;
        Assert.Single(self["all_subscriptions"]!.AsArray());
        var start = app.Clock.GetUtcNow();
        Assert.Equal(start.ToUnixTimeSeconds(), subscription["start_time"]!.GetValue<long>());
        Assert.Equal(start.AddMonths(1).ToUnixTimeSeconds(), subscription["end_time"]!.GetValue<long>());
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), subscription["next_reset_time"]!.GetValue<long>());
        Assert.Equal(1000, subscription["amount_total"]!.GetValue<long>());
        Assert.Equal("active", subscription["status"]!.GetValue<string>());
        Assert.Equal("order", subscription["source"]!.GetValue<string>());
        Assert.Equal("default", subscription["prev_user_group"]!.GetValue<string>());
        Assert.Equal("vip", (await http.GetFromJsonAsync<JsonObject>("/api/user/self", Ct))!["data"]!["group"]!.GetValue<string>());

        var mirror = (await http.GetFromJsonAsync<JsonObject>("/api/user/topup/self", Ct))!["data"]!["items"]![0]!;
        Assert.Equal(tradeNo, mirror["trade_no"]!.GetValue<string>());
        Assert.Equal(0, mirror["amount"]!.GetValue<long>());
        Assert.Equal(9.9m, mirror["money"]!.GetValue<decimal>());
        Assert.Equal("success", mirror["status"]!.GetValue<string>());
        Assert.Equal("wxpay", mirror["payment_method"]!.GetValue<string>());
    }

    [Fact]
    public async Task Concurrent_notifies_and_returns_deliver_one_subscription()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("racer");
        using var http = app.As(user);
        var planId = await CreatePlanAsync(app, new { title = "Race", price_amount = 5 });
        var tradeNo = await PayAsync(http, planId);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => CallbackAsync(app, "notify", tradeNo, "5.00", "alipay", post: i % 2 == 0)));
        Assert.All(answers, a => Assert.Equal("success", a));
        var returned = await ReturnAsync(app, tradeNo, "5.00", "TRADE_SUCCESS");
        Assert.Equal("http://site.test/console/topup?pay=success", returned);
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task The_return_redirects_by_outcome_and_completes_a_paid_order()
    {
        await using var app = new NewApiTestApp(Epay);
        using var http = app.As(app.NewUser("returner"));
        var planId = await CreatePlanAsync(app, new { title = "Back", price_amount = 3 });
        var tradeNo = await PayAsync(http, planId);

        Assert.Equal("http://site.test/console/topup?pay=fail", await ReturnAsync(app, tradeNo, "3.00", "TRADE_SUCCESS", tamper: true));
        Assert.Equal("http://site.test/console/topup?pay=fail", await ReturnAsync(app, null, null, null));
        Assert.Equal("http://site.test/console/topup?pay=pending", await ReturnAsync(app, tradeNo, "3.00", "WAIT_BUYER_PAY"));
        Assert.Empty((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
        Assert.Equal("http://site.test/console/topup?pay=success", await ReturnAsync(app, tradeNo, "3.00", "TRADE_SUCCESS"));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["subscriptions"]!.AsArray());
        Assert.Equal("http://site.test/console/topup?pay=success", await ReturnAsync(app, tradeNo, "3.00", "TRADE_SUCCESS"));
        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "3.00", "alipay"));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task Tampered_wrong_amount_other_status_and_top_up_notifies_fail_and_deliver_nothing()
    {
        await using var app = new NewApiTestApp(Epay);
        using var http = app.As(app.NewUser("careful"));
        var planId = await CreatePlanAsync(app, new { title = "Safe", price_amount = 8 });
        var tradeNo = await PayAsync(http, planId);

        Assert.Equal("fail", await CallbackAsync(app, "notify", tradeNo, "8.00", "alipay", tamper: true));
        Assert.Equal("fail", await CallbackAsync(app, "notify", tradeNo, "7.99", "alipay"));
        Assert.Equal("fail", await CallbackAsync(app, "notify", tradeNo, "8.00", "alipay", status: "WAIT_BUYER_PAY"));
        Assert.Equal("fail", await CallbackAsync(app, "notify", "USR2NOabcdef1700000000", "8.00", "alipay"));
        Assert.Equal("fail", await app.Anonymous().GetStringAsync("/api/subscription/epay/notify", Ct));
        Assert.Empty((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "8.00", "alipay"));
    }

    [Fact]
    public async Task Pay_refuses_in_upstreams_order_with_the_standard_envelope()
    {
        await using var app = new NewApiTestApp(Epay);
        using var http = app.As(app.NewUser("refused"));
        using var admin = app.As(app.Root);
        var free = await CreatePlanAsync(app, new { title = "Free", price_amount = 0 });
        var off = await CreatePlanAsync(app, new { title = "Off", price_amount = 1 });
        await SendAsync(admin, HttpMethod.Patch, $"/api/subscription/admin/plans/{off}", new { enabled = false });
        var paid = await CreatePlanAsync(app, new { title = "Paid", price_amount = 1 });

        async Task<string> Pay(object body) => (await SendAsync(http, HttpMethod.Post, "/api/subscription/epay/pay", body)).ToJsonString(Unescaped);

        Assert.Equal("""{"success":false,"message":"参数错误"}""", await Pay(new { plan_id = 0, payment_method = "alipay" }));
        Assert.Equal("""{"success":false,"message":"record not found"}""", await Pay(new { plan_id = 99, payment_method = "alipay" }));
        Assert.Equal("""{"success":false,"message":"套餐未启用"}""", await Pay(new { plan_id = off, payment_method = "paypal" }));
        Assert.Equal("""{"success":false,"message":"套餐金额过低"}""", await Pay(new { plan_id = free, payment_method = "paypal" }));
        Assert.Equal("""{"success":false,"message":"支付方式不存在"}""", await Pay(new { plan_id = paid, payment_method = "paypal" }));

        await using var unset = new NewApiTestApp();
        var plan = await CreatePlanAsync(unset, new { title = "Paid", price_amount = 1 });
        using var other = unset.As(unset.NewUser("unset"));
        Assert.Equal(
            """{"success":false,"message":"当前管理员未配置支付信息"}""",
            (await SendAsync(other, HttpMethod.Post, "/api/subscription/epay/pay", new { plan_id = plan, payment_method = "alipay" })).ToJsonString(Unescaped));
    }

    [Fact]
    public async Task The_purchase_limit_counts_subscriptions_ever_held_and_recent_pending_orders()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("limited");
        using var http = app.As(user);
        using var admin = app.As(app.Root);
        var planId = await CreatePlanAsync(app, new { title = "Once", price_amount = 2, max_purchase_per_user = 1, duration_unit = "day" });

        var first = await PayAsync(http, planId);
        Assert.Equal("""{"success":false,"message":"已达到该套餐购买上限"}""", (await SendAsync(http, HttpMethod.Post, "/api/subscription/epay/pay", new { plan_id = planId, payment_method = "alipay" })).ToJsonString(Unescaped));

        // An unpaid order stops holding the place after an hour.
        app.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        var second = await PayAsync(http, planId);
        Assert.NotEqual(first, second);

        Assert.Equal("success", await CallbackAsync(app, "notify", second, "2.00", "alipay"));

        // Paid late, the first order finds the limit reached: refused, not delivered twice (upstream's behaviour).
        Assert.Equal("fail", await CallbackAsync(app, "notify", first, "2.00", "alipay"));
        app.Clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal("""{"success":false,"message":"已达到该套餐购买上限"}""", (await SendAsync(http, HttpMethod.Post, "/api/subscription/epay/pay", new { plan_id = planId, payment_method = "alipay" })).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"已达到该套餐购买上限"}""", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = user.NumericId, plan_id = planId })).ToJsonString(Unescaped));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task A_subscription_expires_after_its_duration_on_the_clock_and_the_group_goes_back()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("expiring");
        using var http = app.As(user);
        var planId = await CreatePlanAsync(app, new { title = "Short", price_amount = 1, duration_unit = "hour", duration_value = 2, upgrade_group = "svip" });
        Assert.Equal("success", await CallbackAsync(app, "notify", await PayAsync(http, planId), "1.00", "alipay"));
        Assert.Equal("svip", (await http.GetFromJsonAsync<JsonObject>("/api/user/self", Ct))!["data"]!["group"]!.GetValue<string>());

        app.Clock.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["subscriptions"]!.AsArray());

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        var self = (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!;
        Assert.Empty(self["subscriptions"]!.AsArray());
        Assert.Equal("expired", self["all_subscriptions"]![0]!["subscription"]!["status"]!.GetValue<string>());
        Assert.Equal("default", (await http.GetFromJsonAsync<JsonObject>("/api/user/self", Ct))!["data"]!["group"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admins_bind_invalidate_and_delete_with_the_group_upgraded_and_reverted()
    {
        await using var app = new NewApiTestApp();
        var user = app.NewUser("granted");
        using var http = app.As(user);
        using var admin = app.As(app.Root);
        var planId = await CreatePlanAsync(app, new { title = "Gift", price_amount = 0, duration_unit = "day", duration_value = 3, upgrade_group = "vip" });

        Assert.Equal("""{"success":false,"message":"参数错误"}""", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = 0, plan_id = planId })).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"record not found"}""", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = user.NumericId, plan_id = 42 })).ToJsonString(Unescaped));
        Assert.Equal(
            """{"success":true,"message":"","data":{"message":"用户分组将升级到 vip"}}""",
            (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = user.NumericId, plan_id = planId })).ToJsonString(Unescaped));
        Assert.Equal(
            """{"success":true,"message":""}""",
            (await SendAsync(admin, HttpMethod.Post, $"/api/subscription/admin/users/{user.Id}/subscriptions", new { plan_id = planId })).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"无效的用户ID"}""", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/users/x/subscriptions", new { plan_id = planId })).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"无效的用户ID"}""", (await SendAsync(admin, HttpMethod.Get, "/api/subscription/admin/users/0/subscriptions", null)).ToJsonString(Unescaped));

        var listed = (await admin.GetFromJsonAsync<JsonObject>($"/api/subscription/admin/users/{user.Id}/subscriptions", Ct))!["data"]!.AsArray();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, s => Assert.Equal("admin", s!["subscription"]!["source"]!.GetValue<string>()));
        var newer = listed[0]!["subscription"]!["id"]!.GetValue<int>();
        var older = listed[1]!["subscription"]!["id"]!.GetValue<int>();

        // Another upgraded subscription remains: the group stays.
        Assert.Equal("""{"success":true,"message":""}""", (await SendAsync(admin, HttpMethod.Post, $"/api/subscription/admin/user_subscriptions/{newer}/invalidate", null)).ToJsonString(Unescaped));
        var cancelled = (await admin.GetFromJsonAsync<JsonObject>($"/api/subscription/admin/users/{user.Id}/subscriptions", Ct))!["data"]!.AsArray()
            .Select(s => s!["subscription"]!).Single(s => s["id"]!.GetValue<int>() == newer);
        Assert.Equal("cancelled", cancelled["status"]!.GetValue<string>());
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), cancelled["end_time"]!.GetValue<long>());
        Assert.Equal("vip", (await http.GetFromJsonAsync<JsonObject>("/api/user/self", Ct))!["data"]!["group"]!.GetValue<string>());

        Assert.Equal(
            """{"success":true,"message":"","data":{"message":"用户分组将回退到 default"}}""",
            (await SendAsync(admin, HttpMethod.Delete, $"/api/subscription/admin/user_subscriptions/{older}", null)).ToJsonString(Unescaped));
        Assert.Equal("default", (await http.GetFromJsonAsync<JsonObject>("/api/user/self", Ct))!["data"]!["group"]!.GetValue<string>());
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());

        Assert.Equal("""{"success":false,"message":"无效的订阅ID"}""", (await SendAsync(admin, HttpMethod.Delete, "/api/subscription/admin/user_subscriptions/x", null)).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"无效的订阅ID"}""", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/user_subscriptions/-1/invalidate", null)).ToJsonString(Unescaped));
        Assert.Equal("""{"success":false,"message":"record not found"}""", (await SendAsync(admin, HttpMethod.Delete, $"/api/subscription/admin/user_subscriptions/{older}", null)).ToJsonString(Unescaped));
        Assert.Contains("权限不足", (await SendAsync(http, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = user.NumericId, plan_id = planId })).ToJsonString(Unescaped), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_providers_contract_falls_back_for_other_numbers_refuses_other_providers_and_expires_only_pending_orders()
    {
        await using var app = new NewApiTestApp(Epay);
        using var http = app.As(app.NewUser("contract"));
        var orders = app.Services.GetRequiredService<ISubscriptionOrders>();
        var planId = await CreatePlanAsync(app, new { title = "Contract", price_amount = 4 });
        var paid = await PayAsync(http, planId);
        var abandoned = await PayAsync(http, planId);

        Assert.Equal(SubscriptionCompletion.NotASubscriptionOrder, await orders.CompleteAsync("ref_unknown", "stripe", null, "{}", Ct));
        Assert.Equal(SubscriptionCompletion.Refused, await orders.CompleteAsync(paid, "stripe", null, "{}", Ct));
        Assert.Equal(SubscriptionCompletion.Completed, await orders.CompleteAsync(paid, "epay", "alipay", "{}", Ct));
        Assert.Equal(SubscriptionCompletion.AlreadyDone, await orders.CompleteAsync(paid, "epay", "alipay", "{}", Ct));
        Assert.False(await orders.ExpireAsync("ref_unknown", Ct));
        Assert.True(await orders.ExpireAsync(paid, Ct));
        Assert.True(await orders.ExpireAsync(abandoned, Ct));
        Assert.Equal("fail", await CallbackAsync(app, "notify", abandoned, "4.00", "alipay"));
        Assert.Equal("success", await CallbackAsync(app, "notify", paid, "4.00", "alipay"));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
    }

    [Fact]
    public async Task A_subscription_created_before_a_crash_is_found_again_and_not_granted_twice()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("crashy");
        using var http = app.As(user);
        var planId = await CreatePlanAsync(app, new { title = "Crash", price_amount = 6 });
        var tradeNo = await PayAsync(http, planId);
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        var order = store.Order(tradeNo)!;
        order.DeliveryStarted = true;
        store.SaveOrder(order);
        store.AddSubscription(new UserSubscription { UserId = user.NumericId, PlanId = planId, StartTime = 1, EndTime = 4_000_000_000, TradeNo = tradeNo });

        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "6.00", "alipay"));
        Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["all_subscriptions"]!.AsArray());
        Assert.Equal("success", store.Order(tradeNo)!.Status);
    }

    private static async Task<int> CreatePlanAsync(NewApiTestApp app, object plan)
    {
        using var admin = app.As(app.Root);
        var created = await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/plans", new { plan });
        Assert.True(created["success"]!.GetValue<bool>(), created.ToJsonString(Unescaped));
        return created["data"]!["id"]!.GetValue<int>();
    }

    private static async Task<string> PayAsync(HttpClient http, int planId)
    {
        var order = await SendAsync(http, HttpMethod.Post, "/api/subscription/epay/pay", new { plan_id = planId, payment_method = "alipay" });
        Assert.Equal("success", order["message"]!.GetValue<string>());
        return order["data"]!["out_trade_no"]!.GetValue<string>();
    }

    private static async Task<List<int>> PlanIdsAsync(HttpClient http, string path) =>
        [.. (await http.GetFromJsonAsync<JsonObject>(path, Ct))!["data"]!.AsArray().Select(p => p!["plan"]!["id"]!.GetValue<int>())];

    private static Dictionary<string, string?> Signed(string tradeNo, string money, string type, string status, bool tamper)
    {
        var parameters = new Dictionary<string, string?>
        {
            ["pid"] = "1000",
            ["trade_no"] = "2026120400001",
            ["out_trade_no"] = tradeNo,
            ["type"] = type,
            ["name"] = "SUB:plan",
            ["money"] = money,
            ["trade_status"] = status,
        };
        parameters["sign"] = SortedParamsMd5.Sign(parameters, Key);
        parameters["sign_type"] = "MD5";
        if (tamper)
        {
            parameters["sign"] = parameters["sign"]![..^1] + (parameters["sign"]![^1] == '0' ? '1' : '0');
        }

        return parameters;
    }

    /// <summary>Epay's notify as the gateway sends it, every parameter signed with the merchant key.</summary>
    private static async Task<string> CallbackAsync(NewApiTestApp app, string kind, string tradeNo, string money, string type, bool tamper = false, bool post = false, string status = "TRADE_SUCCESS")
    {
        var parameters = Signed(tradeNo, money, type, status, tamper);
        using var http = app.Anonymous();
        var path = "/api/subscription/epay/" + kind;
        return post
            ? await (await http.PostAsync(path, new FormUrlEncodedContent(parameters!), Ct)).Content.ReadAsStringAsync(Ct)
            : await http.GetStringAsync(QueryHelpers.AddQueryString(path, parameters), Ct);
    }

    /// <summary>The browser coming back from Epay; the redirect's target.</summary>
    private static async Task<string> ReturnAsync(NewApiTestApp app, string? tradeNo, string? money, string? status, bool tamper = false)
    {
        using var http = app.Anonymous();
        var path = tradeNo is null ? "/api/subscription/epay/return" : QueryHelpers.AddQueryString("/api/subscription/epay/return", Signed(tradeNo, money!, "alipay", status!, tamper));
        using var response = await http.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.ToString();
    }

    private static async Task<JsonObject> SendAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await http.SendAsync(request, Ct);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!;
    }
}
