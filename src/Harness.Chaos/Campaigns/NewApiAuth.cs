namespace Harness.Chaos.Campaigns;

/// <summary>
/// New-API's wrong credentials (docs/new-api.md, Auth; spec new-api.md §2), each with upstream's status and Chinese
/// message in <c>{"success": false, "message"}</c>: missing credentials and <c>New-Api-User</c> problems are 401; an
/// unknown token, a banned user and a role too low are HTTP 200, as upstream answers them.
/// </summary>
public sealed class NewApiAuth(NewApiClient newApi) : IAuthSurface
{
    /// <summary>Sign-in and sign-out, and the callbacks their signatures authenticate (notifies, webhooks, the Epay return).</summary>
    public IReadOnlySet<string> PublicPaths { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "/api/user/login", "/api/user/logout", "/api/user/epay/notify", "/api/stripe/webhook", "/api/creem/webhook",
        "/api/subscription/epay/notify", "/api/subscription/epay/return",
    };

    /// <summary>The routes behind AdminAuth beside the admin groups (the document does not say which guard a route has).</summary>
    private static readonly HashSet<string> AdminRoutes = new(StringComparer.Ordinal)
    {
        "POST /api/user", "GET /api/user/search", "POST /api/user/manage", "GET /api/user/topup", "POST /api/user/topup/complete",
    };

    public string Name => "New-API";

    public HttpClient Http => newApi.Http;

    public async Task<IReadOnlyList<AuthAttempt>> AttemptsAsync(CancellationToken cancellationToken)
    {
        var user = await newApi.NewUserAsync(cancellationToken);
        var other = await newApi.NewUserAsync(cancellationToken);
        var banned = await newApi.NewUserAsync(cancellationToken);
        await newApi.BanAsync(banned, cancellationToken);

        static bool Admin(Operation o) => AdminRoutes.Contains(o.ToString())
            || o.Path.StartsWith("/api/redemption", StringComparison.Ordinal) || o.Path.StartsWith("/api/subscription/admin", StringComparison.Ordinal);
        static Action<HttpRequestMessage> As(string? authorization, string? userHeader) => r =>
        {
            if (authorization is not null)
            {
                r.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            if (userHeader is not null)
            {
                r.Headers.TryAddWithoutValidation("New-Api-User", userHeader);
            }
        };
        var token = "Bearer " + user.Token;
        return
        [
            new("no", 401, As(null, null), _ => true, "无权进行此操作，未登录且未提供 access token"),
            new("no token (New-Api-User only)", 401, As(null, user.Id), _ => true, "无权进行此操作，未登录且未提供 access token"),
            new("garbage token", 200, As("Bearer chaos-not-a-token", user.Id), _ => true, "无权进行此操作，access token 无效"),
            new("no New-Api-User", 401, As(token, null), _ => true, "无权进行此操作，未提供 New-Api-User"),
            new("garbled New-Api-User", 401, As(token, "chaos"), _ => true, "无权进行此操作，New-Api-User 格式错误"),
            new("New-Api-User of another user", 401, As(token, other.Id), _ => true, "无权进行此操作，New-Api-User 与登录用户不匹配"),
            new("banned user", 200, As("Bearer " + banned.Token, banned.Id), _ => true, "用户已被封禁"),
            new("other role (user on admin)", 200, As(token, user.Id), Admin, "无权进行此操作，权限不足"),
        ];
    }

    public Uri PathOf(Operation route) => new(route.Path.Replace("{id}", "1", StringComparison.Ordinal), UriKind.Relative);

    public string BodyOf(Operation route) => route.BodySample!.ToJsonString();

    /// <summary>A refusal: the standard envelope with <c>success: false</c> and no <c>data</c>.</summary>
    public string? Shape(HttpResponseMessage response, string body) =>
        AnswerShapes.NewApi(response, body)
        ?? (AnswerShapes.ObjectOf(body) is { } root && root["success"]?.GetValue<bool>() == false && !root.ContainsKey("data")
            ? null
            : "not a refusal ({\"success\": false, \"message\"} without data)");
}
