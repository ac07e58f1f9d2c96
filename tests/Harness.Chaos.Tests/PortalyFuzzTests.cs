using System.Net;
using System.Text;
using Harness.Chaos.Campaigns;

namespace Harness.Chaos.Tests;

/// <summary>Portaly's fuzz against the built-in harness: every operation with the demo test key, nothing found.</summary>
public sealed class PortalyFuzzTests
{
    [Fact]
    public async Task Portalys_fuzz_finds_nothing_and_reaches_validation_past_the_raised_rate_limits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var target = await ChaosTarget.StartBuiltInAsync(ct);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = target.Portaly };
        var log = new StringWriter();
        var credentials = new PortalyCredentials(ChaosTarget.PortalyTestKey, ChaosTarget.PortalyAdminToken);

        var catalog = await PortalyCatalog.ReadAsync(http, credentials, ct);

        var (figures, findings) = await new FuzzCampaign(http, "Portaly", AnswerShapes.Portaly, credentials.Apply)
            .RunAsync(catalog.Operations, catalog.Generate, ChaosOptions.ShortCampaign.Seed, casesPerOperation: 12, log, ct);

        Assert.Equal(["planId", "codeId", "sessionId", "subscriptionId", "orderId"], catalog.Made);
        Assert.True(findings.Count == 0, string.Join('\n', findings.Select(f => $"{f.Kind}: {f.Request}: {f.Detail}")) + log);
        Assert.True(figures.Operations >= 30, $"every documented Portaly operation is fuzzed ({figures.Operations})");
        Assert.Equal(figures.Operations * 12, figures.Requests);
        Assert.Equal(0, figures.RateLimited);
    }
}

/// <summary>The fuzz fails a Portaly whose upload route breaks on a cut-short multipart body and whose plans answer in Finance's envelope.</summary>
public sealed class PortalyFuzzFindingTests
{
    private const string Document = """
        {"paths": {
          "/api/creator-subscription/config/images": {"post": {"responses": {"200": {}}}},
          "/api/creator-subscription/plans/{planId}": {"get": {"parameters": [{"name": "planId", "in": "path", "schema": {"type": "string"}}], "responses": {"200": {}}}}
        }}
        """;

    [Fact]
    public async Task A_500_on_a_cut_short_upload_and_a_foreign_envelope_are_found()
    {
        using var http = new HttpClient(new BrokenPortaly()) { BaseAddress = new Uri("http://scripted.test") };
        var credentials = new PortalyCredentials(ChaosTarget.PortalyTestKey, ChaosTarget.PortalyAdminToken);
        var catalog = await PortalyCatalog.ReadAsync(http, credentials, TestContext.Current.CancellationToken);

        var (figures, findings) = await new FuzzCampaign(http, "Portaly", AnswerShapes.Portaly, credentials.Apply)
            .RunAsync(catalog.Operations, catalog.Generate, seed: 1, casesPerOperation: 40, TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Empty(catalog.Made);
        Assert.True(figures.ServerErrors > 0 && findings.Any(f => f.Kind == "500 from Portaly" && f.Request.Contains("a multipart body cut short", StringComparison.Ordinal)));
        Assert.Equal(40, figures.WrongShape);
        Assert.Contains(findings, f => f.Kind == "answer outside Portaly's shape" && f.Detail.StartsWith("404: not Portaly's", StringComparison.Ordinal));
    }

    /// <summary>Uploads fail with 500 unless the multipart body ends with its closing boundary; plans answer Finance's 404.</summary>
    private sealed class BrokenPortaly : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            return path == "/openapi/v1.json" ? Json(HttpStatusCode.OK, Document)
                : path.EndsWith("/images", StringComparison.Ordinal) && !body.EndsWith("--\r\n", StringComparison.Ordinal) ? Json(HttpStatusCode.InternalServerError, """{"error":"internal error","code":"INTERNAL_ERROR"}""")
                : path.EndsWith("/images", StringComparison.Ordinal) ? Json(HttpStatusCode.OK, """{"data":{}}""")
                : path.StartsWith("/api/creator-subscription/plans/", StringComparison.Ordinal) ? Json(HttpStatusCode.NotFound, """{"code":40400,"message":"not found","data":null}""")
                : Json(HttpStatusCode.NotFound, """{"error":"no route","code":"NOT_FOUND"}""");
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}

/// <summary>Portaly's answer shape: its envelope and the rate limiter's 429 pass, another surface's envelope does not.</summary>
public sealed class PortalyShapeTests
{
    private const string RateLimited = """{"error":"Rate limit exceeded. Try again in 42 seconds."}""";

    [Theory]
    [InlineData(200, """{"data":[],"pagination":{"hasMore":false,"nextCursor":null,"count":0}}""")]
    [InlineData(400, """{"error":"Validation failed","code":"VALIDATION_ERROR","details":["name is required"]}""")]
    [InlineData(404, """{"error":"Plan not found.","code":"NOT_FOUND"}""")]
    [InlineData(409, """{"error":"That code exists.","code":"DUPLICATE_CODE"}""")]
    public void Portalys_success_and_refusals_conform(int status, string body)
    {
        using var answer = Answer(status, "application/json");

        Assert.Null(AnswerShapes.Portaly(answer, body));
    }

    [Fact]
    public void The_rate_limiters_429_conforms_with_Retry_After_and_not_without()
    {
        using var limited = Answer(429, "application/json");
        limited.Headers.RetryAfter = new(TimeSpan.FromSeconds(42));
        using var bare = Answer(429, "application/json");

        Assert.Null(AnswerShapes.Portaly(limited, RateLimited));
        Assert.Equal("a 429 without Retry-After", AnswerShapes.Portaly(bare, RateLimited));
    }

    [Theory]
    [InlineData(400, "application/json", """{"code":40000,"message":"bad","data":null}""", "not Portaly's {\"error\", \"code\"} without data")]
    [InlineData(400, "text/plain", "Bad Request", "not a JSON object")]
    [InlineData(500, "application/json", """{"error":"boom","code":"INTERNAL_ERROR"}""", "a 500 refusal")]
    [InlineData(400, "application/json", """{"error":"gone","code":"NOT_FOUND"}""", "NOT_FOUND with status 400, documented 404")]
    [InlineData(200, "application/json", """{"error":"ok?","code":"X"}""", "a 200 without {\"data\": …}")]
    public void Finances_envelope_a_plain_400_a_500_and_a_code_at_the_wrong_status_do_not_conform(int status, string mediaType, string body, string problem)
    {
        using var answer = Answer(status, mediaType);

        Assert.Equal(problem, AnswerShapes.Portaly(answer, body));
    }

    private static HttpResponseMessage Answer(int status, string mediaType) =>
        new((HttpStatusCode)status) { Content = new StringContent("", Encoding.UTF8, mediaType) };
}
