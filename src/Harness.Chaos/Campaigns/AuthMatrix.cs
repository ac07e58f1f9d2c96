using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Harness.Chaos.Reports;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Every protected Finance route with no, garbage, expired, superseded, other-role, revoked and
/// other-user credentials: each must be refused with the documented 401 or 403, in the envelope.
/// </summary>
public sealed class AuthMatrix(ChaosTarget target)
{
    /// <summary>
    /// The routes the Finance document leaves open (sign-in, health, and the channels' notifications, which their
    /// signatures authenticate); every other one is protected.
    /// </summary>
    private static readonly HashSet<string> PublicRoutes = new(StringComparer.Ordinal)
    {
        "/api/health", "/api/auth/sms/sendCode", "/api/auth/login", "/api/auth/sms/sandbox/code", "/api/payment/notify/{channel}",
    };

    /// <summary>A credential to try and the status a protected route must answer it with.</summary>
    private sealed record Attempt(string Credential, int Expected, Action<HttpRequestMessage> Apply, Func<Operation, bool> AppliesTo);

    public async Task<(AuthFigures Figures, IReadOnlyList<Finding> Findings)> RunAsync(TextWriter log, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(await target.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative), cancellationToken));
        var routes = OpenApiOperations.Read(document.RootElement).Where(o => !PublicRoutes.Contains(o.Path)).ToList();
        var attempts = await AttemptsAsync(cancellationToken);
        var findings = new List<Finding>();
        var checks = 0;
        foreach (var route in routes)
        {
            foreach (var attempt in attempts.Where(a => a.AppliesTo(route)))
            {
                checks++;
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), ConcretePath(route));
                if (route.BodySample is not null)
                {
                    request.Content = new StringContent(ValidBodyFor(route), Encoding.UTF8, "application/json");
                }

                attempt.Apply(request);
                using var response = await target.Http.SendAsync(request, cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var status = (int)response.StatusCode;
                var problem = status != attempt.Expected ? $"answered {status}, expected {attempt.Expected}"
                    : AnswerShapes.Finance(response, body);
                if (problem is not null)
                {
                    findings.Add(new Finding("auth", $"{attempt.Credential} credential", route.ToString(), $"{problem}: {body}"));
                }
            }
        }

        log.WriteLine($"auth matrix: {routes.Count} protected routes, {checks} checks, {findings.Count} unexpected answers");
        return (new AuthFigures(routes.Count, checks, findings.Count), findings);
    }

    private async Task<List<Attempt>> AttemptsAsync(CancellationToken cancellationToken)
    {
        var (superseded, _) = await target.SignInAsync("13955500001", cancellationToken);
        var (user, _) = await target.SignInAsync("13955500001", cancellationToken); // ends the first one's session
        var (_, otherUserId) = await target.SignInAsync("13955500002", cancellationToken);
        var (admin, _) = await target.SignInAdminAsync(cancellationToken);
        var limitedKey = (await target.DataAsync(HttpMethod.Post, "/api/admin/apiKeys", new { name = "chaos limited", allowedUserIds = new[] { otherUserId } }, admin, cancellationToken)).GetProperty("key").GetString()!;
        var revoked = await target.DataAsync(HttpMethod.Post, "/api/admin/apiKeys", new { name = "chaos revoked", allUsers = true }, admin, cancellationToken);
        await target.DataAsync(HttpMethod.Post, $"/api/admin/apiKeys/{revoked.GetProperty("apiKey").GetProperty("id").GetString()}/revoke", null, admin, cancellationToken);
        var revokedKey = revoked.GetProperty("key").GetString()!;

        static bool ByKey(Operation o) => o.Path.StartsWith("/openapi/coin", StringComparison.Ordinal);
        static bool ByToken(Operation o) => !ByKey(o);
        static bool Admin(Operation o) => o.Path.StartsWith("/api/admin", StringComparison.Ordinal);
        static bool NamesUser(Operation o) => ByKey(o) && (o.BodySample?.ContainsKey("userId") == true || o.Parameters.Any(p => p.Name == "userId"));
        Action<HttpRequestMessage> Bearer(string token) => r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Action<HttpRequestMessage> Key(string key) => r => r.Headers.Add("X-API-Key", key);

        var attempts = new List<Attempt>
        {
            new("no", 401, _ => { }, _ => true),
            new("garbage bearer", 401, Bearer("not.a.token"), _ => true),
            new("garbage key", 401, Key("hk_garbage"), ByKey),
            new("superseded session", 401, Bearer(superseded), ByToken),
            new("user token on an API-key route", 401, Bearer(user), ByKey),
            new("other role (user on admin)", 403, Bearer(user), Admin),
            new("revoked API key", 401, Key(revokedKey), ByKey),
            new("API key of another user", 403, Key(limitedKey), NamesUser),
        };
        if (target.JwtKey is { } key)
        {
            attempts.Add(new("expired", 401, Bearer(ExpiredToken(key)), ByToken));
        }

        return attempts;
    }

    // Names the demo user: the user the limited key may not act for.
    private static Uri ConcretePath(Operation route) =>
        new(route.Path.Replace("{id}", "k_chaos", StringComparison.Ordinal)
            + (route.Parameters.Any(p => p.Name == "userId" && p.In == "query") ? "?userId=u_demo_user" : ""), UriKind.Relative);

    private static string ValidBodyFor(Operation route) =>
        route.BodySample!.ContainsKey("userId")
            ? """{"userId":"u_demo_user","idempotencyKey":"chaos-auth","serviceCode":"report-export","consumeType":"FIXED"}"""
            : route.BodySample.ToJsonString();

    /// <summary>A token signed with the target's own key whose <c>exp</c> has passed: only its age is wrong.</summary>
    private static string ExpiredToken(byte[] key)
    {
        static string Segment(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var issued = DateTimeOffset.UtcNow.AddDays(-9).ToUnixTimeSeconds();
        var unsigned = Segment("""{"alg":"HS256","typ":"JWT"}""") + "." + Segment($$"""{"userId":"u_demo_user","phone":"13800000001","iat":{{issued}},"exp":{{issued + 7 * 86400}},"jti":"chaos"}""");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(unsigned))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return unsigned + "." + signature;
    }
}
