using Harness.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.Finance.Auth;

/// <summary>The Finance guards: declare auth once per route group (<c>api.MapGroup("/finance").RequireUser()</c>).</summary>
public static class AuthGuards
{
    /// <summary>A signed-in user (JWT from <c>Authorization: Bearer</c> or the <c>token</c> cookie, live session).</summary>
    public static RouteGroupBuilder RequireUser(this RouteGroupBuilder group) => group.Require<UserGuard>(ApiErrorKind.Unauthenticated);

    /// <summary>A signed-in user with the admin role.</summary>
    public static RouteGroupBuilder RequireAdmin(this RouteGroupBuilder group) => group.Require<AdminGuard>(ApiErrorKind.Unauthenticated, ApiErrorKind.Forbidden);

    /// <summary>An OpenAPI key (<c>X-API-Key</c>, or <c>Authorization: Bearer hk_…</c>).</summary>
    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group) => group.Require<ApiKeyGuard>(ApiErrorKind.Unauthenticated);

    public static IServiceCollection AddFinanceAuth(this IServiceCollection services) => services
        .AddSingleton<UserGuard>()
        .AddSingleton<AdminGuard>()
        .AddSingleton<ApiKeyGuard>();

    /// <summary>The signed-in user of a request that passed the user or admin guard.</summary>
    public static UserDocument CurrentUser(this HttpContext context) =>
        context.Features.Get<UserDocument>() ?? throw new InvalidOperationException("The endpoint is not protected by a user guard.");

    /// <summary>The API key of a request that passed the API key guard.</summary>
    public static ApiKeyDocument CurrentApiKey(this HttpContext context) =>
        context.Features.Get<ApiKeyDocument>() ?? throw new InvalidOperationException("The endpoint is not protected by the API key guard.");

    private static RouteGroupBuilder Require<TGuard>(this RouteGroupBuilder group, params ApiErrorKind[] refusals)
        where TGuard : RequestGuard => group.RequireGuard(((IEndpointRouteBuilder)group).ServiceProvider.GetRequiredService<TGuard>(), refusals);

    /// <summary>The credential after <c>Bearer </c> (any case), trimmed; empty when the header is absent or another scheme.</summary>
    internal static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header.AsSpan(7).Trim() : default;
    }
}

/// <summary>A signed-in user; refusals say whether a credential was missing or not accepted.</summary>
public class UserGuard(SessionRegistry sessions) : RequestGuard
{
    public const string MissingMessage = "not authenticated: send Authorization: Bearer <token> or the token cookie";
    public const string InvalidMessage = "invalid or expired token";

    public override IResult? Check(HttpContext context)
    {
        var token = AuthGuards.BearerToken(context.Request);
        if (token.IsEmpty)
        {
            token = context.Request.Cookies["token"];
        }

        if (token.IsEmpty)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, MissingMessage);
        }

        if (sessions.Authenticate(token) is not { } user)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, InvalidMessage);
        }

        context.Features.Set(user);
        return Admit(context, user);
    }

    /// <summary>What a signed-in user still has to satisfy.</summary>
    protected virtual IResult? Admit(HttpContext context, UserDocument user) => null;
}

/// <summary>A signed-in user with the admin role; any other user is forbidden.</summary>
public sealed class AdminGuard(SessionRegistry sessions) : UserGuard(sessions)
{
    public const string ForbiddenMessage = "forbidden: the admin role is required";

    protected override IResult? Admit(HttpContext context, UserDocument user) =>
        user.Role == Roles.Admin ? null : Refuse(context, ApiErrorKind.Forbidden, ForbiddenMessage);
}

/// <summary>An OpenAPI key from <c>X-API-Key</c>, or <c>Authorization: Bearer hk_…</c>.</summary>
public sealed class ApiKeyGuard(ApiKeyRegistry keys) : RequestGuard
{
    public const string HeaderName = "X-API-Key";
    public const string MissingMessage = "not authenticated: send the API key in the X-API-Key header";
    public const string InvalidMessage = "invalid or revoked API key";

    public override IResult? Check(HttpContext context)
    {
        var header = context.Request.Headers[HeaderName].ToString().AsSpan().Trim();
        var plain = header.IsEmpty ? AuthGuards.BearerToken(context.Request) : header;
        if (plain.IsEmpty)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, MissingMessage);
        }

        if (keys.Authenticate(plain.ToString()) is not { } key)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, InvalidMessage);
        }

        context.Features.Set(key);
        return null;
    }
}
