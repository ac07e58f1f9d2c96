using System.Globalization;
using Harness.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Harness.NewApi.Auth;

/// <summary>New-API's UserAuth, AdminAuth and RootAuth, declared once per route or group.</summary>
public static class NewApiGuards
{
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.Require(Roles.User);

    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.Require(Roles.Admin);

    public static TBuilder RequireRoot<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.Require(Roles.Root);

    /// <summary>The user a guarded request was admitted for.</summary>
    public static NewApiUser CurrentUser(this HttpContext context) =>
        context.Features.Get<NewApiUser>() ?? throw new InvalidOperationException("The endpoint is not protected by a New-API guard.");

    private static TBuilder Require<TBuilder>(this TBuilder builder, int minimumRole)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireGuard(new NewApiGuard(minimumRole), ApiErrorKind.Unauthenticated, ApiErrorKind.Forbidden);
}

/// <summary>
/// Upstream's auth middleware, in its order (new-api.md §2): the session cookie, else the access token (with or
/// without <c>Bearer </c>); then the <c>New-Api-User</c> header, which must name the same user; then the user's
/// status and role. Missing credentials and header problems are HTTP 401; an unknown token, a banned user and a
/// role too low are HTTP 200 with <c>success: false</c>. The messages are upstream's, in Chinese as in the seed era.
/// </summary>
public sealed class NewApiGuard(int minimumRole) : RequestGuard
{
    public const string NotLoggedIn = "无权进行此操作，未登录且未提供 access token";
    public const string InvalidToken = "无权进行此操作，access token 无效";
    public const string InvalidUser = "无权进行此操作，用户信息无效";
    public const string NoUserHeader = "无权进行此操作，未提供 New-Api-User";
    public const string BadUserHeader = "无权进行此操作，New-Api-User 格式错误";
    public const string UserMismatch = "无权进行此操作，New-Api-User 与登录用户不匹配";
    public const string Banned = "用户已被封禁";
    public const string NotAllowed = "无权进行此操作，权限不足";

    /// <summary>The header upstream sets on every admitted request.</summary>
    public const string AuthVersion = "864b7076dbcd0a3c01b5520316720ebf";

    public int MinimumRole => minimumRole;

    public override IResult? Check(HttpContext context)
    {
        var users = context.RequestServices.GetRequiredService<NewApiUsers>();
        NewApiUser? user = null;
        if (context.Request.Cookies[NewApiSessions.CookieName] is { Length: > 0 } session
            && context.RequestServices.GetRequiredService<NewApiSessions>().UserOf(session) is { } sessionUser)
        {
            user = users.Find(sessionUser);
        }

        if (user is null)
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.Length == 0)
            {
                return Refuse(context, ApiErrorKind.Unauthenticated, NotLoggedIn);
            }

            var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header;
            if (token.Length == 0 || users.FindByToken(token) is not { } tokenUser)
            {
                return Refuse(context, ApiErrorKind.Forbidden, InvalidToken);
            }

            user = tokenUser;
        }

        if (user.Username.Length == 0 || user.Role is not (Roles.User or Roles.Admin or Roles.Root))
        {
            return Refuse(context, ApiErrorKind.Forbidden, InvalidUser);
        }

        var claimed = context.Request.Headers["New-Api-User"].ToString();
        if (claimed.Length == 0)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, NoUserHeader);
        }

        if (!int.TryParse(claimed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var claimedId))
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, BadUserHeader);
        }

        if (claimedId != user.NumericId)
        {
            return Refuse(context, ApiErrorKind.Unauthenticated, UserMismatch);
        }

        if (user.Status == 2)
        {
            return Refuse(context, ApiErrorKind.Forbidden, Banned);
        }

        if (user.Role < minimumRole)
        {
            return Refuse(context, ApiErrorKind.Forbidden, NotAllowed);
        }

        context.Features.Set(user);
        context.Response.Headers["Auth-Version"] = AuthVersion;
        return null;
    }
}
