using System.Net;
using System.Text.Json;
using Harness.Finance;
using Harness.Finance.Consumption;
using Harness.Tests.Support;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Harness.Tests.Finance;

public sealed class ConsumeTests : IAsyncLifetime
{
    private readonly FinanceTestApp _factory = new();
    private FinanceClient _client = null!;
    private string _token = "";
    private string _userId = "";

    public async ValueTask InitializeAsync()
    {
        _client = new FinanceClient(_factory.CreateClient());
        (_token, _userId) = await _client.SignIn("13900000001");
        await _client.Credit(_factory.AdminToken(), _userId, 1_000);
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Token_consumption_charges_ceil_of_tokens_times_rate_per_thousand()
    {
        var reply = await _client.Post("/api/finance/consume", new { idempotencyKey = "t-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 1501 }, _token);

        reply.EnsureOk();
        Assert.Equal(4, reply.Data.GetProperty("coins").GetInt64()); // ceil(1501 × 2 / 1000)
        Assert.Equal(1_000, reply.Data.GetProperty("balanceBefore").GetInt64());
        Assert.Equal(996, reply.Data.GetProperty("balanceAfter").GetInt64());
        Assert.False(reply.Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(996, await _client.Balance(_token));
    }

    [Fact]
    public async Task Same_key_same_request_replays_the_original_result_and_charges_nothing()
    {
        var body = new { idempotencyKey = "dup-1", serviceCode = "report-export", consumeType = "FIXED" };
        var first = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        var second = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();

        Assert.True(second.Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(first.Data.GetProperty("recordId").GetString(), second.Data.GetProperty("recordId").GetString());
        Assert.Equal(first.Data.GetProperty("createdAt").GetString(), second.Data.GetProperty("createdAt").GetString());
        Assert.Equal(950, await _client.Balance(_token));
    }

    [Fact]
    public async Task A_consumes_answer_and_its_replay_are_byte_for_byte_what_the_hosts_json_settings_write()
    {
        // The answer is written in one pass by generated code; it must not differ from the host's own serializer.
        var options = _factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = new { idempotencyKey = "k<&>\"'+1", serviceCode = "report-export", consumeType = "FIXED", bizId = "b-1" };

        foreach (var reply in new[] { await _client.Post("/api/finance/consume", body, _token), await _client.Post("/api/finance/consume", body, _token) })
        {
            reply.EnsureOk();
            var parsed = JsonSerializer.Deserialize<FinanceResponse<ConsumeResult>>(reply.Body, options)!;
            Assert.Equal(JsonSerializer.Serialize(parsed, options), reply.Body);
            Assert.Equal("k<&>\"'+1", parsed.Data!.IdempotencyKey);
        }
    }

    [Fact]
    public async Task Same_key_different_request_is_a_conflict_and_charges_nothing()
    {
        (await _client.Post("/api/finance/consume", new { idempotencyKey = "c-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 1000 }, _token)).EnsureOk();
        var conflict = await _client.Post("/api/finance/consume", new { idempotencyKey = "c-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 2000 }, _token);

        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(40900, conflict.Code);
        Assert.Equal(998, await _client.Balance(_token));
    }

    [Theory]
    [InlineData("{\"serviceCode\":\"expert-consult\",\"consumeType\":\"DURATION\",\"durationSeconds\":60}", 10)]
    [InlineData("{\"serviceCode\":\"expert-consult\",\"consumeType\":\"DURATION\",\"durationSeconds\":61}", 20)]
    [InlineData("{\"serviceCode\":\"expert-consult\",\"consumeType\":\"DURATION\",\"durationSeconds\":1}", 10)]
    [InlineData("{\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":1}", 1)]
    [InlineData("{\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":500}", 1)]
    [InlineData("{\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":1000,\"planId\":\"agent-chat-pro\"}", 5)]
    [InlineData("{\"serviceCode\":\"report-export\",\"consumeType\":\"FIXED\"}", 50)]
    [InlineData("{\"serviceCode\":\"task-view\",\"consumeType\":\"FIXED\"}", 20)]
    [InlineData("{\"serviceCode\":\"task-view\",\"consumeType\":\"FIXED\",\"amount\":333}", 333)]
    public async Task Each_billing_model_prices_from_its_plan(string body, long coins)
    {
        var withKey = body.Replace("{", "{\"idempotencyKey\":\"price\",", StringComparison.Ordinal);
        var preCheck = (await _client.Send(HttpMethod.Post, "/api/finance/preCheck", token: _token, rawBody: body)).EnsureOk();
        var consume = (await _client.Send(HttpMethod.Post, "/api/finance/consume", token: _token, rawBody: withKey)).EnsureOk();

        Assert.Equal(coins, preCheck.Data.GetProperty("requiredCoins").GetInt64());
        Assert.Equal(coins, consume.Data.GetProperty("coins").GetInt64());
        Assert.Equal(1_000 - coins, await _client.Balance(_token));
    }

    [Fact]
    public async Task PreCheck_reports_the_shortfall_and_changes_nothing()
    {
        var reply = (await _client.Post("/api/finance/preCheck", new { serviceCode = "task-view", consumeType = "FIXED", amount = 1_200 }, _token)).EnsureOk();

        Assert.False(reply.Data.GetProperty("sufficient").GetBoolean());
        Assert.Equal(1_200, reply.Data.GetProperty("requiredCoins").GetInt64());
        Assert.Equal(1_000, reply.Data.GetProperty("balance").GetInt64());
        Assert.Equal(200, reply.Data.GetProperty("shortfall").GetInt64());
        Assert.Equal(1_000, await _client.Balance(_token));
    }

    [Fact]
    public async Task Insufficient_balance_charges_nothing_and_leaves_the_key_free_for_a_retry_after_recharge()
    {
        var body = new { idempotencyKey = "big", serviceCode = "task-view", consumeType = "FIXED", amount = 1_500 };
        var refused = await _client.Post("/api/finance/consume", body, _token);

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.Status);
        Assert.Equal(40200, refused.Code);
        Assert.Contains("1500 coins required, 1000 available", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1_000, await _client.Balance(_token));
        Assert.Empty(await _client.AllRecords(_token));

        await _client.Credit(_factory.AdminToken(), _userId, 500);
        var retried = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        Assert.False(retried.Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(0, await _client.Balance(_token));
    }

    [Fact]
    public async Task Keys_are_scoped_per_user()
    {
        var (otherToken, _) = await _client.SignIn("13900000002");
        var body = new { idempotencyKey = "shared-key", serviceCode = "report-export", consumeType = "FIXED" };
        (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();

        var other = await _client.Post("/api/finance/consume", body, otherToken);

        Assert.Equal(HttpStatusCode.PaymentRequired, other.Status); // a fresh charge for the other user, who has no coins
    }

    [Fact]
    public async Task OpenApi_consume_bills_the_named_user_and_shares_the_users_idempotency_keys()
    {
        const string key = "hk_demo_LocalDemoKeyForTheHarnessOnly";
        var body = new { userId = _userId, idempotencyKey = "agent-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 3000 };
        var first = (await _client.Send(HttpMethod.Post, "/openapi/coin/consume", body, apiKey: key)).EnsureOk();
        var viaUserRoute = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        var balance = (await _client.Send(HttpMethod.Get, $"/openapi/coin/balance?userId={_userId}", apiKey: key)).EnsureOk();

        Assert.Equal(6, first.Data.GetProperty("coins").GetInt64());
        Assert.True(viaUserRoute.Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(994, balance.Data.GetProperty("balance").GetInt64());
        Assert.Equal(_userId, balance.Data.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task A_key_with_an_allow_list_bills_only_those_users_and_a_revoked_key_bills_nobody()
    {
        var admin = _factory.AdminToken();
        var created = (await _client.Post("/api/admin/apiKeys", new { name = "scoped", allowedUserIds = new[] { _userId } }, admin)).EnsureOk();
        var key = created.Data.GetProperty("key").GetString()!;
        var id = created.Data.GetProperty("apiKey").GetProperty("id").GetString()!;
        var listed = (await _client.Get("/api/admin/apiKeys", admin)).EnsureOk();

        (await _client.Send(HttpMethod.Post, "/openapi/coin/preCheck", new { userId = _userId, serviceCode = "report-export", consumeType = "FIXED" }, apiKey: key)).EnsureOk();
        var other = await _client.Send(HttpMethod.Post, "/openapi/coin/consume", new { userId = "u_demo_user", idempotencyKey = "x", serviceCode = "report-export", consumeType = "FIXED" }, apiKey: key);
        var unknown = await _client.Send(HttpMethod.Get, "/openapi/coin/balance?userId=u_nobody", apiKey: key);
        (await _client.Post($"/api/admin/apiKeys/{id}/revoke", null, admin)).EnsureOk();
        var revoked = await _client.Send(HttpMethod.Get, $"/openapi/coin/balance?userId={_userId}", apiKey: key);

        Assert.DoesNotContain(key, listed.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Status);
    }

    [Fact]
    public async Task User_routes_refuse_to_bill_someone_else()
    {
        var reply = await _client.Post("/api/finance/consume", new { userId = "u_demo_user", idempotencyKey = "x", serviceCode = "report-export", consumeType = "FIXED" }, _token);

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(1_000, await _client.Balance(_token));
    }

    [Fact]
    public async Task Service_plans_list_by_service_and_an_admin_can_add_one()
    {
        var agentChat = (await _client.Get("/api/finance/servicePlan/list?serviceCode=agent-chat", _token)).EnsureOk().Data;
        var all = (await _client.Get("/api/finance/servicePlan/list", _token)).EnsureOk().Data;
        (await _client.Post("/api/admin/finance/servicePlans", new { id = "agent-chat-free", serviceCode = "agent-chat", name = "Free", consumeType = "TOKEN", rate = 0, sort = 0 }, _factory.AdminToken())).EnsureOk();
        var free = (await _client.Post("/api/finance/consume", new { idempotencyKey = "free", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 5000 }, _token)).EnsureOk();

        Assert.Equal(["agent-chat-basic", "agent-chat-pro"], agentChat.EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        Assert.Equal("TOKEN", agentChat[0].GetProperty("consumeType").GetString());
        Assert.Equal(2, agentChat[0].GetProperty("rate").GetInt64());
        Assert.True(agentChat[0].GetProperty("enabled").GetBoolean());
        Assert.Equal(5, all.GetArrayLength());
        Assert.Equal("agent-chat-free", free.Data.GetProperty("planId").GetString());
        Assert.Equal(0, free.Data.GetProperty("coins").GetInt64());
    }

    [Fact]
    public async Task Disabled_and_unknown_plans_are_refused()
    {
        (await _client.Post("/api/admin/finance/servicePlans", new { id = "report-export", serviceCode = "report-export", name = "Report export", consumeType = "FIXED", rate = 50, enabled = false }, _factory.AdminToken())).EnsureOk();

        var disabled = await _client.Post("/api/finance/consume", new { idempotencyKey = "d", serviceCode = "report-export", consumeType = "FIXED", planId = "report-export" }, _token);
        var noDefault = await _client.Post("/api/finance/consume", new { idempotencyKey = "d", serviceCode = "report-export", consumeType = "FIXED" }, _token);
        var unknown = await _client.Post("/api/finance/consume", new { idempotencyKey = "d", serviceCode = "report-export", consumeType = "FIXED", planId = "nope" }, _token);

        Assert.Equal(HttpStatusCode.BadRequest, disabled.Status);
        Assert.Equal(HttpStatusCode.NotFound, noDefault.Status);
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
    }

    [Fact]
    public async Task A_retry_after_its_plan_was_disabled_replays_the_charge_and_a_changed_one_is_still_a_conflict()
    {
        var body = new { idempotencyKey = "before-disable", serviceCode = "report-export", consumeType = "FIXED" };
        var first = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        (await _client.Post("/api/admin/finance/servicePlans", new { id = "report-export", serviceCode = "report-export", name = "Report export", consumeType = "FIXED", rate = 50, enabled = false }, _factory.AdminToken())).EnsureOk();

        var retry = (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        var openApiRetry = await _client.Send(HttpMethod.Post, "/openapi/coin/consume", new { userId = _userId, body.idempotencyKey, body.serviceCode, body.consumeType }, apiKey: "hk_demo_LocalDemoKeyForTheHarnessOnly");
        var changed = await _client.Post("/api/finance/consume", new { body.idempotencyKey, body.serviceCode, body.consumeType, amount = 7 }, _token);
        var fresh = await _client.Post("/api/finance/consume", new { idempotencyKey = "after-disable", body.serviceCode, body.consumeType }, _token);

        Assert.True(retry.Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(first.Data.GetProperty("recordId").GetString(), retry.Data.GetProperty("recordId").GetString());
        Assert.Equal(50, retry.Data.GetProperty("coins").GetInt64());
        Assert.True(openApiRetry.EnsureOk().Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, changed.Status);
        Assert.Equal(40900, changed.Code);
        Assert.Equal(HttpStatusCode.NotFound, fresh.Status); // no enabled plan for a new charge
        Assert.Equal(950, await _client.Balance(_token));
    }

    [Fact]
    public async Task A_key_is_remembered_for_the_retention_window_and_free_again_after_it()
    {
        var body = new { idempotencyKey = "old", serviceCode = "report-export", consumeType = "FIXED" };
        (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();

        _factory.Clock.Advance(TimeSpan.FromHours(23));
        Assert.True((await _client.Post("/api/finance/consume", body, _token)).EnsureOk().Data.GetProperty("replayed").GetBoolean());

        _factory.Clock.Advance(TimeSpan.FromHours(1));
        var (token, _) = await _client.SignIn("13900000001"); // the 24 h idle session is over too
        Assert.False((await _client.Post("/api/finance/consume", body, token)).EnsureOk().Data.GetProperty("replayed").GetBoolean());
        Assert.Equal(900, await _client.Balance(token));
    }
}
