using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.NewApi.Subscriptions;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>Plans (new-api.md §6): upstream's rules on create and update, the 100-year bound, enabled plans, the billing preference.</summary>
public sealed partial class SubscriptionTests
{
    [Fact]
    public async Task Creating_a_plan_checks_upstreams_rules_in_order_and_forces_USD()
    {
        await using var app = new NewApiTestApp();
        using var admin = app.As(app.Root);

        async Task<string?> Refusal(object plan) => (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/plans", new { plan }))["message"]!.GetValue<string>();

        Assert.Equal("套餐标题不能为空", await Refusal(new { title = "  ", price_amount = -1 }));
        Assert.Equal("套餐标题不能为空", (await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/plans", new { }))["message"]!.GetValue<string>());
        Assert.Equal("价格不能为负数", await Refusal(new { title = "t", price_amount = -1, max_purchase_per_user = -1 }));
        Assert.Equal("价格不能超过9999", await Refusal(new { title = "t", price_amount = 10000 }));
        Assert.Equal("购买上限不能为负数", await Refusal(new { title = "t", max_purchase_per_user = -1, total_amount = -1 }));
        Assert.Equal("总额度不能为负数", await Refusal(new { title = "t", total_amount = -1, upgrade_group = "nope" }));
        Assert.Equal("升级分组不存在", await Refusal(new { title = "t", upgrade_group = "nope", quota_reset_period = "custom" }));
        Assert.Equal("自定义重置周期需大于0秒", await Refusal(new { title = "t", quota_reset_period = "custom" }));

        var created = await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/plans",
            new { plan = new { id = 77, title = "Pro", price_amount = 9.9, currency = "CNY", duration_value = 0, quota_reset_period = "yearly", upgrade_group = " vip " } });
        Assert.True(created["success"]!.GetValue<bool>());
        var plan = created["data"]!;
        Assert.Equal(1, plan["id"]!.GetValue<int>());
        Assert.Equal("USD", plan["currency"]!.GetValue<string>());
        Assert.Equal("month", plan["duration_unit"]!.GetValue<string>());
        Assert.Equal(1, plan["duration_value"]!.GetValue<int>());
        Assert.Equal("never", plan["quota_reset_period"]!.GetValue<string>());
        Assert.Equal("vip", plan["upgrade_group"]!.GetValue<string>());
        Assert.True(plan["enabled"]!.GetValue<bool>());
        Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds(), plan["created_at"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_plan_over_100_years_is_refused_after_upstreams_rules_on_create_and_update()
    {
        await using var app = new NewApiTestApp();
        using var admin = app.As(app.Root);

        async Task<string?> Refusal(HttpMethod method, string path, object plan) => (await SendAsync(admin, method, path, new { plan }))["message"]!.GetValue<string>();

        const string Plans = "/api/subscription/admin/plans";
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_unit = "year", duration_value = 101 }));
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_unit = "month", duration_value = 200_000 }));
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_value = 1201 }));
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_unit = "day", duration_value = 36_501 }));
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_unit = "hour", duration_value = int.MaxValue }));
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", duration_unit = "custom", custom_seconds = long.MaxValue }));
        Assert.Equal("自定义重置周期不能超过100年", await Refusal(HttpMethod.Post, Plans, new { title = "t", quota_reset_period = "custom", quota_reset_custom_seconds = long.MaxValue }));
        Assert.Equal("升级分组不存在", await Refusal(HttpMethod.Post, Plans, new { title = "t", upgrade_group = "nope", duration_unit = "year", duration_value = 9000 }));

        var planId = await CreatePlanAsync(app, new { title = "Century", duration_unit = "year", duration_value = 100, quota_reset_period = "custom", quota_reset_custom_seconds = PlanRules.MaxSeconds });
        Assert.Equal("套餐时长不能超过100年", await Refusal(HttpMethod.Put, $"{Plans}/{planId}", new { title = "t", duration_unit = "year", duration_value = 9000 }));
        Assert.Equal(100, app.Services.GetRequiredService<SubscriptionStore>().Plan(planId)!.DurationValue);
    }

    [Fact]
    public async Task A_plan_stored_longer_than_time_can_hold_still_delivers_paid_orders_and_grants_ending_at_the_latest_time()
    {
        await using var app = new NewApiTestApp(Epay);
        var user = app.NewUser("forever");
        using var http = app.As(user);
        using var admin = app.As(app.Root);
        var planId = await CreatePlanAsync(app, new { title = "Forever", price_amount = 3, quota_reset_period = "custom", quota_reset_custom_seconds = 60 });
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        var plan = store.Plan(planId)!;
        plan.DurationUnit = "year";
        plan.DurationValue = 9000;
        plan.QuotaResetCustomSeconds = long.MaxValue;
        store.SavePlan(plan);
        var latest = UserSubscriptions.LatestEnd.ToUnixTimeSeconds();

        var tradeNo = await PayAsync(http, planId);
        Assert.Equal("success", await CallbackAsync(app, "notify", tradeNo, "3.00", "alipay"));
        var paid = Assert.Single((await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["subscriptions"]!.AsArray())!["subscription"]!;
        Assert.Equal(latest, paid["end_time"]!.GetValue<long>());
        Assert.Equal(0, paid["next_reset_time"]!.GetValue<long>());

        plan.DurationUnit = "month";
        plan.DurationValue = 200_000;
        store.SavePlan(plan);
        var bound = await SendAsync(admin, HttpMethod.Post, "/api/subscription/admin/bind", new { user_id = user.NumericId, plan_id = planId });
        Assert.True(bound["success"]!.GetValue<bool>(), bound.ToJsonString(Unescaped));
        Assert.All(store.SubscriptionsOf(user.NumericId), s => Assert.Equal(latest, s.EndTime));

        // A renewal extends from an end already at the latest time (what ProviderRenewals does), for every unit.
        foreach (var unit in new[] { "year", "month", "day", "hour", "custom" })
        {
            var longest = new SubscriptionPlan { DurationUnit = unit, DurationValue = int.MaxValue, CustomSeconds = long.MaxValue };
            Assert.Equal(UserSubscriptions.LatestEnd, UserSubscriptions.EndOf(longest, app.Clock.GetUtcNow()));
            Assert.Equal(UserSubscriptions.LatestEnd, UserSubscriptions.EndOf(longest, UserSubscriptions.LatestEnd));
        }
    }

    [Fact]
    public async Task A_full_update_without_enabled_disables_the_plan_and_users_see_only_enabled_plans_in_order()
    {
        await using var app = new NewApiTestApp();
        using var admin = app.As(app.Root);
        using var http = app.As(app.NewUser("viewer"));
        var low = await CreatePlanAsync(app, new { title = "Low", price_amount = 1, sort_order = 1 });
        var high = await CreatePlanAsync(app, new { title = "High", price_amount = 2, sort_order = 5 });
        var same = await CreatePlanAsync(app, new { title = "Same", price_amount = 3, sort_order = 1 });

        Assert.Equal([high, same, low], await PlanIdsAsync(http, "/api/subscription/plans"));

        var put = await SendAsync(admin, HttpMethod.Put, $"/api/subscription/admin/plans/{same}", new { plan = new { title = "Same v2", price_amount = 4, sort_order = 9 } });
        Assert.Equal("""{"success":true,"message":"","data":null}""", put.ToJsonString(Unescaped));
        Assert.Equal([high, low], await PlanIdsAsync(http, "/api/subscription/plans"));
        Assert.Equal([same, high, low], await PlanIdsAsync(admin, "/api/subscription/admin/plans"));
        var updated = (await admin.GetFromJsonAsync<JsonObject>("/api/subscription/admin/plans", Ct))!["data"]![0]!["plan"]!;
        Assert.Equal("Same v2", updated["title"]!.GetValue<string>());
        Assert.False(updated["enabled"]!.GetValue<bool>());

        Assert.Equal("参数错误", (await SendAsync(admin, HttpMethod.Patch, $"/api/subscription/admin/plans/{same}", new { }))["message"]!.GetValue<string>());
        Assert.True((await SendAsync(admin, HttpMethod.Patch, $"/api/subscription/admin/plans/{same}", new { enabled = true }))["success"]!.GetValue<bool>());
        Assert.Equal([same, high, low], await PlanIdsAsync(http, "/api/subscription/plans"));
        Assert.True((await SendAsync(admin, HttpMethod.Patch, $"/api/subscription/admin/plans/{low}", new { enabled = false }))["success"]!.GetValue<bool>());
        Assert.Equal([same, high], await PlanIdsAsync(http, "/api/subscription/plans"));

        Assert.Equal("无效的ID", (await SendAsync(admin, HttpMethod.Put, "/api/subscription/admin/plans/x", new { plan = new { title = "t" } }))["message"]!.GetValue<string>());
        Assert.Equal("无效的ID", (await SendAsync(admin, HttpMethod.Patch, "/api/subscription/admin/plans/0", new { enabled = true }))["message"]!.GetValue<string>());
        Assert.True((await SendAsync(admin, HttpMethod.Patch, "/api/subscription/admin/plans/99", new { enabled = true }))["success"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("subscription", "subscription_first")]
    [InlineData(" wallet_only ", "wallet_only")]
    [InlineData("wallet_first", "wallet_first")]
    [InlineData("subscription_only", "subscription_only")]
    [InlineData("", "subscription_first")]
    [InlineData("WALLET_ONLY", "subscription_first")]
    public async Task The_billing_preference_is_normalised_never_refused(string sent, string stored)
    {
        await using var app = new NewApiTestApp();
        using var http = app.As(app.NewUser("chooser"));

        var answer = await SendAsync(http, HttpMethod.Put, "/api/subscription/self/preference", new { billing_preference = sent });
        Assert.Equal("""{"success":true,"message":"","data":{"billing_preference":""" + "\"" + stored + "\"}}", answer.ToJsonString(Unescaped));
        Assert.Equal(stored, (await http.GetFromJsonAsync<JsonObject>("/api/subscription/self", Ct))!["data"]!["billing_preference"]!.GetValue<string>());
    }
}
