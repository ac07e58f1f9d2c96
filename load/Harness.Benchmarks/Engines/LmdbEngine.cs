using System.Runtime.InteropServices;
using LightningDB;

namespace Harness.Benchmarks.Engines;

/// <summary>LMDB (LightningDB): one write transaction per ledger batch; a commit syncs the data file (the default flags).</summary>
internal sealed class LmdbEngine : IEngineStore
{
    private readonly LightningEnvironment _environment;
    private readonly LightningDatabase _entries;
    private readonly LightningDatabase _claims;

    static LmdbEngine()
    {
        // The package's liblmdb.so needs glibc 2.38; where that is missing (Debian 12 has 2.36), take the
        // system's (Debian package liblmdb0).
        NativeLibrary.SetDllImportResolver(typeof(LightningEnvironment).Assembly, (name, assembly, path) =>
            NativeLibrary.TryLoad(name, assembly, path, out var handle) || (name == "lmdb" && NativeLibrary.TryLoad("liblmdb.so.0", out handle))
                ? handle
                : IntPtr.Zero);
    }

    public LmdbEngine(string directory)
    {
        // The map is address space, not memory: the file grows with what is written.
        _environment = new LightningEnvironment(directory, new EnvironmentConfiguration { MapSize = 32L << 30, MaxDatabases = 2 });
        _environment.Open();
        using var transaction = _environment.BeginTransaction();
        var create = new DatabaseConfiguration { Flags = DatabaseOpenFlags.Create };
        _entries = transaction.OpenDatabase("entries", create);
        _claims = transaction.OpenDatabase("claims", create);
        Check(transaction.Commit());
    }

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        using var transaction = _environment.BeginTransaction();
        foreach (var entry in batch)
        {
            Check(transaction.Put(_entries, EngineKeys.Entry(entry.Account, entry.Id), entry.Body));
            Check(transaction.Put(_claims, EngineKeys.Claim(entry.Scope, entry.Key), EngineKeys.ClaimValue(entry)));
        }

        Check(transaction.Commit());
    }

    public long? FindClaim(string scope, string key)
    {
        using var transaction = _environment.BeginTransaction(TransactionBeginFlags.ReadOnly);
        var (code, _, value) = transaction.Get(_claims, EngineKeys.Claim(scope, key));
        return code == MDBResultCode.Success ? EngineKeys.ClaimedId(value.AsSpan()) : null;
    }

    public long Page(string account, int skip, int take)
    {
        var prefix = EngineKeys.AccountPrefix(account);
        using var transaction = _environment.BeginTransaction(TransactionBeginFlags.ReadOnly);
        using var cursor = transaction.CreateCursor(_entries);
        long bytes = 0;
        var position = 0;
        for (var (code, key, value) = cursor.SetRange(prefix) == MDBResultCode.Success ? cursor.GetCurrent() : default;
            code == MDBResultCode.Success && position < skip + take && key.AsSpan().StartsWith(prefix);
            (code, key, value) = cursor.Next(), position++)
        {
            if (position >= skip)
            {
                bytes += value.AsSpan().Length;
            }
        }

        return bytes;
    }

    /// <summary>No TTL; expiry is a cursor walk over a time-ordered key in a write transaction.</summary>
    public long? ExpireClaims(DateTime cutoff) => null;

    public void Dispose()
    {
        _entries.Dispose();
        _claims.Dispose();
        _environment.Dispose();
    }

    private static void Check(MDBResultCode code)
    {
        if (code != MDBResultCode.Success)
        {
            throw new InvalidOperationException($"LMDB answered {code}.");
        }
    }
}
