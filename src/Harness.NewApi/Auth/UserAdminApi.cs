using System.Globalization;
using System.Text.Json.Serialization;
using Harness.NewApi.Quota;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Harness.NewApi.Auth;

/// <summary>
/// The part of upstream's admin user management that scenarios need to make their own users: create
/// (<c>POST /api/user/</c>), search (<c>GET /api/user/search</c>) and manage (<c>POST /api/user/manage</c>: disable,
/// enable, promote, demote). The new user signs in with <c>POST /api/user/login</c> and takes a token from
/// <c>GET /api/user/token</c>, as upstream.
/// </summary>
public static class UserAdminApi
{
    public const string CannotCreateHigher = "无法创建权限大于或等于自己的用户";
    public const string UsernameTaken = "用户名已存在";
    public const string NoSuchUser = "用户不存在";
    public const string CannotManageHigher = "无权更新同权限等级或更高权限等级的用户信息";
    public const string CannotDisableRoot = "无法禁用超级管理员用户";
    public const string OnlyRootPromotes = "普通管理员用户无法提升其他用户为管理员";
    public const string AlreadyAdmin = "该用户已经是管理员";
    public const string CannotDemoteRoot = "无法降级超级管理员用户";
    public const string AlreadyCommon = "该用户已经是普通用户";

    /// <summary>Upstream's validator tags on the user model: username and display name at most 20, password 8–20 (runes).</summary>
    private const int MaxName = 20;
    private const int MinPassword = 8;
    private const int MaxPassword = 20;

    public static void MapUserAdmin(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/user").RequireAdmin().WithTags("Users");
        admin.MapPost("/", Create)
            .WithSummary("Creates a user (username, password, display_name, role below the caller's). Find its id with search; it signs in itself.");
        admin.MapGet("/search", Search)
            .WithSummary("keyword: an integer matches the id; otherwise a username, display name or email prefix; empty matches all. Paged by p and page_size.");
        admin.MapPost("/manage", Manage)
            .WithSummary("action disable, enable, promote (root only) or demote on the user with that id; data is the user's role and status.");
    }

    private static Ok<NewApiResponse<object>> Create(CreateUserRequest request, NewApiUsers users, HttpContext http)
    {
        var username = (request.Username ?? "").Trim();
        var password = request.Password ?? "";
        if (username.Length == 0 || password.Length == 0)
        {
            return NewApiEnvelope.Fail(AuthApi.InvalidParameters);
        }

        if (Invalid(username, password, request.DisplayName ?? "") is { } problem)
        {
            return NewApiEnvelope.Fail("输入不合法 " + problem);
        }

        var role = request.Role ?? Roles.User;
        if (role >= http.CurrentUser().Role)
        {
            return NewApiEnvelope.Fail(CannotCreateHigher);
        }

        return users.Create(username, password, role, displayName: request.DisplayName) is null
            ? NewApiEnvelope.Fail(UsernameTaken)
            : NewApiEnvelope.Done();
    }

    private static Ok<NewApiResponse<Page<AdminUserView>>> Search(NewApiUsers users, QuotaAccounts quota, HttpRequest request)
    {
        var keyword = request.Query["keyword"].ToString();
        var isNumber = int.TryParse(keyword, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
        var found = users.All()
            .Where(u => isNumber ? u.NumericId == number : u.Username.StartsWith(keyword, StringComparison.Ordinal)
                || u.ShownName.StartsWith(keyword, StringComparison.Ordinal) || (keyword.Length > 0 && u.Email.StartsWith(keyword, StringComparison.Ordinal)))
            .OrderByDescending(u => u.NumericId)
            .Select(u => new AdminUserView(u.NumericId, u.Username, u.ShownName, u.Role, u.Status, u.Group, u.Email, quota.QuotaOf(u.NumericId)))
            .ToList();
        return NewApiEnvelope.Ok(Paging.Of(request, found));
    }

    private static Ok<NewApiResponse<object>> Manage(ManageUserRequest request, NewApiUsers users, HttpContext http)
    {
        if (users.Find(request.Id ?? 0) is not { } user)
        {
            return NewApiEnvelope.Fail(NoSuchUser);
        }

        var myRole = http.CurrentUser().Role;
        if (myRole <= user.Role && myRole != Roles.Root)
        {
            return NewApiEnvelope.Fail(CannotManageHigher);
        }

        switch (request.Action)
        {
            case "disable":
                if (user.Role == Roles.Root)
                {
                    return NewApiEnvelope.Fail(CannotDisableRoot);
                }

                user.Status = 2;
                break;
            case "enable":
                user.Status = 1;
                break;
            case "promote":
                if (myRole != Roles.Root)
                {
                    return NewApiEnvelope.Fail(OnlyRootPromotes);
                }

                if (user.Role >= Roles.Admin)
                {
                    return NewApiEnvelope.Fail(AlreadyAdmin);
                }

                user.Role = Roles.Admin;
                break;
            case "demote":
                if (user.Role == Roles.Root)
                {
                    return NewApiEnvelope.Fail(CannotDemoteRoot);
                }

                if (user.Role == Roles.User)
                {
                    return NewApiEnvelope.Fail(AlreadyCommon);
                }

                user.Role = Roles.User;
                break;
            default:
                // Upstream falls through an unknown action and answers success without changing anything.
                break;
        }

        users.Save(user);
        return TypedResults.Ok(new NewApiResponse<object>(true, "", new ManagedUser(user.Role, user.Status)));
    }

    /// <summary>The first of upstream's validator tags the user breaks, in Go validator's words.</summary>
    private static string? Invalid(string username, string password, string displayName)
    {
        static int Runes(string text) => text.EnumerateRunes().Count();
        return Runes(username) > MaxName ? Tag("Username", "max")
            : Runes(password) < MinPassword ? Tag("Password", "min")
            : Runes(password) > MaxPassword ? Tag("Password", "max")
            : Runes(displayName) > MaxName ? Tag("DisplayName", "max")
            : null;
    }

    private static string Tag(string field, string tag) => $"Key: 'User.{field}' Error:Field validation for '{field}' failed on the '{tag}' tag";
}

public sealed record CreateUserRequest(
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("display_name")] string? DisplayName,
    [property: JsonPropertyName("role")] int? Role);

public sealed record ManageUserRequest(
    [property: JsonPropertyName("id")] int? Id,
    [property: JsonPropertyName("action")] string? Action);

public sealed record ManagedUser(
    [property: JsonPropertyName("role")] int Role,
    [property: JsonPropertyName("status")] int Status);

public sealed record AdminUserView(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("display_name")] string DisplayName,
    [property: JsonPropertyName("role")] int Role,
    [property: JsonPropertyName("status")] int Status,
    [property: JsonPropertyName("group")] string Group,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("quota")] long Quota);
