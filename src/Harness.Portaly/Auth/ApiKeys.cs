using System.Collections.Concurrent;
using Harness.Security;
using Harness.Storage;

namespace Harness.Portaly.Auth;

/// <summary>
/// An API key as stored: the key itself only as its SHA-256 hash, the first characters to recognise it, and
/// the callback secret in clear (callbacks are signed with it).
/// </summary>
public sealed record PortalyApiKey(
    string Id,
    string ProfileId,
    string Mode,
    string Scope,
    string KeyPrefix,
    string KeyHash,
    string CallbackSecret,
    string Status,
    DateTimeOffset CreatedAt) : IDocument;

/// <summary>A new key with its secret, shown this once.</summary>
public sealed record IssuedKey(PortalyApiKey Key, string Secret);

public static class KeyModes
{
    public const string Live = "live";
    public const string Test = "test";
    public const string Full = "full";
    public const string Integration = "integration";
}

/// <summary>Issues keys and finds the key a bearer secret belongs to (in memory, by hash).</summary>
public sealed class ApiKeys
{
    private const int PrefixLength = 13;
    private readonly IDocumentCollection<PortalyApiKey> _keys;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, PortalyApiKey> _byHash = new(StringComparer.Ordinal);

    public ApiKeys(IDocumentStore store, TimeProvider clock)
    {
        _keys = store.Collection<PortalyApiKey>("api_keys", nameof(PortalyApiKey.ProfileId));
        _clock = clock;
        foreach (var key in _keys.All())
        {
            _byHash[key.KeyHash] = key;
        }
    }

    /// <summary>The active key <paramref name="secret"/> is, or null.</summary>
    public PortalyApiKey? Find(string secret) =>
        _byHash.TryGetValue(Secrets.Hash(secret), out var key) && key.Status == "active" ? key : null;

    /// <summary>A key by its id, whatever its status (callbacks of a revoked key are still signed with its secret).</summary>
    public PortalyApiKey? ById(string id) => _keys.Get(id);

    /// <summary>A new key; <paramref name="secret"/> and <paramref name="callbackSecret"/> are given only by the demo data, which must print the same ones on every start.</summary>
    public IssuedKey Issue(string profileId, string mode, string scope, string? secret = null, string? callbackSecret = null)
    {
        secret ??= $"pcs_{mode}_{Secrets.RandomHex(24)}";
        var key = new PortalyApiKey(
            "key_" + Secrets.RandomHex(12),
            profileId,
            mode,
            scope,
            secret[..PrefixLength],
            Secrets.Hash(secret),
            callbackSecret ?? "pcb_" + Secrets.RandomHex(24),
            "active",
            _clock.GetUtcNow());
        _keys.Upsert(key);
        _byHash[key.KeyHash] = key;
        return new IssuedKey(key, secret);
    }
}
