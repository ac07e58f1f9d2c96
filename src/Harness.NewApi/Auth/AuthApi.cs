using System.Text.Json.Serialization;
using Harness.NewApi.Quota;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.NewApi.Auth;

/// <summary>Sign-in with username and password (a <c>session</c> cookie), the access token, and who is signed in.</summary>
public static class AuthApi
{
    public const string WrongCredentials = "用户名或密码错误，或用户已被封禁";
    public const string InvalidParameters = "无效的参数";

    public static void MapAuth(this RouteGroupBuilder api)
    {
        var user = api.MapGroup("/user").WithTags("Users");
        user.MapPost("/login", Login).AllowAnonymous()
            .WithSummary("Signs in with username and password; sets the session cookie. A banned user or a wrong password gets the same refusal.");
        user.MapGet("/logout", Logout).AllowAnonymous()
            .WithSummary("Ends the session of the session cookie, if any.");
        user.MapGet("/token", Token).RequireUser()
            .WithSummary("Issues a new access token for the signed-in user (the old one stops working); send it as Authorization with New-Api-User.");
        user.MapGet("/self", Self).RequireUser()
            .WithSummary("The signed-in user, with the quota on their ledger account.");
    }

    private static Ok<NewApiResponse<object>> Login(LoginRequest request, NewApiUsers users, NewApiSessions sessions, HttpContext http)
    {
        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return NewApiEnvelope.Fail(InvalidParameters);
        }

        if (users.SignIn(request.Username, request.Password) is not { Status: 1 } user)
        {
            return NewApiEnvelope.Fail(WrongCredentials);
        }

        http.Response.Cookies.Append(NewApiSessions.CookieName, sessions.Open(user), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            MaxAge = NewApiSessions.Lifetime,
            Path = "/",
        });
        return TypedResults.Ok(new NewApiResponse<object>(true, "", new SignedIn(user.NumericId, user.Username, user.ShownName, user.Role, user.Status, user.Group)));
    }

    private static Ok<NewApiResponse<object>> Logout(NewApiSessions sessions, HttpContext http)
    {
        if (http.Request.Cookies[NewApiSessions.CookieName] is { } session)
        {
            sessions.Close(session);
            http.Response.Cookies.Delete(NewApiSessions.CookieName);
        }

        return TypedResults.Ok(new NewApiResponse<object>(true, "", null));
    }

    private static Ok<NewApiResponse<string>> Token(NewApiUsers users, HttpContext http) =>
        NewApiEnvelope.Ok(users.IssueToken(http.CurrentUser()));

    private static Ok<NewApiResponse<UserView>> Self(QuotaAccounts quota, HttpContext http)
    {
        var user = http.CurrentUser();
        return NewApiEnvelope.Ok(new UserView(user.NumericId, user.Username, user.ShownName, user.Role, user.Status, user.Group, user.Email, quota.QuotaOf(user.NumericId)));
    }
}

public sealed record LoginRequest(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password);

public sealed record SignedIn(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("role")] int Role,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("group")] string Group);

public sealed record UserView(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("role")] int Role,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("quota")] long Quota);
