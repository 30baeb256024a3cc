using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Portal.Web.Infrastructure;

/// <summary>
/// The data directory holds the database (encrypted tokens, audit log) and the Data Protection key ring: only the
/// portal's own user may read it. Folders are 0700 and files 0600: the process umask is 077 so that everything
/// created later (SQLite's WAL and SHM files, new keys, the job store) is born private, and whatever already exists
/// is tightened once at start-up.
/// </summary>
public static partial class DataDirectoryPermissions
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly ConcurrentDictionary<string, bool> Secured = new(StringComparer.Ordinal);

    /// <summary>Creates <paramref name="path"/> if needed and makes it and everything in it private (once per path).</summary>
    public static void Secure(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (Secured.ContainsKey(path) && Directory.Exists(path))
        {
            return;
        }

        _ = umask(0b000_111_111); // 077
        Directory.CreateDirectory(path, FolderMode);
        File.SetUnixFileMode(path, FolderMode);
        foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            try
            {
                File.SetUnixFileMode(entry.FullName, entry is DirectoryInfo ? FolderMode : FileMode);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A file that vanished or belongs to someone else: the next start tries again.
            }
        }

        Secured[path] = true;
    }

    [DllImport("libc", SetLastError = false)]
    private static extern uint umask(uint mask);
}
