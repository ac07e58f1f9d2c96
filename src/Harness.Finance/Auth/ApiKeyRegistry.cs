using System.Collections.Concurrent;
using Harness.Security;
using Harness.Storage;

namespace Harness.Finance.Auth;

/// <summary>
/// An OpenAPI key. The key is shown once at creation as <c>hk_{id}_{secret}</c>; only the SHA-256 of
/// the secret is stored. A key bills either every user or the users on its allow-list.
/// </summary>
public sealed class ApiKeyDocument : IDocument
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string SecretHash { get; set; } = "";

    public string OwnerUserId { get; set; } = "";

    public bool AllUsers { get; set; }

    public List<string> AllowedUserIds { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    public DateTime? RevokedAt { get; set; }

    public bool MayBill(string userId) => AllUsers || AllowedUserIds.Contains(userId, StringComparer.Ordinal);
}

public sealed class ApiKeyRegistry
{
    public const string Prefix = "hk_";

    private readonly IDocumentCollection<ApiKeyDocument> _keys;
    private readonly ConcurrentDictionary<string, ApiKeyDocument> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock;

    public ApiKeyRegistry(IDocumentStore store, TimeProvider clock)
    {
        _keys = store.Collection<ApiKeyDocument>("api_keys");
        _clock = clock;
        foreach (var key in _keys.All())
        {
            _cache[key.Id] = key;
        }
    }

    public IReadOnlyList<ApiKeyDocument> All() => [.. _cache.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)];

    /// <summary>Creates a key and returns it with the plain key, which is never available again.</summary>
    public (ApiKeyDocument Key, string PlainKey) Create(string name, string ownerUserId, bool allUsers, IEnumerable<string> allowedUserIds) =>
        Store(Secrets.RandomHex(6), Secrets.Random(24), name, ownerUserId, allUsers, allowedUserIds);

    /// <summary>Registers a key whose plain text is chosen by the caller (the published demo key).</summary>
    public ApiKeyDocument Register(string plainKey, string name, string ownerUserId, bool allUsers)
    {
        var (id, secret) = Split(plainKey) ?? throw new ArgumentException("Not an API key of the form hk_{id}_{secret}.", nameof(plainKey));
        return _cache.TryGetValue(id, out var existing) ? existing : Store(id, secret, name, ownerUserId, allUsers, []).Key;
    }

    public ApiKeyDocument? Revoke(string id)
    {
        if (!_cache.TryGetValue(id, out var key))
        {
            return null;
        }

        key.RevokedAt ??= _clock.GetUtcNow().UtcDateTime;
        _keys.Upsert(key);
        return key;
    }

    /// <summary>The live key matching <paramref name="plainKey"/>, compared in constant time; null otherwise.</summary>
    public ApiKeyDocument? Authenticate(string plainKey) =>
        Split(plainKey) is var (id, secret)
        && _cache.TryGetValue(id, out var key)
        && key.RevokedAt is null
        && Secrets.HashMatches(secret, key.SecretHash)
            ? key
            : null;

    private (ApiKeyDocument Key, string PlainKey) Store(string id, string secret, string name, string ownerUserId, bool allUsers, IEnumerable<string> allowedUserIds)
    {
        var key = new ApiKeyDocument
        {
            Id = id,
            Name = name,
            SecretHash = Secrets.Hash(secret),
            OwnerUserId = ownerUserId,
            AllUsers = allUsers,
            AllowedUserIds = [.. allowedUserIds.Distinct(StringComparer.Ordinal)],
            CreatedAt = _clock.GetUtcNow().UtcDateTime,
        };
        _keys.Upsert(key);
        _cache[id] = key;
        return (key, $"{Prefix}{id}_{secret}");
    }

    private static (string Id, string Secret)? Split(string plainKey)
    {
        if (!plainKey.StartsWith(Prefix, StringComparison.Ordinal) || plainKey.Length > 256)
        {
            return null;
        }

        var separator = plainKey.IndexOf('_', Prefix.Length);
        return separator <= Prefix.Length || separator == plainKey.Length - 1
            ? null
            : (plainKey[Prefix.Length..separator], plainKey[(separator + 1)..]);
    }
}
