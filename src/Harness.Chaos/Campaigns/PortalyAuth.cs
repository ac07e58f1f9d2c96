using System.Text.RegularExpressions;

namespace Harness.Chaos.Campaigns;

/// <summary>
/// Portaly's wrong credentials (docs/portaly.md, "Auth, keys, modes"): no <c>Authorization</c>, a key under another
/// scheme, an unknown key — each refused 401 with <c>{"error", "code": "UNAUTHORIZED"}</c> on every merchant route and on
/// the operator's key route.
/// </summary>
public sealed partial class PortalyAuth(HttpClient http) : IAuthSurface
{
    /// <summary>The test clock and the uploaded files, which take no key.</summary>
    public IReadOnlySet<string> PublicPaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "/api/test/clock", "/api/test/clock/advance", "/files/{fileId}",
    };

    public string Name => "Portaly";

    public HttpClient Http => http;

    public Task<IReadOnlyList<AuthAttempt>> AttemptsAsync(CancellationToken cancellationToken)
    {
        static Action<HttpRequestMessage> As(string? authorization) => r =>
        {
            if (authorization is not null)
            {
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
        };
        return Task.FromResult<IReadOnlyList<AuthAttempt>>(
        [
            new("no", 401, As(null), _ => true),
            new("another scheme (Basic)", 401, As("Basic pcs_test_chaos0000000000000000000000000000000"), _ => true),
            new("unknown", 401, As("Bearer pcs_test_chaos0000000000000000000000000000000"), _ => true),
        ]);
    }

    public Uri PathOf(Operation route) => new(PathParameter().Replace(route.Path, "chaos-unknown"), UriKind.Relative);

    public string BodyOf(Operation route) => route.BodySample!.ToJsonString();

    /// <summary>A refusal: <c>{"error": "…", "code": "UNAUTHORIZED"}</c> without data.</summary>
    public string? Shape(HttpResponseMessage response, string body) =>
        AnswerShapes.ObjectOf(body) is { } root && root["error"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && root["code"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && root["code"]!.GetValue<string>() == "UNAUTHORIZED" && !root.ContainsKey("data")
            ? null
            : "not Portaly's refusal ({\"error\", \"code\": \"UNAUTHORIZED\"} without data)";

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
