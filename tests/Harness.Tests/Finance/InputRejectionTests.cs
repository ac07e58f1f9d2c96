using System.Net;
using Harness.Finance.Auth;
using Harness.Http;
using Harness.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Tests.Finance;

/// <summary>
/// Every Finance endpoint answers bad input with a 4xx in the Finance envelope (<c>code</c> = status × 100,
/// <c>data: null</c>), never a 500 and never a bare framework error.
/// </summary>
public sealed class InputRejectionTests(SignedInBackend backend) : IClassFixture<SignedInBackend>
{
    private const string DemoKey = "hk_demo_LocalDemoKeyForTheHarnessOnly";
    private readonly FinanceClient _client = backend.Client;
    private readonly string _token = backend.UserToken;
    private readonly string _admin = backend.AdminToken;

    public static TheoryData<string, string> UserEndpoints => new()
    {
        { "GET", "/api/finance/balance" },
        { "POST", "/api/finance/consume" },
        { "POST", "/api/finance/preCheck" },
        { "POST", "/api/finance/records" },
        { "GET", "/api/finance/servicePlan/list?serviceCode=agent-chat" },
        { "POST", "/api/consumption/summary" },
        { "POST", "/api/consumption/records" },
        { "GET", "/api/auth/me" },
        { "GET", "/api/finance/recharge/plans" },
        { "GET", "/api/finance/recharge/preview?planId=coins-100&channel=wechat" },
        { "POST", "/api/finance/recharge/create" },
        { "POST", "/api/finance/recharge/summary" },
        { "POST", "/api/finance/recharge/records" },
        { "POST", "/api/payment/create" },
    };

    /// <summary>User routes naming an order: checked by their route pattern in the guard test.</summary>
    public static TheoryData<string, string> UserEndpointsWithIds => new()
    {
        { "GET", "/api/finance/recharge/status/RCH1" },
        { "GET", "/api/payment/status/PAY1" },
        { "POST", "/api/payment/close/PAY1" },
    };

