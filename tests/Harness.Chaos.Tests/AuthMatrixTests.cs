using System.Net;
using System.Text;
using Harness.Chaos.Campaigns;

namespace Harness.Chaos.Tests;

/// <summary>The New-API auth matrix holds a target to upstream's statuses and messages, credential by credential.</summary>
public sealed class AuthMatrixTests
{
    private const string Document = """
        {"openapi":"3.1.0","paths":{
          "/api/user/login":{"post":{"responses":{"200":{}}}},
          "/api/user/self":{"get":{"responses":{"200":{},"401":{}}}},
          "/api/redemption/{id}":{"get":{"parameters":[{"name":"id","in":"path","schema":{"type":"integer"}}],"responses":{"200":{},"401":{}}}}}}
        """;

    private const string NotSignedIn = """{"success":false,"message":"无权进行此操作，未登录且未提供 access token"}""";

    [Fact]
    public async Task A_New_API_that_answers_every_refusal_as_not_signed_in_is_found_on_each_credential_it_answers_otherwise()
    {
        using var http = new HttpClient(new RestMindedNewApi()) { BaseAddress = new Uri("http://scripted.test") };

        var (figures, findings) = await new AuthMatrix(new NewApiAuth(new NewApiClient(http, new NewApiAccount("1", "root-token"))))
            .RunAsync(TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(("New-API", 2, 15), (figures.Surface, figures.Routes, figures.Checks));
        var wrong = findings.Select(f => f.Kind["New-API: ".Length..].Replace(" credential", "", StringComparison.Ordinal)).Distinct().Order();
        Assert.Equal(
            ["New-Api-User of another user", "banned user", "garbage token", "garbled New-Api-User", "no New-Api-User", "other role (user on admin)"],
            wrong);
        Assert.Equal(11, figures.Unexpected);
        Assert.Contains(findings, f => f.Request == "GET /api/redemption/{id}" && f.Detail.StartsWith("answered 401, expected 200", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Detail.StartsWith("message \"无权进行此操作，未登录且未提供 access token\", expected \"无权进行此操作，New-Api-User 格式错误\"", StringComparison.Ordinal));
    }

    /// <summary>Makes the campaign's users as New-API does, and refuses every guarded request with the not-signed-in 401.</summary>
    private sealed class RestMindedNewApi : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var admin = request.Headers.TryGetValues("Authorization", out var authorization) && authorization.Single() == "Bearer root-token";
            var answer = (request.Method.Method, request.RequestUri!.AbsolutePath) switch
            {
                ("GET", "/openapi/v1.json") => Json(HttpStatusCode.OK, Document),
                ("POST", "/api/user/login") => Json(HttpStatusCode.OK, """{"success":true,"message":"","data":{"id":5}}"""),
                ("GET", "/api/user/token") when request.Headers.Contains("Cookie") => Json(HttpStatusCode.OK, """{"success":true,"message":"","data":"user-token"}"""),
                ("POST", "/api/user/" or "/api/user/manage") when admin => Json(HttpStatusCode.OK, """{"success":true,"message":""}"""),
                _ => Json(HttpStatusCode.Unauthorized, NotSignedIn),
            };
            if (request.RequestUri.AbsolutePath == "/api/user/login")
            {
                answer.Headers.Add("Set-Cookie", "session=s1; Path=/; HttpOnly");
            }

            return Task.FromResult(answer);
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}

/// <summary>The Portaly auth matrix: every merchant route refuses each wrong credential with 401 in Portaly's envelope.</summary>
public sealed class PortalyAuthMatrixTests
{
    private const string Document = """
        {"openapi":"3.1.0","paths":{
          "/api/test/clock":{"get":{"responses":{"200":{}}}},
          "/files/{fileId}":{"get":{"responses":{"200":{}}}},
          "/api/creator-subscription/plans":{"get":{"responses":{"200":{},"401":{}}}},
          "/api/creator-subscription/plans/{planId}":{"get":{"parameters":[{"name":"planId","in":"path","schema":{"type":"string"}}],"responses":{"200":{},"401":{}}}}}}
        """;

    [Fact]
    public async Task A_Portaly_route_that_refuses_outside_the_envelope_or_lets_a_scheme_through_is_found_and_the_open_routes_are_not_tried()
    {
        using var http = new HttpClient(new LeakyPortaly()) { BaseAddress = new Uri("http://scripted.test") };

        var (figures, findings) = await new AuthMatrix(new PortalyAuth(http)).RunAsync(TextWriter.Null, TestContext.Current.CancellationToken);

        Assert.Equal(("Portaly", 2, 6), (figures.Surface, figures.Routes, figures.Checks));
        Assert.Equal(["GET /api/creator-subscription/plans/{planId}"], findings.Select(f => f.Request).Distinct());
        Assert.Contains(findings, f => f.Kind.Contains("another scheme (Basic)", StringComparison.Ordinal) && f.Detail.StartsWith("answered 200, expected 401", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Kind.Contains("unknown", StringComparison.Ordinal) && f.Detail.Contains("not Portaly's refusal", StringComparison.Ordinal));
    }

    /// <summary>Plans refuse properly; one plan's route answers a Basic header 200 and an unknown key outside the envelope.</summary>
    private sealed class LeakyPortaly : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.Single() : "";
            var path = request.RequestUri!.AbsolutePath;
            var answer = path == "/openapi/v1.json" ? Json(HttpStatusCode.OK, Document)
                : path == "/api/creator-subscription/plans" ? Json(HttpStatusCode.Unauthorized, """{"error":"Invalid API key.","code":"UNAUTHORIZED"}""")
                : authorization.StartsWith("Basic ", StringComparison.Ordinal) ? Json(HttpStatusCode.OK, """{"data":{}}""")
                : authorization.Length > 0 ? Json(HttpStatusCode.Unauthorized, """{"message":"no"}""")
                : Json(HttpStatusCode.Unauthorized, """{"error":"Missing API key.","code":"UNAUTHORIZED"}""");
            return Task.FromResult(answer);
        }

        private static HttpResponseMessage Json(HttpStatusCode status, string body) =>
            new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
    }
}
