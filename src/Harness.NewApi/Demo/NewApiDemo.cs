using Harness.NewApi.Auth;

namespace Harness.NewApi.Demo;

/// <summary>The demo users a first start creates, with fixed access tokens so a profile can name them.</summary>
public sealed record NewApiDemoCredentials(NewApiUser Root, NewApiUser User);

public sealed class NewApiDemo(NewApiUsers users)
{
    public const string RootName = "root";
    public const string RootPassword = "123456";
    public const string RootToken = "newapi-demo-root-access-token-01";
    public const string UserName = "alice";
    public const string UserPassword = "alice-password";
    public const string UserToken = "newapi-demo-user-access-token-02";

    /// <summary>Root (id 1, role 100; upstream's first-start root has password 123456) and a common user (id 2).</summary>
    public NewApiDemoCredentials Ensure()
    {
        var root = users.FindByName(RootName) ?? users.Create(RootName, RootPassword, Roles.Root, RootToken)!;
        var user = users.FindByName(UserName) ?? users.Create(UserName, UserPassword, Roles.User, UserToken)!;
        return new NewApiDemoCredentials(root, user);
    }

    public static IEnumerable<string> Banner(string baseUrl, NewApiDemoCredentials demo)
    {
        yield return $"New-API          {baseUrl}   (API reference {baseUrl}/scalar)";
        yield return $"  root           id {demo.Root.Id}, {RootName} / {RootPassword}, access token {demo.Root.AccessToken}";
        yield return $"  user           id {demo.User.Id}, {UserName} / {UserPassword}, access token {demo.User.AccessToken}";
        yield return $"  try            curl -H 'Authorization: Bearer {demo.Root.AccessToken}' -H 'New-Api-User: {demo.Root.Id}' {baseUrl}/api/redemption/";
        yield return $"  conformance    profile \"newApiUrl\": \"{baseUrl}\", \"newApiAdminToken\": \"{demo.Root.AccessToken}\", \"newApiAdminId\": \"{demo.Root.Id}\" (run it with CRITICAL_RATE_LIMIT raised and GLOBAL_API_RATE_LIMIT_ENABLE=false)";
    }
}