    public static TheoryData<string, string> ApiKeyEndpoints => new()
    {
        { "POST", "/openapi/coin/consume" },
        { "POST", "/openapi/coin/preCheck" },
        { "GET", "/openapi/coin/balance?userId=u_demo_user" },
    };

    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "GET", "/api/admin/users" },
        { "GET", "/api/admin/apiKeys" },
        { "POST", "/api/admin/apiKeys" },
        { "POST", "/api/admin/finance/credit" },
        { "POST", "/api/admin/finance/servicePlans" },
        { "GET", "/api/admin/ledger/audit" },
        { "GET", "/api/admin/ledger/stats" },
        { "GET", "/api/admin/recharge/plans" },
        { "POST", "/api/admin/recharge/plans" },
        { "POST", "/api/admin/recharge/orders" },
        { "GET", "/api/admin/payment/notifications" },
        { "GET", "/api/admin/payment/reviews" },
    };

    /// <summary>Bodies that are syntactically broken or carry a field of the wrong type, per POST endpoint.</summary>
    public static TheoryData<string, string> BrokenBodies()
    {
        string[] broken = ["{\"idempotencyKey\": \"k\", ", "not json at all", "[1, 2, 3]", "\"just a string\""];
        string[] mistypedConsumption =
        [
            "{\"tokens\": \"many\"}", "{\"tokens\": 99999999999999999999999999}", "{\"tokens\": 1.5}",
            "{\"metadata\": {\"a\": 1}}", "{\"serviceCode\": 42}", "{\"durationSeconds\": true}",
        ];
        string[] mistypedFilters =
        [
            "{\"page\": 1.5}", "{\"pageSize\": \"20\"}", "{\"page\": 99999999999}", "{\"startTime\": \"yesterday\"}",
            "{\"consumeType\": 7}",
        ];
        var data = new TheoryData<string, string>();
        foreach (var path in new[] { "/api/finance/consume", "/api/finance/preCheck" })
        {
            foreach (var body in broken.Concat(mistypedConsumption))
            {
                data.Add(path, body);
            }
        }

        foreach (var path in new[] { "/api/finance/recharge/records", "/api/finance/recharge/summary" })
        {
            foreach (var body in broken.Concat(mistypedFilters.SkipLast(1)).Append("{\"status\": 7}").Append("{\"channel\": [\"wechat\"]}"))
            {
                data.Add(path, body);
            }
        }

        foreach (var path in new[] { "/api/finance/recharge/create", "/api/payment/create" })
        {
            foreach (var body in broken.Append("{\"planId\": 5}").Append("{\"amount\": \"100\"}").Append("{\"amount\": 1.5}"))
            {
                data.Add(path, body);
            }
        }

        foreach (var path in new[] { "/api/finance/records", "/api/consumption/summary", "/api/consumption/records" })
        {
            foreach (var body in broken.Concat(mistypedFilters))
            {
                data.Add(path, body);
            }
        }

        return data;
    }

    /// <summary>Consume and preCheck bodies with a valid shape but invalid values.</summary>
    public static TheoryData<string, string> InvalidConsumptions => new()
    {
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":0}", "tokens must be greater than 0" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":-5}", "tokens must be greater than 0" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\"}", "tokens is required" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":9223372036854775807}", "tokens must be at most" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"expert-consult\",\"consumeType\":\"DURATION\",\"durationSeconds\":0}", "durationSeconds must be greater than 0" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"task-view\",\"consumeType\":\"FIXED\",\"amount\":-1}", "amount must be greater than 0" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"task-view\",\"consumeType\":\"FIXED\",\"amount\":0}", "amount must be greater than 0" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"report-export\",\"consumeType\":\"FIXED\",\"amount\":5}", "amount is not allowed" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"SUBSCRIPTION\",\"tokens\":5}", "consumeType must be one of TOKEN, DURATION, FIXED" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"token\",\"tokens\":5}", "consumeType must be one of TOKEN, DURATION, FIXED" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"tokens\":5}", "consumeType is required" },
        { "{\"idempotencyKey\":\"k\",\"consumeType\":\"TOKEN\",\"tokens\":5}", "serviceCode is required" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":5,\"durationSeconds\":60}", "durationSeconds is not allowed" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":5,\"planId\":\"report-export\"}", "belongs to serviceCode" },
        { "{\"idempotencyKey\":\"k\",\"serviceCode\":\"agent chat!\",\"consumeType\":\"TOKEN\",\"tokens\":5}", "serviceCode must be" },
    };

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    [MemberData(nameof(UserEndpointsWithIds))]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Missing_token_is_40100(string method, string path)
    {
        var reply = await _client.Send(new HttpMethod(method), path, rawBody: method == "POST" ? "{}" : null);

        AssertRejected(reply, HttpStatusCode.Unauthorized, "not authenticated");
    }

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    [MemberData(nameof(UserEndpointsWithIds))]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Forged_or_malformed_token_is_40100(string method, string path)
    {
        var forged = _token[..^4] + (_token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        foreach (var token in new[] { forged, "garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJ1c2VySWQiOiJ1X2RlbW9fYWRtaW4iLCJleHAiOjk5OTk5OTk5OTl9." })
        {
            var reply = await _client.Send(new HttpMethod(method), path, token: token, rawBody: method == "POST" ? "{}" : null);
            AssertRejected(reply, HttpStatusCode.Unauthorized, "invalid or expired token");
        }
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task Admin_routes_refuse_a_user_token_with_40300(string method, string path)
    {
        var reply = await _client.Send(new HttpMethod(method), path, token: _token, rawBody: method == "POST" ? "{}" : null);

        AssertRejected(reply, HttpStatusCode.Forbidden, "admin role is required");
    }

    [Theory]
    [MemberData(nameof(ApiKeyEndpoints))]
    public async Task OpenApi_routes_need_a_valid_key(string method, string path)
    {
        var body = method == "POST" ? "{}" : null;
        AssertRejected(await _client.Send(new HttpMethod(method), path, rawBody: body), HttpStatusCode.Unauthorized, "not authenticated");
        AssertRejected(await _client.Send(new HttpMethod(method), path, apiKey: "hk_demo_wrong", rawBody: body), HttpStatusCode.Unauthorized, "invalid or revoked API key");
        AssertRejected(await _client.Send(new HttpMethod(method), path, apiKey: "not-a-key", rawBody: body), HttpStatusCode.Unauthorized, "invalid or revoked API key");
        AssertRejected(await _client.Send(new HttpMethod(method), path, token: _token, rawBody: body), HttpStatusCode.Unauthorized, "invalid or revoked API key");
    }

    /// <summary>Recharge and payment requests with a valid shape but invalid values, and what the refusal names.</summary>
    public static TheoryData<string, string, string?, string> InvalidRechargeAndPaymentRequests => new()
    {
        { "GET", "/api/finance/recharge/preview?channel=wechat", null, "planId is required" },
        { "GET", "/api/finance/recharge/preview?planId=coins-100", null, "channel is required" },
        { "GET", "/api/finance/recharge/preview?planId=coins-100&channel=paypal", null, "channel must be one of wechat, alipay" },
        { "POST", "/api/finance/recharge/create", "{\"channel\":\"wechat\"}", "planId is required" },
        { "POST", "/api/finance/recharge/create", "{\"planId\":\"coins-100\",\"channel\":\"WECHAT\"}", "channel must be one of wechat, alipay" },
        { "POST", "/api/finance/recharge/create", "{\"planId\":\"coins 100!\",\"channel\":\"wechat\"}", "planId must be" },
        { "POST", "/api/finance/recharge/records", "{\"pageSize\":0}", "pageSize must be between 1 and 100" },
        { "POST", "/api/finance/recharge/records", "{\"status\":\"DONE\"}", "status must be one of" },
        { "POST", "/api/finance/recharge/summary", "{\"channel\":\"paypal\"}", "channel must be one of wechat, alipay" },
        { "POST", "/api/finance/recharge/summary", "{\"startTime\":\"2026-02-01T00:00:00Z\",\"endTime\":\"2026-01-01T00:00:00Z\"}", "startTime must not be after endTime" },
        { "POST", "/api/payment/create", "{\"bizType\":\"RECHARGE\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":100,\"description\":\"x\"}", "bizType RECHARGE is reserved" },
        { "POST", "/api/payment/create", "{\"bizType\":\"order\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":100,\"description\":\"x\"}", "bizType must be upper-case" },
        { "POST", "/api/payment/create", "{\"bizType\":\"ORDER\",\"channel\":\"wechat\",\"amount\":100,\"description\":\"x\"}", "bizOrderNo is required" },
        { "POST", "/api/payment/create", "{\"bizType\":\"ORDER\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":0,\"description\":\"x\"}", "amount must be greater than 0" },
        { "POST", "/api/payment/create", "{\"bizType\":\"ORDER\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":-100,\"description\":\"x\"}", "amount must be greater than 0" },
        { "POST", "/api/payment/create", "{\"bizType\":\"ORDER\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":100000001,\"description\":\"x\"}", "amount must be at most 100000000" },
        { "POST", "/api/payment/create", "{\"bizType\":\"ORDER\",\"bizOrderNo\":\"b1\",\"channel\":\"wechat\",\"amount\":100}", "description is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidRechargeAndPaymentRequests))]
    public async Task Invalid_recharge_and_payment_requests_are_40000_naming_the_field(string method, string path, string? body, string problem)
    {
        var reply = await _client.Send(new HttpMethod(method), path, token: _token, rawBody: body);

        AssertRejected(reply, HttpStatusCode.BadRequest, problem);
    }

    [Theory]
    [InlineData("GET", "/api/finance/recharge/preview?planId=no-such-plan&channel=wechat", "recharge plan 'no-such-plan' not found")]
    [InlineData("GET", "/api/finance/recharge/status/RCH-NOT-MINE", "recharge order 'RCH-NOT-MINE' not found")]
    [InlineData("GET", "/api/payment/status/PAY-NOT-MINE", "payment order 'PAY-NOT-MINE' not found")]
    [InlineData("POST", "/api/payment/close/PAY-NOT-MINE", "payment order 'PAY-NOT-MINE' not found")]
    [InlineData("POST", "/api/payment/notify/paypal", "unknown payment channel 'paypal'")]
    public async Task Unknown_plans_orders_and_channels_are_40400(string method, string path, string problem)
    {
        var reply = await _client.Send(new HttpMethod(method), path, token: _token, rawBody: method == "POST" ? "{}" : null);

        AssertRejected(reply, HttpStatusCode.NotFound, problem);
    }

    [Theory]
    [MemberData(nameof(BrokenBodies))]
    public async Task Malformed_or_mistyped_json_is_40000(string path, string body)
    {
        var reply = await _client.Send(HttpMethod.Post, path, token: _token, rawBody: body);

        AssertRejected(reply, HttpStatusCode.BadRequest, "");
    }

    [Theory]
    [InlineData("/api/finance/consume")]
    [InlineData("/api/finance/preCheck")]
    public async Task Missing_body_or_wrong_content_type_is_rejected(string path)
    {
        AssertRejected(await _client.Send(HttpMethod.Post, path, token: _token), HttpStatusCode.BadRequest, "request body is required");

        using var form = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("a=1", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded") };
        form.Headers.Authorization = new("Bearer", _token);
        using var response = await _client.Http.SendAsync(form, TestContext.Current.CancellationToken);
        AssertRejected(new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)), HttpStatusCode.UnsupportedMediaType, "must be JSON");
    }

    /// <summary>
    /// Consume bodies are read in one pass, not by the framework's binding;
    /// each refusal keeps the binding's exact words, and what the binding accepted is still accepted.
    /// </summary>
    public static TheoryData<string, string, int, string> ConsumeBodies()
    {
        const string notJson = "request body is not valid JSON";
        var tail = "\"idempotencyKey\":\"k\",\"serviceCode\":\"agent-chat\",\"consumeType\":\"TOKEN\",\"tokens\":5}";
        var padding = string.Concat(Enumerable.Range(0, 300).Select(i => $"\"m{i}\":\"v\","));
        return new()
        {
            { "null", "application/json", 400, "request body is required" },
            { "   ", "application/json", 400, notJson },
            { "{\"idempotencyKey\": \"k\", ", "application/json", 400, notJson },
            { "[1, 2, 3]", "application/json", 400, notJson },
            { "{\"tokens\": 5} x", "application/json", 400, notJson },
            { "{} {}", "application/json", 400, notJson },
            { "{\"tokens\": 5,}", "application/json", 400, notJson },
            { "{\"tokens\": 5 /* c */}", "application/json", 400, notJson },
            { "{\"tokens\": 1.5}", "application/json", 400, "invalid value for field 'tokens': wrong type, malformed or out of range" },
            { "{\"metadata\": {\"a\": 1}}", "application/json", 400, "invalid value for field 'metadata.a': wrong type, malformed or out of range" },
            { "{" + tail, "text/plain", 415, "request body must be JSON (Content-Type: application/json)" },
            // Accepted as the binding accepted them: these reach pricing and the balance check.
            { "\uFEFF{" + tail, "application/json", 402, "insufficient balance" },
            { "{" + tail.Replace("tokens", "TOKENS", StringComparison.Ordinal), "application/problem+json", 402, "insufficient balance" },
            // Bodies over a few KB span several of the pipe's blocks.
            { "{\"metadata\":{" + padding + "\"last\":7}}", "application/json", 400, "invalid value for field 'metadata.last': wrong type, malformed or out of range" },
            { "{\"description\":\"" + new string('d', 6_000) + "\"," + tail, "application/json", 400, "description must be at most 500 characters" },
        };
    }

    [Theory]
    [MemberData(nameof(ConsumeBodies))]
    public async Task Consume_bodies_are_read_as_the_framework_s_binding_read_them(string body, string contentType, int status, string message)
    {
        foreach (var (path, apiKey) in new[] { ("/api/finance/consume", (string?)null), ("/api/finance/preCheck", null), ("/openapi/coin/preCheck", DemoKey) })
        {
            var sent = apiKey is null ? body : body.Replace("{\"", "{\"userId\":\"u_demo_user\",\"", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(sent, System.Text.Encoding.UTF8, contentType) };
            if (apiKey is null)
            {
                request.Headers.Authorization = new("Bearer", _token);
            }
            else
            {
                request.Headers.Add("X-API-Key", apiKey);
            }

            using var response = await _client.Http.SendAsync(request, TestContext.Current.CancellationToken);
            var reply = new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            if (status == 402 && path.EndsWith("preCheck", StringComparison.Ordinal))
            {
                Assert.True(reply.Status == HttpStatusCode.OK, $"{path}: {reply.Body}");
                Assert.Equal(1, reply.Data.GetProperty("requiredCoins").GetInt64());
                continue;
            }

            AssertRejected(reply, (HttpStatusCode)status, message);
            if (status != 402)
            {
                Assert.Equal(message, reply.Message);
            }
        }

        Assert.Equal(0, await _client.Balance(_token));
    }

    [Theory]
    [MemberData(nameof(InvalidConsumptions))]
    public async Task Invalid_consumption_values_are_40000_on_every_consume_route(string body, string message)
    {
        AssertRejected(await _client.Send(HttpMethod.Post, "/api/finance/consume", token: _token, rawBody: body), HttpStatusCode.BadRequest, message);
        AssertRejected(await _client.Send(HttpMethod.Post, "/api/finance/preCheck", token: _token, rawBody: body), HttpStatusCode.BadRequest, message);
        var onBehalf = body.Replace("{", "{\"userId\":\"u_demo_user\",", StringComparison.Ordinal);
        AssertRejected(await _client.Send(HttpMethod.Post, "/openapi/coin/consume", apiKey: DemoKey, rawBody: onBehalf), HttpStatusCode.BadRequest, message);
        Assert.Equal(0, await _client.Balance(_token));
    }

    [Theory]
    [InlineData("")]
    [InlineData("key with spaces")]
    [InlineData("ключ")]
    public async Task Idempotency_key_must_be_visible_ascii(string key)
    {
        var reply = await _client.Post("/api/finance/consume", new { idempotencyKey = key, serviceCode = "report-export", consumeType = "FIXED" }, _token);

        AssertRejected(reply, HttpStatusCode.BadRequest, "idempotencyKey");
    }

    [Fact]
    public async Task Too_long_idempotency_key_is_rejected()
    {
        var reply = await _client.Post("/api/finance/consume", new { idempotencyKey = new string('k', 129), serviceCode = "report-export", consumeType = "FIXED" }, _token);

        AssertRejected(reply, HttpStatusCode.BadRequest, "1 to 128 visible ASCII");
    }

    [Theory]
    [InlineData("{\"page\":0}", "page must be 1 or greater")]
    [InlineData("{\"pageSize\":0}", "pageSize must be between 1 and 100")]
    [InlineData("{\"pageSize\":101}", "pageSize must be between 1 and 100")]
    [InlineData("{\"consumeType\":\"BOGUS\"}", "consumeType must be one of")]
    [InlineData("{\"startTime\":\"2026-11-02T00:00:00Z\",\"endTime\":\"2026-11-01T00:00:00Z\"}", "startTime must not be after endTime")]
    public async Task Invalid_record_filters_are_40000(string body, string message) =>
        AssertRejected(await _client.Send(HttpMethod.Post, "/api/finance/records", token: _token, rawBody: body), HttpStatusCode.BadRequest, message);

    [Theory]
    [InlineData("{\"userId\":\"u_demo_user\",\"amount\":0,\"idempotencyKey\":\"c\"}", "amount must be greater than 0")]
    [InlineData("{\"userId\":\"u_demo_user\",\"amount\":-10,\"idempotencyKey\":\"c\"}", "amount must be greater than 0")]
    [InlineData("{\"userId\":\"u_demo_user\",\"amount\":1000000000001,\"idempotencyKey\":\"c\"}", "amount must be at most")]
    [InlineData("{\"userId\":\"u_demo_user\",\"amount\":10}", "idempotencyKey is required")]
    [InlineData("{\"amount\":10,\"idempotencyKey\":\"c\"}", "userId is required")]
    public async Task Invalid_credits_are_40000(string body, string message) =>
        AssertRejected(await _client.Send(HttpMethod.Post, "/api/admin/finance/credit", token: _admin, rawBody: body), HttpStatusCode.BadRequest, message);

    /// <summary>
    /// A route mapped without a guard would be open to anyone: every mapped backend route must carry
    /// the guard the lists above test it with, and only the sign-in flow and the health check are open.
    /// </summary>
    [Fact]
    public void Every_mapped_route_has_the_guard_its_surface_needs()
    {
        // The channel's signature authenticates its notifications.
        string[] open = ["GET /api/health", "POST /api/auth/sms/sendCode", "POST /api/auth/login", "GET /api/auth/sms/sandbox/code", "POST /api/payment/notify/{channel}"];
        var expected = UserEndpoints.Select(r => (Route(r.Data.Item1, r.Data.Item2), typeof(UserGuard)))
            .Concat(AdminEndpoints.Select(r => (Route(r.Data.Item1, r.Data.Item2), typeof(AdminGuard))))
            .Concat(ApiKeyEndpoints.Select(r => (Route(r.Data.Item1, r.Data.Item2), typeof(ApiKeyGuard))))
            .Concat(new[] { "GET /api/finance/recharge/status/{orderNo}", "GET /api/payment/status/{outTradeNo}", "POST /api/payment/close/{outTradeNo}" }.Select(r => (r, typeof(UserGuard))))
            .Concat(new[] { "POST /api/admin/payment/reviews/{id}/resolve" }.Select(r => (r, typeof(AdminGuard))))
            .ToDictionary(r => r.Item1, r => r.Item2);
        var routes = backend.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/api/", StringComparison.Ordinal) || raw.StartsWith("/openapi/coin", StringComparison.Ordinal)))
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => (Route: $"{m} {e.RoutePattern.RawText}", Guard: e.Metadata.GetMetadata<RequestGuard>())))
            .ToList();

        Assert.NotEmpty(routes);
        foreach (var (route, guard) in routes)
        {
            if (open.Contains(route))
            {
                Assert.True(guard is null, $"{route} should be open");
            }
            else
            {
                Assert.True(guard is not null, $"{route} has no guard: anyone could call it");
                if (expected.TryGetValue(route, out var type))
                {
                    Assert.True(guard.GetType() == type, $"{route} is guarded by {guard.GetType().Name}, expected {type.Name}");
                }
            }
        }

        Assert.All(expected.Keys, route => Assert.Contains(route, routes.Select(r => r.Route)));

        static string Route(string method, string path) => $"{method} {path.Split('?')[0]}";
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_envelope()
    {
        AssertRejected(await _client.Get("/api/finance/nothing-here", _token), HttpStatusCode.NotFound, "no route");
        AssertRejected(await _client.Send(HttpMethod.Delete, "/api/finance/consume", token: _token), HttpStatusCode.MethodNotAllowed, "not allowed");
    }

    /// <summary>A charset no decoder exists for is a 415 on every route that reads a body (it was a 500 on the framework-bound ones).</summary>
    [Theory]
    [InlineData("/api/auth/sms/sendCode", "none")]
    [InlineData("/api/auth/login", "none")]
    [InlineData("/api/finance/records", "user")]
    [InlineData("/api/consumption/records", "user")]
    [InlineData("/api/consumption/summary", "user")]
    [InlineData("/api/finance/consume", "user")]
    [InlineData("/api/admin/apiKeys", "admin")]
    [InlineData("/api/admin/finance/credit", "admin")]
    [InlineData("/api/admin/finance/servicePlans", "admin")]
    [InlineData("/openapi/coin/consume", "key")]
    public async Task An_unknown_charset_is_a_415_in_the_envelope(string path, string caller)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("{}") };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=nonsense");
        if (caller is "user" or "admin")
        {
            request.Headers.Authorization = new("Bearer", caller == "user" ? _token : _admin);
        }
        else if (caller == "key")
        {
            request.Headers.Add("X-API-Key", DemoKey);
        }

        using var response = await _client.Http.SendAsync(request, TestContext.Current.CancellationToken);

        AssertRejected(new ApiReply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)), HttpStatusCode.UnsupportedMediaType, "charset 'nonsense' is not supported");
    }

    private static void AssertRejected(ApiReply reply, HttpStatusCode status, string messagePart)
    {
        Assert.True(reply.Status == status, $"expected {(int)status}, got {(int)reply.Status}: {reply.Body}");
        Assert.Equal((int)status * 100, reply.Code);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reply.Data.ValueKind);
        Assert.Contains(messagePart, reply.Message, StringComparison.Ordinal);
    }
}
