using LiteDB;

namespace Harness.Storage;

/// <summary>
/// One LiteDB database (data file plus its <c>-log</c> file), opened once per process and held
/// exclusively. LiteDB syncs its log once per page written, so a commit of many pages costs many
/// syncs; here the log is synced once, by <see cref="Sync"/>, after the commit has written every page.
/// Callers acknowledge a write only after <see cref="Sync"/>, which is what makes an acknowledged
/// write survive a crash.
/// </summary>
internal sealed class LiteStore : IDisposable
{
    private readonly SyncStream _data;
    private readonly SyncStream _log;

    public LiteStore(string filePath)
    {
        var fullPath = Path.GetFullPath(filePath);
        var directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        FilePath = filePath;
        Mapper = NewMapper();

        var logPath = LogPathOf(fullPath);
        (_data, _log, Database) = Open(fullPath, logPath);
        if (!OrdinalUpgrade.IsOrdinal(Database.Collation))
        {
            // Written before ids compared ordinally: copied once into an ordinal file, then opened again.
            Database.Dispose();
            _data.Dispose();
            _log.Dispose();
            OrdinalUpgrade.Run(fullPath, logPath, Mapper);
            (_data, _log, Database) = Open(fullPath, logPath);
        }

        Database.UtcDate = true;
    }

    public string FilePath { get; }

    /// <summary>A new file is made ordinal; an existing one opens with the collation it was made with.</summary>
    private (SyncStream Data, SyncStream Log, LiteDatabase Database) Open(string dataPath, string logPath)
    {
        var isNew = !File.Exists(dataPath) || new FileInfo(dataPath).Length == 0;

        // The data file is written only by checkpoints, which must be durable before the log is
        // truncated: its flushes stay real syncs.
        var data = new SyncStream(OpenFile(dataPath), syncOnFlush: true);
        var log = new SyncStream(OpenFile(logPath), syncOnFlush: false);
        return (data, log, OrdinalUpgrade.Open(data, log, Mapper, isNew ? Collation.Binary : null));
    }

    /// <summary>How documents map to BSON in every store.</summary>
    public static BsonMapper NewMapper() => new()
    {
        // Keep strings exactly as clients sent them: a replay must return identical values.
        TrimWhitespace = false,
        EmptyStringToNull = false,
        SerializeNullValues = false,
        EnumAsInteger = false,
    };

    /// <summary>LiteDB's log beside its data file: <c>name-log.ext</c>.</summary>
    public static string LogPathOf(string filePath)
    {
        var fullPath = Path.GetFullPath(filePath);
        return Path.Combine(Path.GetDirectoryName(fullPath)!, Path.GetFileNameWithoutExtension(fullPath) + "-log" + Path.GetExtension(fullPath));
    }

    public BsonMapper Mapper { get; }

    public LiteDatabase Database { get; }

    /// <summary>
    /// Returns once every commit so far is durable. The pages of a commit are in the operating system when
    /// it returns (unbuffered files), so one sync of the log covers every commit made before it.
    /// </summary>
    public void Sync() => _log.SyncToDisk();

    public void Dispose()
    {
        Database.Dispose();
        _data.Dispose();
        _log.Dispose();
    }

    // Unbuffered: every page LiteDB writes reaches the operating system at once, so a killed
    // process loses nothing it wrote; only power loss needs the sync.
    internal static FileStream OpenFile(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);

    /// <summary>A file stream whose plain <see cref="Flush"/> syncs to disk or not, as chosen.</summary>
    private sealed class SyncStream(FileStream file, bool syncOnFlush) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => file.Length;

        public override long Position
        {
            get => file.Position;
            set => file.Position = value;
        }

        public void SyncToDisk() => file.Flush(flushToDisk: true);

        public override void Flush() => file.Flush(flushToDisk: syncOnFlush);

        public override int Read(byte[] buffer, int offset, int count) => file.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => file.Seek(offset, origin);

        public override void SetLength(long value) => file.SetLength(value);

        public override void Write(byte[] buffer, int offset, int count) => file.Write(buffer, offset, count);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                file.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
