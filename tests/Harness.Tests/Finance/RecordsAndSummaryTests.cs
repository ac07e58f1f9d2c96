using System.Text.Json;
using Harness.Tests.Support;

namespace Harness.Tests.Finance;

/// <summary>Records and summaries paginate, filter and add up exactly as the ledger does.</summary>
public sealed class RecordsAndSummaryTests : IAsyncLifetime
{
    private readonly FinanceTestApp _factory = new();
    private FinanceClient _client = null!;
    private string _token = "";
    private DateTimeOffset _start;

    public async ValueTask InitializeAsync()
    {
        _client = new FinanceClient(_factory.CreateClient());
        (_token, var userId) = await _client.SignIn("13900000021");
        await _client.Credit(_factory.AdminToken(), userId, 10_000);
        _start = _factory.Clock.GetUtcNow();

        // One consumption an hour: r1 (2 coins) r2 (20) r3 (50) r4 (10) r5 (7).
        await Consume(new { idempotencyKey = "r1", serviceCode = "agent-chat", consumeType = "TOKEN", tokens = 1000 });
        await Consume(new { idempotencyKey = "r2", serviceCode = "expert-consult", consumeType = "DURATION", durationSeconds = 61 });
        await Consume(new { idempotencyKey = "r3", serviceCode = "report-export", consumeType = "FIXED" });
        await Consume(new
        {
            idempotencyKey = "r4",
            serviceCode = "agent-chat",
            consumeType = "TOKEN",
            tokens = 2000,
            planId = "agent-chat-pro",
            bizId = "task-9",
            description = "  answer with spaces kept  ",
            metadata = new Dictionary<string, string> { ["agent"] = "writer", ["run-id"] = "42" },
        });
        await Consume(new { idempotencyKey = "r5", serviceCode = "task-view", consumeType = "FIXED", amount = 7 });
        await Consume(new { idempotencyKey = "r5", serviceCode = "task-view", consumeType = "FIXED", amount = 7 }); // replay: no new record
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Records_are_newest_first_and_paginate()
    {
        var keys = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var data = await Records(new { page, pageSize = 2 });
            Assert.Equal(5, data.GetProperty("total").GetInt64());
            Assert.Equal(page, data.GetProperty("page").GetInt32());
            Assert.Equal(2, data.GetProperty("pageSize").GetInt32());
            keys.AddRange(data.GetProperty("list").EnumerateArray().Select(r => r.GetProperty("idempotencyKey").GetString()!));
        }

        Assert.Equal(["r5", "r4", "r3", "r2", "r1"], keys);
    }

    [Fact]
    public async Task Records_default_to_page_one_of_twenty_and_both_routes_agree()
    {
        var finance = await Records(new { });
        var consumption = (await _client.Post("/api/consumption/records", new { }, _token)).EnsureOk().Data;

        Assert.Equal(1, finance.GetProperty("page").GetInt32());
        Assert.Equal(20, finance.GetProperty("pageSize").GetInt32());
        Assert.Equal(finance.ToString(), consumption.ToString());
    }

    [Fact]
    public async Task Records_carry_the_pricing_inputs_and_client_fields()
    {
        var r4 = (await Records(new { })).GetProperty("list").EnumerateArray().Single(r => r.GetProperty("idempotencyKey").GetString() == "r4");

        Assert.Equal("agent-chat-pro", r4.GetProperty("planId").GetString());
        Assert.Equal(5, r4.GetProperty("rate").GetInt64());
        Assert.Equal(2000, r4.GetProperty("tokens").GetInt64());
        Assert.Equal(10, r4.GetProperty("coins").GetInt64());
        Assert.Equal("task-9", r4.GetProperty("bizId").GetString());
        Assert.Equal("  answer with spaces kept  ", r4.GetProperty("description").GetString());
        Assert.Equal("writer", r4.GetProperty("metadata").GetProperty("agent").GetString());
        Assert.Equal(10_000 - 72, r4.GetProperty("balanceBefore").GetInt64());
        Assert.Equal(_start.AddHours(3).UtcDateTime, r4.GetProperty("createdAt").GetDateTime());
    }

