using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Harness.NewApi.Quota;
using Harness.NewApi.Redemption;
using Harness.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>Redemption codes (new-api.md §4): admin management with upstream's rules and messages, and redeeming exactly once.</summary>
public sealed class RedemptionTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("""{"name":"","count":1}""", null, "Redemption code name length must be between 1-20")]
    [InlineData("""{"name":"一二三四五六七八九十一二三四五六七八九十一","count":1}""", "zh-CN,zh;q=0.9", "兑换码名称长度必须在1-20之间")]
    [InlineData("""{"name":"ok","count":0}""", null, "Redemption code count must be greater than 0")]
    [InlineData("""{"name":"ok","count":101}""", "zh", "一次兑换码批量生成的个数不能大于 100")]
    [InlineData("""{"name":"ok","count":1,"expired_time":1000}""", "en-US", "Expiration time cannot be earlier than current time")]
    public async Task Creating_codes_checks_name_count_and_expiry_in_the_callers_language(string body, string? language, string message)
    {
        await using var app = new NewApiTestApp();
        using var http = app.As(app.Root);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/redemption/") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (language is not null)
        {
            request.Headers.Add("Accept-Language", language);
        }

        var answer = await (await http.SendAsync(request, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal("""{"success":false,"message":"__"}""".Replace("__", message, StringComparison.Ordinal), answer!.ToJsonString(new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    [Fact]
    public async Task Codes_are_32_hex_listed_newest_first_searched_by_name_prefix_or_id_and_read_one_by_one()
    {
        await using var app = new NewApiTestApp();
        var keys = await app.CreateCodesAsync(new { name = "spring", quota = 0, count = 12 });
        await app.CreateCodesAsync(new { name = "autumn", quota = 7, count = 1 });
        Assert.All(keys, k => Assert.Matches("^[0-9a-f]{32}$", k));
        using var http = app.As(app.Root);

        var page = (await http.GetFromJsonAsync<JsonObject>("/api/redemption/?p=0&page_size=5", Ct))!["data"]!;
        Assert.Equal(13, page["total"]!.GetValue<int>());
        Assert.Equal(1, page["page"]!.GetValue<int>());
        Assert.Equal([13, 12, 11, 10, 9], page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>()));
        Assert.Equal(100, page["items"]![1]!["quota"]!.GetValue<long>()); // upstream's column default: quota 0 is stored as 100
        Assert.Null(page["items"]![0]!["DeletedAt"]);
        Assert.Equal(100, (await http.GetFromJsonAsync<JsonObject>("/api/redemption/?page_size=1000", Ct))!["data"]!["page_size"]!.GetValue<int>());

        var byName = (await http.GetFromJsonAsync<JsonObject>("/api/redemption/search?keyword=aut", Ct))!["data"]!;
        Assert.Equal(1, byName["total"]!.GetValue<int>());
        var byId = (await http.GetFromJsonAsync<JsonObject>("/api/redemption/search?keyword=3", Ct))!["data"]!;
        Assert.Equal([3], byId["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>()));
        Assert.Equal("spring", (await http.GetFromJsonAsync<JsonObject>("/api/redemption/1", Ct))!["data"]!["name"]!.GetValue<string>());
        Assert.Equal("strconv.Atoi: parsing \"abc\": invalid syntax", (await http.GetFromJsonAsync<JsonObject>("/api/redemption/abc", Ct))!["message"]!.GetValue<string>());
        Assert.Equal(RedemptionApi.EmptyId, (await http.GetFromJsonAsync<JsonObject>("/api/redemption/0", Ct))!["message"]!.GetValue<string>());
        Assert.Equal(RedemptionApi.NotFound, (await http.GetFromJsonAsync<JsonObject>("/api/redemption/99", Ct))!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Status_only_updates_only_the_status_and_a_full_update_keeps_it_and_delete_invalid_counts()
    {
        await using var app = new NewApiTestApp();
        await app.CreateCodesAsync(new { name = "batch", quota = 10, count = 4 });
        using var http = app.As(app.Root);

        var disabled = await (await http.PutAsJsonAsync("/api/redemption/?status_only=yes", new { id = 1, status = 2, name = "ignored", quota = 1 }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(2, disabled!["data"]!["status"]!.GetValue<int>());
        Assert.Equal("batch", disabled["data"]!["name"]!.GetValue<string>());
        var anyInt = await (await http.PutAsJsonAsync("/api/redemption/?status_only=1", new { id = 2, status = 99 }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(99, anyInt!["data"]!["status"]!.GetValue<int>());
        var full = await (await http.PutAsJsonAsync("/api/redemption/", new { id = 3, status = 2, name = "renamed", quota = 5, expired_time = app.Clock.GetUtcNow().AddDays(1).ToUnixTimeSeconds() }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(1, full!["data"]!["status"]!.GetValue<int>());
        Assert.Equal("renamed", full["data"]!["name"]!.GetValue<string>());
        Assert.Equal(5, full["data"]!["quota"]!.GetValue<long>());

        // Code 3 expires tomorrow; after two days it is invalid too. Code 4 is still good.
        app.Clock.Advance(TimeSpan.FromDays(2));
        var deleted = await (await http.DeleteAsync("/api/redemption/invalid", Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(2, deleted!["data"]!.GetValue<int>()); // status 2 (code 1) and expired (code 3); status 99 is neither
        Assert.Equal("""{"success":true,"message":""}""", await (await http.DeleteAsync("/api/redemption/4", Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal([2], (await http.GetFromJsonAsync<JsonObject>("/api/redemption/", Ct))!["data"]!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<int>()));
        Assert.Equal(RedemptionApi.NotFound, (await (await http.DeleteAsync("/api/redemption/4", Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct))!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_code_is_redeemed_once_and_used_disabled_and_expired_codes_fail_alike()
    {
        await using var app = new NewApiTestApp();
        var keys = await app.CreateCodesAsync(new { name = "gift", quota = 500_000, count = 3, expired_time = app.Clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds() });
        var user = app.NewUser("redeemer");
        using var http = app.As(user);
        using var admin = app.As(app.Root);

        Assert.Equal("""{"success":true,"message":"","data":500000}""", await Redeem(http, keys[0]));
        Assert.Equal(500_000, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
        Assert.Equal(3, (await admin.GetFromJsonAsync<JsonObject>("/api/redemption/1", Ct))!["data"]!["status"]!.GetValue<int>());
        Assert.Equal(user.NumericId, (await admin.GetFromJsonAsync<JsonObject>("/api/redemption/1", Ct))!["data"]!["used_user_id"]!.GetValue<int>());

        await admin.PutAsJsonAsync("/api/redemption/?status_only=1", new { id = 2, status = 2 }, Ct);
        const string failed = """{"success":false,"message":"Redemption failed, please try again later"}""";
        Assert.Equal(failed, await Redeem(http, keys[0]));
        Assert.Equal(failed, await Redeem(http, keys[1]));
        Assert.Equal(failed, await Redeem(http, "xxxx-xxxx-xxxx"));
        app.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal(failed, await Redeem(http, keys[2]));
        Assert.Equal("""{"success":false,"message":"未提供兑换码"}""", await Redeem(http, ""));
        Assert.Equal(500_000, app.Services.GetRequiredService<QuotaAccounts>().QuotaOf(user.NumericId));
    }

    [Fact]
    public async Task Two_users_racing_for_one_code_credit_it_exactly_once_every_time()
    {
        await using var app = new NewApiTestApp();
        var keys = await app.CreateCodesAsync(new { name = "race", quota = 1000, count = 20 });
        var (a, b) = (app.NewUser("racer-a"), app.NewUser("racer-b"));
        using var httpA = app.As(a);
        using var httpB = app.As(b);

        var wins = 0;
        foreach (var key in keys)
        {
            var answers = await Task.WhenAll(Redeem(httpA, key), Redeem(httpB, key));
            Assert.Single(answers, s => s.Contains("\"success\":true", StringComparison.Ordinal));
            wins++;
        }

        var quota = app.Services.GetRequiredService<QuotaAccounts>();
        Assert.Equal(wins * 1000, quota.QuotaOf(a.NumericId) + quota.QuotaOf(b.NumericId));
    }

    [Fact]
    public async Task A_second_redeem_of_the_same_user_in_flight_is_told_top_up_is_processing()
    {
        await using var app = new NewApiTestApp(new Dictionary<string, string?>
        {
            ["Harness:RedeemDelayMinMilliseconds"] = "500",
            ["Harness:RedeemDelayMaxMilliseconds"] = "500",
        });
        var keys = await app.CreateCodesAsync(new { name = "twice", quota = 10, count = 2 });
        using var http = app.As(app.NewUser("eager"));

        // The first holds the user's lock through the pause (fixed at 500 ms here); the second arrives meanwhile.
        var first = Redeem(http, keys[0]);
        await Task.Delay(100, Ct);
        var answers = await Task.WhenAll(first, Redeem(http, keys[1]));

        Assert.Contains("\"success\":true", answers[0], StringComparison.Ordinal);
        Assert.Contains("""{"success":false,"message":"Top-up is processing, please try again later"}""", answers);
    }

    [Fact]
    public async Task A_credit_that_reached_the_ledger_before_a_crash_uses_the_code_for_whoever_comes_next()
    {
        await using var app = new NewApiTestApp();
        var keys = await app.CreateCodesAsync(new { name = "crash", quota = 300, count = 1 });
        var (first, second) = (app.NewUser("before-crash"), app.NewUser("after-crash"));

        // The state a crash leaves between the ledger entry and the code's update: the credit is there, the code unused.
        var store = app.Services.GetRequiredService<IDocumentStore>().Collection<RedemptionCode>("newapi_redemptions", nameof(RedemptionCode.Key));
        var code = store.Get("1")!;
        code.RedeemingUserId = first.NumericId;
        store.Upsert(code);
        await app.Services.GetRequiredService<QuotaAccounts>().CreditAsync(first.NumericId, 300, Redemptions.LedgerKind, "newapi:redeem", keys[0], first.Id, "redemption:1", Ct);

        using var http = app.As(second);
        Assert.Contains("Redemption failed", await Redeem(http, keys[0]), StringComparison.Ordinal);
        var quota = app.Services.GetRequiredService<QuotaAccounts>();
        Assert.Equal(300, quota.QuotaOf(first.NumericId));
        Assert.Equal(0, quota.QuotaOf(second.NumericId));
        Assert.Equal(first.NumericId, store.Get("1")!.UsedUserId);
        Assert.Equal(3, store.Get("1")!.Status);
    }

    private static async Task<string> Redeem(HttpClient http, string key) =>
        await (await http.PostAsJsonAsync("/api/user/topup", new { key }, Ct)).Content.ReadAsStringAsync(Ct);
}
