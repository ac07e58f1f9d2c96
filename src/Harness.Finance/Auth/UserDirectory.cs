using System.Collections.Concurrent;
using Harness.Security;
using Harness.Storage;

namespace Harness.Finance.Auth;

public sealed class UserDocument : IDocument
{
    public string Id { get; set; } = "";

    public string Phone { get; set; } = "";

    public string Nickname { get; set; } = "";

    /// <summary><see cref="Roles.User"/> or <see cref="Roles.Admin"/>.</summary>
    public string Role { get; set; } = Roles.User;

    public DateTime CreatedAt { get; set; }
}

public static class Roles
{
    public const string User = "user";
    public const string Admin = "admin";
}

/// <summary>Users, kept in memory for cheap look-ups on every request and persisted as documents.</summary>
public sealed class UserDirectory
{
    private readonly IDocumentCollection<UserDocument> _users;
    private readonly TimeProvider _clock;
    private readonly KeyedLock _locks;
    private readonly ConcurrentDictionary<string, UserDocument> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, UserDocument> _byPhone = new(StringComparer.Ordinal);

    public UserDirectory(IDocumentStore store, TimeProvider clock, KeyedLock locks)
    {
        _users = store.Collection<UserDocument>("users", nameof(UserDocument.Phone));
        _clock = clock;
        _locks = locks;
        foreach (var user in _users.All())
        {
            Remember(user);
        }
    }

    public UserDocument? Find(string userId) => _byId.GetValueOrDefault(userId);

    public UserDocument? FindByPhone(string phone) => _byPhone.GetValueOrDefault(phone);

    public IReadOnlyList<UserDocument> All() => [.. _byId.Values.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id, StringComparer.Ordinal)];

    /// <summary>Signing in by SMS registers a phone on first use; the lock makes two first sign-ins create one user.</summary>
    public async Task<UserDocument> GetOrRegisterAsync(string phone, CancellationToken cancellationToken)
    {
        if (FindByPhone(phone) is { } known)
        {
            return known;
        }

        using var _ = await _locks.AcquireAsync("user-phone:" + phone, cancellationToken);
        return FindByPhone(phone) ?? Create("u_" + Secrets.RandomHex(8), phone, "user" + phone[^4..], Roles.User);
    }

    /// <summary>Creates a user with a chosen id (demo data); returns the existing one if the id is taken.</summary>
    public UserDocument Create(string id, string phone, string nickname, string role)
    {
        var user = new UserDocument
        {
            Id = id,
            Phone = phone,
            Nickname = nickname,
            Role = role,
            CreatedAt = _clock.GetUtcNow().UtcDateTime,
        };
        if (!_users.TryInsert(user))
        {
            return _users.Get(id)!;
        }

        Remember(user);
        return user;
    }

    private void Remember(UserDocument user)
    {
        _byId[user.Id] = user;
        _byPhone[user.Phone] = user;
    }
}
