using System.Runtime.InteropServices;

namespace Harness.Ledger.Journal;

/// <summary>
/// Makes a rename durable. On Linux and macOS a renamed file's new name survives power loss only once
/// its directory has been synced, which .NET offers no call for; elsewhere the rename itself is enough.
/// </summary>
internal static partial class DurableDirectory
{
    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var handle = Open(directory, 0); // O_RDONLY
        if (handle < 0)
        {
            throw new IOException($"Cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (FSync(handle) != 0)
            {
                throw new IOException($"Cannot sync directory {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(handle);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int handle);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int handle);
}