    [Theory]
    [InlineData("{\"consumeType\":\"TOKEN\"}", new[] { "r4", "r1" })]
    [InlineData("{\"consumeType\":\"FIXED\"}", new[] { "r5", "r3" })]
    [InlineData("{\"serviceCode\":\"agent-chat\"}", new[] { "r4", "r1" })]
    [InlineData("{\"serviceCode\":\"agent-chat\",\"consumeType\":\"DURATION\"}", new string[0])]
    [InlineData("{\"serviceCode\":\"unknown-service\"}", new string[0])]
    public async Task Records_filter_by_type_and_service(string filter, string[] expected)
    {
        var data = (await _client.Send(HttpMethod.Post, "/api/finance/records", token: _token, rawBody: filter)).EnsureOk().Data;

        Assert.Equal(expected, data.GetProperty("list").EnumerateArray().Select(r => r.GetProperty("idempotencyKey").GetString()!));
        Assert.Equal(expected.Length, data.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Time_range_includes_start_and_excludes_end()
    {
        var data = await Records(new { startTime = _start.AddHours(1), endTime = _start.AddHours(3) });

        Assert.Equal(["r3", "r2"], data.GetProperty("list").EnumerateArray().Select(r => r.GetProperty("idempotencyKey").GetString()!));
    }

    [Fact]
    public async Task Summary_totals_agree_with_records_and_balance()
    {
        var summary = await Summary(new { });
        var records = await _client.AllRecords(_token);

        Assert.Equal(89, summary.GetProperty("totalCoins").GetInt64());
        Assert.Equal(records.Sum(r => r.GetProperty("coins").GetInt64()), summary.GetProperty("totalCoins").GetInt64());
        Assert.Equal(5, summary.GetProperty("count").GetInt64());
        Assert.Equal(10_000 - 89, await _client.Balance(_token));
        Assert.Equal(
            [("DURATION", 20L, 1L), ("FIXED", 57L, 2L), ("TOKEN", 12L, 2L)],
            Groups(summary.GetProperty("byConsumeType"), "consumeType"));
        Assert.Equal(
            [("agent-chat", 12L, 2L), ("expert-consult", 20L, 1L), ("report-export", 50L, 1L), ("task-view", 7L, 1L)],
            Groups(summary.GetProperty("byServiceCode"), "serviceCode"));
    }

    [Fact]
    public async Task Summary_of_a_time_range_matches_the_records_of_that_range()
    {
        var summary = await Summary(new { startTime = _start.AddHours(1), endTime = _start.AddHours(3) });

        Assert.Equal(70, summary.GetProperty("totalCoins").GetInt64());
        Assert.Equal(2, summary.GetProperty("count").GetInt64());
        Assert.Equal(_start.AddHours(1), summary.GetProperty("startTime").GetDateTimeOffset());
    }

    [Fact]
    public async Task Credits_are_not_consumption_records()
    {
        var data = await Records(new { pageSize = 100 });

        Assert.All(data.GetProperty("list").EnumerateArray(), r => Assert.True(r.GetProperty("coins").GetInt64() > 0));
        Assert.DoesNotContain(data.GetProperty("list").EnumerateArray(), r => r.GetProperty("consumeType").GetString() == "");
    }

    private static List<(string, long, long)> Groups(JsonElement groups, string keyName) =>
        [.. groups.EnumerateArray().Select(g => (g.GetProperty(keyName).GetString()!, g.GetProperty("coins").GetInt64(), g.GetProperty("count").GetInt64()))];

    private async Task Consume(object body)
    {
        (await _client.Post("/api/finance/consume", body, _token)).EnsureOk();
        _factory.Clock.Advance(TimeSpan.FromHours(1));
    }

    private async Task<JsonElement> Records(object filter) => (await _client.Post("/api/finance/records", filter, _token)).EnsureOk().Data;

    private async Task<JsonElement> Summary(object filter) => (await _client.Post("/api/consumption/summary", filter, _token)).EnsureOk().Data;
}
