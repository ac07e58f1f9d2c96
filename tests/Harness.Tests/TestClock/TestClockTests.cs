using System.Net;
using Harness.Tests.Support;

namespace Harness.Tests.TestClock;

/// <summary>The test clock: absent unless switched on; when on, it moves forward only, by bounded steps, and everything reads it.</summary>
public sealed class TestClockTests
{
    private static readonly Dictionary<string, string?> On = new() { ["Harness:TestClock"] = "true" };

    [Fact]
    public async Task Without_the_switch_there_is_no_test_clock()
    {
        await using var app = new FinanceTestApp();
        var client = new FinanceClient(app.CreateClient());

        var reply = await client.Post("/api/test/clock/advance", new { seconds = 60 }, app.AdminToken());

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal(40400, reply.Code);
    }

    [Fact]
    public async Task Moving_the_clock_moves_the_time_the_whole_backend_reads()
    {
        await using var app = new FinanceTestApp(settings: On);
        var client = new FinanceClient(app.CreateClient());
        var before = (await client.Get("/api/health")).EnsureOk().Data.GetProperty("time").GetDateTimeOffset();

        var moved = (await client.Post("/api/test/clock/advance", new { seconds = 90_000 })).EnsureOk().Data;

        Assert.Equal(90_000, moved.GetProperty("offsetSeconds").GetInt64());
        Assert.Equal(before.AddSeconds(90_000), moved.GetProperty("now").GetDateTimeOffset());
        var health = (await client.Get("/api/health")).EnsureOk().Data.GetProperty("time").GetDateTimeOffset();
        Assert.Equal(before.AddSeconds(90_000), health);
        Assert.Equal(90_000, (await client.Get("/api/test/clock")).EnsureOk().Data.GetProperty("offsetSeconds").GetInt64());
    }

    [Fact]
    public async Task Moving_the_clock_past_a_day_ends_idle_sessions_and_forgets_idempotency_keys()
    {
        await using var app = new FinanceTestApp(settings: On);
        var client = new FinanceClient(app.CreateClient());
        var (token, userId) = await client.SignIn("13600000101");
        await client.Credit(app.AdminToken(), userId, 100);
        var consume = new { idempotencyKey = "clock-1", serviceCode = "report-export", consumeType = "FIXED" };
        (await client.Post("/api/finance/consume", consume, token)).EnsureOk();

        (await client.Post("/api/test/clock/advance", new { seconds = 25 * 3600 })).EnsureOk();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Get("/api/finance/balance", token)).Status);
        var (again, _) = await client.SignIn("13600000101");
        var replay = (await client.Post("/api/finance/consume", consume, again)).EnsureOk().Data;
        Assert.False(replay.GetProperty("replayed").GetBoolean());
        Assert.Equal(0, await client.Balance(again));
    }

    [Theory]
    [InlineData("{}", "seconds is required")]
    [InlineData("{\"seconds\": 0}", "seconds must be greater than 0")]
    [InlineData("{\"seconds\": -5}", "seconds must be greater than 0")]
    [InlineData("{\"seconds\": 31622401}", "seconds must be at most 31622400")]
    public async Task The_clock_only_moves_forward_by_a_bounded_number_of_seconds(string body, string message)
    {
        await using var app = new FinanceTestApp(settings: On);
        var client = new FinanceClient(app.CreateClient());

        var reply = await client.Send(HttpMethod.Post, "/api/test/clock/advance", rawBody: body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(40000, reply.Code);
        Assert.Contains(message, reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clock_takes_no_credentials_so_a_run_can_move_it_past_every_tokens_expiry()
    {
        await using var app = new FinanceTestApp(settings: On);
        var client = new FinanceClient(app.CreateClient());
        var admin = app.AdminToken();

        (await client.Post("/api/test/clock/advance", new { seconds = 8 * 24 * 3600 })).EnsureOk();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Get("/api/admin/users", admin)).Status);
        Assert.Equal(9 * 24 * 3600, (await client.Post("/api/test/clock/advance", new { seconds = 24 * 3600 })).EnsureOk().Data.GetProperty("offsetSeconds").GetInt64());
    }
}
