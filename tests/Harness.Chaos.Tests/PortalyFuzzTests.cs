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
