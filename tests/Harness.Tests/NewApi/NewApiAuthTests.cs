using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Harness.NewApi.Auth;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.NewApi;

/// <summary>New-API's auth middleware (new-api.md §2), on every guarded route, and its answers to bad input.</summary>
public sealed class NewApiAuthTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_guarded_route_answers_each_auth_failure_with_upstreams_status_and_message()
    {
        await using var app = new NewApiTestApp();
        var user = app.NewUser("matrix-user");
        var banned = app.NewUser("matrix-banned");
        banned.Status = 2;
        app.Users.Save(banned);
        var routes = GuardedRoutes(app);
        Assert.Contains(routes, r => r.Path == "/api/user/topup" && r.Method == "POST");
        Assert.Contains(routes, r => r.Path == "/api/redemption/invalid" && r.MinimumRole == Roles.Admin);

        foreach (var (method, path, minimumRole) in routes)
        {
            await ExpectAsync(app, method, path, [], 401, NewApiGuard.NotLoggedIn);
            await ExpectAsync(app, method, path, [("New-Api-User", "1")], 401, NewApiGuard.NotLoggedIn);
            await ExpectAsync(app, method, path, [("Authorization", "Bearer not-a-token"), ("New-Api-User", "1")], 200, NewApiGuard.InvalidToken);
            await ExpectAsync(app, method, path, [("Authorization", app.Root.AccessToken)], 401, NewApiGuard.NoUserHeader);
            await ExpectAsync(app, method, path, [("Authorization", app.Root.AccessToken), ("New-Api-User", "one")], 401, NewApiGuard.BadUserHeader);
            await ExpectAsync(app, method, path, [("Authorization", "Bearer " + app.Root.AccessToken), ("New-Api-User", user.Id)], 401, NewApiGuard.UserMismatch);
            await ExpectAsync(app, method, path, [("Authorization", banned.AccessToken), ("New-Api-User", banned.Id)], 200, NewApiGuard.Banned);
            if (minimumRole > Roles.User)
            {
                await ExpectAsync(app, method, path, [("Authorization", user.AccessToken), ("New-Api-User", user.Id)], 200, NewApiGuard.NotAllowed);
            }
        }
    }

    [Fact]
    public async Task Only_sign_in_and_the_providers_notifies_are_open()
    {
        await using var app = new NewApiTestApp();
        var open = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<NewApiGuard>() is null)
            .Select(e => e.RoutePattern.RawText!)
            .Where(p => p.StartsWith("/api", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        // The notifies and the subscription return authenticate by their signature, as upstream's do.
        Assert.Equal(["/api/creem/webhook", "/api/stripe/webhook", "/api/subscription/epay/notify", "/api/subscription/epay/return", "/api/user/epay/notify", "/api/user/login", "/api/user/logout"], open);
    }

    [Fact]
    public async Task A_session_cookie_authenticates_with_New_Api_User_and_a_new_token_replaces_the_old()
    {
        await using var app = new NewApiTestApp();
        var user = app.NewUser("signer");
        using var browser = app.Anonymous();

        var wrong = await (await browser.PostAsJsonAsync("/api/user/login", new { username = "signer", password = "nope" }, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(AuthApi.WrongCredentials, wrong!["message"]!.GetValue<string>());
        using var login = await browser.PostAsJsonAsync("/api/user/login", new { username = "signer", password = "pw-signer" }, Ct);
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var self = new HttpRequestMessage(HttpMethod.Get, "/api/user/self");
        self.Headers.Add("Cookie", cookie.Split(';')[0]);
        self.Headers.Add("New-Api-User", user.Id);
        var me = await (await browser.SendAsync(self, Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal("signer", me!["data"]!["username"]!.GetValue<string>());

        var old = user.AccessToken;
        using var withOld = app.As(user);
        var issued = (await withOld.GetFromJsonAsync<JsonObject>("/api/user/token", Ct))!["data"]!.GetValue<string>();
        Assert.NotEqual(old, issued);
        var refused = await (await withOld.GetAsync("/api/user/self", Ct)).Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.Equal(NewApiGuard.InvalidToken, refused!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_input_on_every_route_is_refused_in_the_envelope_never_with_a_5xx()
    {
        await using var app = new NewApiTestApp();
        using var http = app.As(app.Root);
        string[] bodies = ["", "not json", "[]", "null", "{\"name\":5}", "{\"quota\":\"1\"}", "{\"count\":1e99}", "{\"key\":{}}", "{\"id\":-1}", "{\"username\":[],\"password\":1}", "{\"a\":" + new string('[', 80) + "}"];
        foreach (var (method, path, _) in GuardedRoutes(app).Append(("POST", "/api/user/login", 0)))
        {
            foreach (var body in bodies)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", "x", StringComparison.Ordinal) + "?p=-5&page_size=abc&status_only=1")
                {
                    Content = new StringContent(body, Encoding.UTF8, "application/json"),
                };
                using var response = await http.SendAsync(request, Ct);
                var text = await response.Content.ReadAsStringAsync(Ct);
                Assert.True((int)response.StatusCode < 500, $"{method} {path} {body} → {(int)response.StatusCode} {text}");
                Assert.True(JsonNode.Parse(text)?["success"] is JsonValue, $"{method} {path} {body} → not the envelope: {text}");
            }
        }
    }

    [Fact]
    public async Task The_critical_rate_limit_answers_429_with_an_empty_body_after_auth()
    {
        await using var app = new NewApiTestApp(new Dictionary<string, string?> { ["Harness:CriticalRateLimit"] = "2" });
        using var http = app.As(app.NewUser("limited"));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/user/topup", new { key = "x" }, Ct)).StatusCode);
        }

        using var limited = await http.PostAsJsonAsync("/api/user/topup", new { key = "x" }, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("", await limited.Content.ReadAsStringAsync(Ct));

        // Auth comes first: an anonymous caller is told to sign in, not rate-limited.
        using var anonymous = await app.Anonymous().PostAsJsonAsync("/api/user/topup", new { key = "x" }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task The_global_API_limit_counts_every_api_request_before_auth_and_its_switch_turns_it_off()
    {
        await using var app = new NewApiTestApp(new Dictionary<string, string?> { ["Harness:GlobalApiRateLimit"] = "3" });
        using var http = app.As(app.Root);
        using var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/user/self", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/subscription/plans", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/user/self", Ct)).StatusCode);

        using var limited = await http.GetAsync("/api/user/self", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("", await limited.Content.ReadAsStringAsync(Ct));

        // Before auth, as upstream's limiter on the /api group: an anonymous caller is refused too.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await anonymous.GetAsync("/api/user/self", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json", Ct)).StatusCode);

        // The window slides on: what was refused is admitted once it has passed.
        await using var upstreamNames = new NewApiTestApp(new Dictionary<string, string?> { ["GLOBAL_API_RATE_LIMIT"] = "1", ["GLOBAL_API_RATE_LIMIT_DURATION"] = "1" });
        using var quick = upstreamNames.As(upstreamNames.Root);
        Assert.Equal(HttpStatusCode.OK, (await quick.GetAsync("/api/user/self", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await quick.GetAsync("/api/user/self", Ct)).StatusCode);
        var status = HttpStatusCode.TooManyRequests;
        for (var waited = 0; waited < 50 && status == HttpStatusCode.TooManyRequests; waited++)
        {
            // The limiter's own timer slides the window, a segment per tick; a few seconds at most.
            await Task.Delay(TimeSpan.FromMilliseconds(200), Ct);
            status = (await quick.GetAsync("/api/user/self", Ct)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, status);

        await using var off = new NewApiTestApp(new Dictionary<string, string?> { ["GLOBAL_API_RATE_LIMIT"] = "1", ["GLOBAL_API_RATE_LIMIT_ENABLE"] = "false" });
        using var free = off.As(off.Root);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await free.GetAsync("/api/user/self", Ct)).StatusCode);
        }
    }

    private static List<(string Method, string Path, int MinimumRole)> GuardedRoutes(NewApiTestApp app) =>
    [
        .. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<NewApiGuard>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, e.RoutePattern.RawText!, e.Metadata.GetMetadata<NewApiGuard>()!.MinimumRole))),
    ];

    private static async Task ExpectAsync(NewApiTestApp app, string method, string path, (string Name, string Value)[] headers, int status, string message)
    {
        using var http = app.Anonymous();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{id}", "1", StringComparison.Ordinal));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await http.SendAsync(request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.True(status == (int)response.StatusCode, $"{method} {path} with {string.Join(", ", headers.Select(h => h.Name))}: {(int)response.StatusCode} {body}");
        Assert.False(body!["success"]!.GetValue<bool>());
        Assert.Equal(message, body["message"]!.GetValue<string>());
    }
}
