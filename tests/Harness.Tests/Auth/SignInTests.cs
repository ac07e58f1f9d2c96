using System.Net;
using Harness.Tests.Support;

namespace Harness.Tests.Auth;

public sealed class SignInTests : IAsyncLifetime
{
    private readonly FinanceTestApp _factory = new();
    private FinanceClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _client = new FinanceClient(_factory.CreateClient());
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Token_carries_the_documented_payload_with_a_seven_day_expiry()
    {
        var (token, userId) = await _client.SignIn("13600000001");
        var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement;

        Assert.Equal(userId, payload.GetProperty("userId").GetString());
        Assert.Equal("13600000001", payload.GetProperty("phone").GetString());
        Assert.Equal(7 * 24 * 3600, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64());
        Assert.Equal("HS256", System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(token.Split('.')[0])).RootElement.GetProperty("alg").GetString());
    }

    [Fact]
    public async Task Token_is_accepted_as_bearer_header_or_token_cookie()
    {
        var (token, userId) = await _client.SignIn("13600000002");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Add("Cookie", $"token={token}");
        using var response = await _client.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(userId, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(userId, (await _client.Get("/api/auth/me", token)).EnsureOk().Data.GetProperty("userId").GetString());
    }

    [Fact]
    public async Task A_new_sign_in_ends_the_previous_devices_session()
    {
        var (first, _) = await _client.SignIn("13600000003");
        (await _client.Get("/api/finance/balance", first)).EnsureOk(); // verified once, so remembered
        var (second, _) = await _client.SignIn("13600000003");

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Get("/api/finance/balance", first)).Status);
        (await _client.Get("/api/finance/balance", second)).EnsureOk();
    }

    [Fact]
    public async Task A_session_idle_for_24_hours_expires_but_use_keeps_it_alive()
    {
        var (idle, _) = await _client.SignIn("13600000004");
        (await _client.Get("/api/finance/balance", idle)).EnsureOk(); // verified once, so remembered
        var (active, _) = await _client.SignIn("13600000005");
        for (var hour = 0; hour < 30; hour += 6)
        {
            _factory.Clock.Advance(TimeSpan.FromHours(6));
            (await _client.Get("/api/finance/balance", active)).EnsureOk();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Get("/api/finance/balance", idle)).Status);
    }

    [Fact]
    public async Task A_token_past_its_exp_is_refused_even_with_a_live_session()
    {
        var (token, _) = await _client.SignIn("13600000006");
        for (var day = 0; day < 9; day++) // 180 h: past the 168 h exp, never idle for 24 h
        {
            _factory.Clock.Advance(TimeSpan.FromHours(20));
            _ = await _client.Get("/api/finance/balance", token);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Get("/api/finance/balance", token)).Status);
    }

    [Fact]
    public async Task Wrong_codes_are_refused_and_five_of_them_burn_the_code()
    {
        (await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000007" })).EnsureOk();
        var code = (await _client.Get("/api/auth/sms/sandbox/code?phone=13600000007")).EnsureOk().Data.GetProperty("code").GetString()!;
        var wrong = code == "000000" ? "111111" : "000000";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Post("/api/auth/login", new { phone = "13600000007", code = wrong })).Status);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Post("/api/auth/login", new { phone = "13600000007", code })).Status);
    }

    [Fact]
    public async Task Codes_expire_after_five_minutes_and_are_used_once()
    {
        (await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000008" })).EnsureOk();
        var code = (await _client.Get("/api/auth/sms/sandbox/code?phone=13600000008")).EnsureOk().Data.GetProperty("code").GetString();
        _factory.Clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Post("/api/auth/login", new { phone = "13600000008", code })).Status);

        (await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000008" })).EnsureOk();
        code = (await _client.Get("/api/auth/sms/sandbox/code?phone=13600000008")).EnsureOk().Data.GetProperty("code").GetString();
        (await _client.Post("/api/auth/login", new { phone = "13600000008", code })).EnsureOk();
        Assert.Equal(HttpStatusCode.Unauthorized, (await _client.Post("/api/auth/login", new { phone = "13600000008", code })).Status);
    }

    [Fact]
    public async Task A_second_code_within_a_minute_is_rate_limited()
    {
        (await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000009" })).EnsureOk();
        var again = await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000009" });
        _factory.Clock.Advance(TimeSpan.FromSeconds(60));
        var later = await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000009" });

        Assert.Equal(HttpStatusCode.TooManyRequests, again.Status);
        Assert.Equal(42900, again.Code);
        later.EnsureOk();
    }

    [Theory]
    [InlineData("{}", "phone is required")]
    [InlineData("{\"phone\":\"12ab\"}", "phone must be")]
    [InlineData("{\"phone\":\"1+3800000000\"}", "phone must be")]
    [InlineData("{\"phone\":123}", "invalid value for field 'phone'")]
    public async Task Bad_phones_are_40000(string body, string message)
    {
        var reply = await _client.Send(HttpMethod.Post, "/api/auth/sms/sendCode", rawBody: body);

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Contains(message, reply.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_sign_in_registers_one_user_even_when_concurrent()
    {
        (await _client.Post("/api/auth/sms/sendCode", new { phone = "13600000010" })).EnsureOk();
        var code = (await _client.Get("/api/auth/sms/sandbox/code?phone=13600000010")).EnsureOk().Data.GetProperty("code").GetString();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _client.Post("/api/auth/login", new { phone = "13600000010", code })));
        var users = (await _client.Get("/api/admin/users", _factory.AdminToken())).EnsureOk().Data;

        Assert.Single(attempts, a => a.Status == HttpStatusCode.OK);
        Assert.Single(users.EnumerateArray(), u => u.GetProperty("phone").GetString() == "13600000010");
    }
}
