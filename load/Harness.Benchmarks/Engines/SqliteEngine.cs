using Microsoft.Data.Sqlite;

namespace Harness.Benchmarks.Engines;

/// <summary>
/// SQLite (Microsoft.Data.Sqlite): WAL journal with <c>synchronous=FULL</c>, one transaction per ledger
/// batch through prepared statements, a 64 MB page cache (the default is 2 MB). Claims carry an index on
/// their time, so expiry is one DELETE.
/// </summary>
internal sealed class SqliteEngine : IEngineStore
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertEntry;
    private readonly SqliteCommand _insertClaim;
    private readonly SqliteCommand _findClaim;
    private readonly SqliteCommand _page;

    public SqliteEngine(string directory)
    {
        _connection = new SqliteConnection($"Data Source={Path.Combine(directory, "ledger.db")}");
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA cache_size=-65536;
            CREATE TABLE IF NOT EXISTS entries(account TEXT NOT NULL, id INTEGER NOT NULL, body BLOB NOT NULL, PRIMARY KEY(account, id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS claims(scope TEXT NOT NULL, key TEXT NOT NULL, entry INTEGER NOT NULL, created INTEGER NOT NULL, PRIMARY KEY(scope, key)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS claims_created ON claims(created);
            """);
        _insertEntry = Prepare("INSERT INTO entries(account, id, body) VALUES($account, $id, $body)", "$account", "$id", "$body");
        _insertClaim = Prepare("INSERT INTO claims(scope, key, entry, created) VALUES($scope, $key, $entry, $created)", "$scope", "$key", "$entry", "$created");
        _findClaim = Prepare("SELECT entry FROM claims WHERE scope = $scope AND key = $key", "$scope", "$key");
        _page = Prepare("SELECT body FROM entries WHERE account = $account ORDER BY id DESC LIMIT $take OFFSET $skip", "$account", "$take", "$skip");
    }

    public void Commit(IReadOnlyList<EngineEntry> batch)
    {
        using var transaction = _connection.BeginTransaction();
        _insertEntry.Transaction = transaction;
        _insertClaim.Transaction = transaction;
        foreach (var entry in batch)
        {
            Run(_insertEntry, entry.Account, entry.Id, entry.Body);
            Run(_insertClaim, entry.Scope, entry.Key, entry.Id, entry.CreatedAt.Ticks);
        }

        transaction.Commit();
    }

    public long? FindClaim(string scope, string key)
    {
        _findClaim.Parameters[0].Value = scope;
        _findClaim.Parameters[1].Value = key;
        return _findClaim.ExecuteScalar() is long id ? id : null;
    }

    public long Page(string account, int skip, int take)
    {
        _page.Parameters[0].Value = account;
        _page.Parameters[1].Value = take;
        _page.Parameters[2].Value = skip;
        using var reader = _page.ExecuteReader();
        long bytes = 0;
        while (reader.Read())
        {
            bytes += reader.GetStream(0).Length;
        }

        return bytes;
    }

    public long? ExpireClaims(DateTime cutoff)
    {
        using var delete = _connection.CreateCommand();
        delete.CommandText = "DELETE FROM claims WHERE created < $cutoff";
        delete.Parameters.AddWithValue("$cutoff", cutoff.Ticks);
        return delete.ExecuteNonQuery();
    }

    public void Dispose()
    {
        foreach (var command in new[] { _insertEntry, _insertClaim, _findClaim, _page })
        {
            command.Dispose();
        }

        _connection.Dispose();
        SqliteConnection.ClearAllPools(); // closes the file, so a reopen measures a cold open
    }

    private static void Run(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
