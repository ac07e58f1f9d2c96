using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Finance's wrong credentials: none, garbage, expired, superseded, other-role, revoked and other-user; each refused
/// with the documented 401 or 403 in the <c>{code, message, data}</c> envelope.
/// </summary>
public sealed class FinanceAuth(ChaosTarget target) : IAuthSurface
{
    /// <summary>
    /// The routes the Finance document leaves open (sign-in, health, and the channels' notifications, which their
    /// signatures authenticate); every other one is protected.
    /// </summary>
    public IReadOnlySet<string> PublicPaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "/api/health", "/api/auth/sms/sendCode", "/api/auth/login", "/api/auth/sms/sandbox/code", "/api/payment/notify/{channel}",
    };

    public string Name => "Finance";

    public HttpClient Http => target.Http;

    public async Task<IReadOnlyList<AuthAttempt>> AttemptsAsync(CancellationToken cancellationToken)
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

        var attempts = new List<AuthAttempt>
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
    public Uri PathOf(Operation route) =>
        new(route.Path.Replace("{id}", "k_chaos", StringComparison.Ordinal)
            + (route.Parameters.Any(p => p.Name == "userId" && p.In == "query") ? "?userId=u_demo_user" : ""), UriKind.Relative);

    public string BodyOf(Operation route) =>
        route.BodySample!.ContainsKey("userId")
            ? """{"userId":"u_demo_user","idempotencyKey":"chaos-auth","serviceCode":"report-export","consumeType":"FIXED"}"""
            : route.BodySample.ToJsonString();

    public string? Shape(HttpResponseMessage response, string body) => AnswerShapes.Finance(response, body);

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
