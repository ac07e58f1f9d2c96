using System.Security.Claims;
using System.Text.Encodings.Web;
using Harness.Core.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Harness.Backend.Auth;

/// <summary>Route-group policies: declare auth once per group.</summary>
public static class AuthPolicies
{
    public const string User = "user";
    public const string Admin = "admin";
    public const string ApiKey = "apiKey";

    public static IServiceCollection AddHarnessAuth(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, UserTokenHandler>(UserTokenHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(User, p => p.AddAuthenticationSchemes(UserTokenHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Admin, p => p.AddAuthenticationSchemes(UserTokenHandler.SchemeName).RequireRole(Roles.Admin))
            .AddPolicy(ApiKey, p => p.AddAuthenticationSchemes(ApiKeyHandler.SchemeName).RequireAuthenticatedUser());
        return services;
    }

    /// <summary>The signed-in user of a request that passed the <see cref="User"/> or <see cref="Admin"/> policy.</summary>
    public static UserDocument CurrentUser(this HttpContext context) =>
        context.Features.Get<UserDocument>() ?? throw new InvalidOperationException("The endpoint is not protected by a user policy.");

    /// <summary>The API key of a request that passed the <see cref="ApiKey"/> policy.</summary>
    public static ApiKeyDocument CurrentApiKey(this HttpContext context) =>
        context.Features.Get<ApiKeyDocument>() ?? throw new InvalidOperationException("The endpoint is not protected by the API key policy.");
}

/// <summary>Shared challenge and forbid responses: the surface's envelope, not an empty 401.</summary>
public abstract class EnvelopedAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected abstract string MissingMessage { get; }

    protected abstract string InvalidMessage { get; }

    protected abstract string ForbiddenMessage { get; }

    protected abstract bool HasCredentials();

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Write(ApiErrorKind.Unauthenticated, HasCredentials() ? InvalidMessage : MissingMessage);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Write(ApiErrorKind.Forbidden, ForbiddenMessage);

    protected static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
    }

    private Task Write(ApiErrorKind kind, string message) =>
        Context.RequestServices.GetRequiredService<ErrorEnvelopes>().For(Context).Error(kind, message).ExecuteAsync(Context);
}

/// <summary>User JWT from <c>Authorization: Bearer</c> or the <c>token</c> cookie, checked against the live session.</summary>
public sealed class UserTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionRegistry sessions) : EnvelopedAuthHandler(options, logger, encoder)
{
    public const string SchemeName = "UserToken";

    protected override string MissingMessage => "not authenticated: send Authorization: Bearer <token> or the token cookie";

    protected override string InvalidMessage => "invalid or expired token";

    protected override string ForbiddenMessage => "forbidden: the admin role is required";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Token();
        if (string.IsNullOrEmpty(token))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (sessions.Authenticate(token) is not { } user)
        {
            return Task.FromResult(AuthenticateResult.Fail(InvalidMessage));
        }

        Context.Features.Set(user);
        var identity = new ClaimsIdentity(
            [new Claim("userId", user.Id), new Claim(ClaimTypes.Role, user.Role)],
            SchemeName,
            "userId",
            ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override bool HasCredentials() => !string.IsNullOrEmpty(Token());

    private string? Token() => BearerToken(Request) ?? Request.Cookies["token"];
}

/// <summary>OpenAPI key from <c>X-API-Key</c> (or <c>Authorization: Bearer hk_…</c>).</summary>
public sealed class ApiKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyRegistry keys) : EnvelopedAuthHandler(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";

    protected override string MissingMessage => "not authenticated: send the API key in the X-API-Key header";

    protected override string InvalidMessage => "invalid or revoked API key";

    protected override string ForbiddenMessage => "forbidden for this API key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var plain = PlainKey();
        if (string.IsNullOrEmpty(plain))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (keys.Authenticate(plain) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.Fail(InvalidMessage));
        }

        Context.Features.Set(key);
        var identity = new ClaimsIdentity([new Claim("keyId", key.Id), new Claim("ownerUserId", key.OwnerUserId)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override bool HasCredentials() => !string.IsNullOrEmpty(PlainKey());

    private string? PlainKey()
    {
        var header = Request.Headers[HeaderName].ToString();
        return header.Length > 0 ? header.Trim() : BearerToken(Request);
    }
}
