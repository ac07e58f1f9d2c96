using System.Net;
using Harness.Tests.Support;

namespace Harness.Tests.Finance;

public sealed class ConsumeTests : IAsyncLifetime
{
    private readonly BackendFactory _factory = new();
    private FinanceClient _client = null!;
    private string _token = "";

    public async ValueTask InitializeAsync()
    {
        _client = new FinanceClient(_factory.CreateClient());
        (_token, var userId) = await _client.SignIn("13900000001");
        await _client.Credit(_factory.AdminToken(), userId, 1_000);
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
    public async Task Same_key_different_request_is_a_conflict_and_charges_nothing()
    {
        (await _client.Post("/api/finance/consume", new { idempotencyKey = "c-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 1000 }, _token)).EnsureOk();
        var conflict = await _client.Post("/api/finance/consume", new { idempotencyKey = "c-1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 2000 }, _token);

        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal(40900, conflict.Code);
        Assert.Equal(998, await _client.Balance(_token));
    }
}
