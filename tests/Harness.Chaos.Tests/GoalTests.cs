using System.Net;
using System.Text;
using Harness.Chaos.Campaigns;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Tests;

/// <summary>The fuzzer's goals fail on a target that breaks them: a campaign that cannot fail proves nothing.</summary>
public sealed class GoalTests
{
    private const string Document = """
        {"openapi":"3.1.0","paths":{
          "/api/things":{"post":{"requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{"name":{"type":"string"},"count":{"type":"integer"}}}}}},"responses":{"200":{}}}},
          "/api/things/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":"string"}}],"responses":{"200":{}}}}}}
        """;

    [Fact]
    public async Task A_5xx_is_a_finding_that_names_the_request()
    {
        using var http = Target((request, _) => request.RequestUri!.AbsolutePath == "/api/things"
            ? (HttpStatusCode.InternalServerError, """{"code":50000,"message":"internal error","data":null}""")
            : (HttpStatusCode.NotFound, """{"code":40400,"message":"no thing","data":null}"""));

        var (figures, findings) = await Fuzz(http);

        Assert.Equal(10, figures.ServerErrors);
        Assert.All(findings, f => Assert.StartsWith("POST /api/things", f.Request, StringComparison.Ordinal));
        Assert.False(Report(figures, findings).Passed);
    }

    [Fact]
    public async Task An_answer_outside_the_envelope_is_a_finding()
    {
        using var http = Target((request, _) => request.Method == HttpMethod.Get
            ? (HttpStatusCode.BadRequest, """{"error":"not finance's shape"}""")
            : (HttpStatusCode.BadRequest, """{"code":40000,"message":"bad","data":null}"""));

        var (figures, findings) = await Fuzz(http);

        Assert.Equal(10, figures.WrongShape);
        Assert.All(findings, f => Assert.StartsWith("GET /api/things/", f.Request, StringComparison.Ordinal));
        Assert.False(Report(figures, findings).Passed);
    }

    [Fact]
    public async Task A_target_that_answers_every_case_in_its_shape_passes()
    {
        using var http = Target((_, _) => (HttpStatusCode.BadRequest, """{"code":40000,"message":"bad","data":null}"""));

        var (figures, findings) = await Fuzz(http);

        Assert.Empty(findings);
        Assert.Equal(20, figures.Requests);
        Assert.True(Report(figures, findings).Passed);
    }

    [Fact]
    public void The_same_seed_gives_the_same_requests_and_another_seed_others()
    {
        var operation = new Operation("POST", "/api/things", [], new System.Text.Json.Nodes.JsonObject { ["name"] = "x1", ["count"] = 1 }, new HashSet<string>());

        var first = Enumerable.Range(0, 30).Select(i => MalformedInputs.Case(operation, 7, i)).ToList();
        var again = Enumerable.Range(0, 30).Select(i => MalformedInputs.Case(operation, 7, i)).ToList();
        var other = Enumerable.Range(0, 30).Select(i => MalformedInputs.Case(operation, 8, i)).ToList();

        Assert.Equal(first.Select(Describe), again.Select(Describe));
        Assert.NotEqual(first.Select(Describe), other.Select(Describe));
    }

    private static string Describe(FuzzCase c) => $"{c.Description}|{c.ContentType}|{Convert.ToBase64String(c.Body ?? [])}";

    private static Task<(FuzzFigures Figures, IReadOnlyList<Finding> Findings)> Fuzz(HttpClient http) =>
        new FuzzCampaign(http, "Finance", AnswerShapes.Finance, (_, _) => { }).RunAsync(seed: 1, casesPerOperation: 10, TextWriter.Null, TestContext.Current.CancellationToken);

    private static ChaosReport Report(FuzzFigures figures, IReadOnlyList<Finding> findings) =>
        new("scripted", 1, DateTimeOffset.UtcNow, TimeSpan.Zero, [figures], [], null, [], findings);

    /// <summary>A target that serves <see cref="Document"/> and answers everything else with <paramref name="answer"/>.</summary>
    private static HttpClient Target(Func<HttpRequestMessage, string?, (HttpStatusCode Status, string Body)> answer) =>
        new(new ScriptedHandler(answer)) { BaseAddress = new Uri("http://scripted.test") };

    private sealed class ScriptedHandler(Func<HttpRequestMessage, string?, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            var (status, text) = request.RequestUri!.AbsolutePath == "/openapi/v1.json" ? (HttpStatusCode.OK, Document) : answer(request, body);
            return new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        }
    }
}
