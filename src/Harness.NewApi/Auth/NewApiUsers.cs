using System.Collections.Concurrent;
using System.Globalization;
using Harness.Security;
using Harness.Security.Signing;
using Harness.Storage;

namespace Harness.NewApi.Auth;

/// <summary>New-API's numeric roles (new-api.md §1.6).</summary>
public static class Roles
{
    public const int Guest = 0;
    public const int User = 1;
    public const int Admin = 10;
    public const int Root = 100;
}

/// <summary>A New-API user. Quota is not here: it is the user's ledger account (<see cref="Quota.QuotaAccounts"/>).</summary>
public sealed class NewApiUser : IDocument
{
    /// <summary>The numeric id, as a string (document ids are strings).</summary>
    public string Id { get; set; } = "";

    public string Username { get; set; } = "";

    /// <summary>Shown instead of the username; the username when none was given.</summary>
    public string DisplayName { get; set; } = "";

    /// <summary>SHA-256 of the password with a per-user salt.</summary>
    public string PasswordHash { get; set; } = "";

    public string Salt { get; set; } = "";

    public int Role { get; set; } = Roles.User;

    /// <summary>1 enabled, 2 disabled (banned).</summary>
    public int Status { get; set; } = 1;

    public string Group { get; set; } = "default";

    public string Email { get; set; } = "";

    /// <summary>The access token of <c>GET /api/user/token</c>; empty until one is issued.</summary>
    public string AccessToken { get; set; } = "";

    public string BillingPreference { get; set; } = "subscription_first";

    /// <summary>The Stripe customer of the user's first Stripe payment, reused for the next checkouts.</summary>
    public string StripeCustomer { get; set; } = "";

    public int NumericId => int.Parse(Id, CultureInfo.InvariantCulture);

    /// <summary>The display name, or the username for users stored before display names were kept.</summary>
    public string ShownName => DisplayName.Length > 0 ? DisplayName : Username;
}

/// <summary>New-API's users, in memory for the per-request look-ups and persisted as documents.</summary>
public sealed class NewApiUsers
{
    private readonly IDocumentCollection<NewApiUser> _users;
    private readonly ConcurrentDictionary<string, NewApiUser> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NewApiUser> _byToken = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NewApiUser> _byName = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    public NewApiUsers(IDocumentStore store)
    {
        _users = store.Collection<NewApiUser>("newapi_users");
        foreach (var user in _users.All())
        {
            Remember(user);
        }
    }

    public NewApiUser? Find(int id) => _byId.GetValueOrDefault(id.ToString(CultureInfo.InvariantCulture));

    public NewApiUser? FindByToken(string token) => _byToken.GetValueOrDefault(token);

    public NewApiUser? FindByName(string username) => _byName.GetValueOrDefault(username);

    public IReadOnlyList<NewApiUser> All() => [.. _byId.Values.OrderBy(u => u.NumericId)];

    /// <summary>Creates a user with the next id; null when the username is taken.</summary>
    public NewApiUser? Create(string username, string password, int role, string? accessToken = null, string? displayName = null)
    {
        lock (_gate)
        {
            if (_byName.ContainsKey(username))
            {
                return null;
            }

            var salt = Secrets.RandomHex(8);
            var user = new NewApiUser
            {
                Id = (_byId.Keys.Select(k => int.Parse(k, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max() + 1).ToString(CultureInfo.InvariantCulture),
                Username = username,
                DisplayName = string.IsNullOrEmpty(displayName) ? username : displayName,
                Salt = salt,
                PasswordHash = Hash(salt, password),
                Role = role,
                AccessToken = accessToken ?? "",
            };
            _users.Upsert(user);
            Remember(user);
            return user;
        }
    }

    public NewApiUser? SignIn(string username, string password) =>
        FindByName(username) is { } user && SignatureComparison.Equal(user.PasswordHash, Hash(user.Salt, password)) ? user : null;

    /// <summary>Issues a new access token (29–32 characters upstream; here 32 letters and digits), replacing the old one.</summary>
    public string IssueToken(NewApiUser user)
    {
        lock (_gate)
        {
            _byToken.TryRemove(user.AccessToken, out _);
            user.AccessToken = Secrets.RandomHex(16);
            _users.Upsert(user);
            Remember(user);
            return user.AccessToken;
        }
    }

    public void Save(NewApiUser user)
    {
        lock (_gate)
        {
            _users.Upsert(user);
            Remember(user);
        }
    }

    private void Remember(NewApiUser user)
    {
        _byId[user.Id] = user;
        _byName[user.Username] = user;
        if (user.AccessToken.Length > 0)
        {
            _byToken[user.AccessToken] = user;
        }
    }

    private static string Hash(string salt, string password) => Secrets.Hash(salt + ":" + password);
}
