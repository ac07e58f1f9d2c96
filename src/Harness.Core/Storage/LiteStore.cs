using LiteDB;

namespace Harness.Core.Storage;

/// <summary>
/// One LiteDB data file, opened once per process in direct (exclusive) mode. Every commit is flushed
/// to disk before it returns, which is what makes an acknowledged write survive a SIGKILL.
/// </summary>
public sealed class LiteStore : IDisposable
{
    public LiteStore(string filePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(filePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        FilePath = filePath;
        Mapper = new BsonMapper
        {
            // Keep strings exactly as clients sent them: a replay must return identical values.
            TrimWhitespace = false,
            EmptyStringToNull = false,
            SerializeNullValues = false,
            EnumAsInteger = false,
        };
        Database = new LiteDatabase(new ConnectionString { Filename = filePath, Connection = ConnectionType.Direct }, Mapper)
        {
            UtcDate = true,
        };
    }

    public string FilePath { get; }

    public BsonMapper Mapper { get; }

    public LiteDatabase Database { get; }

    public void Dispose() => Database.Dispose();
}
