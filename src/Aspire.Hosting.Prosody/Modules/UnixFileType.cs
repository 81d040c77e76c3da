using System.Runtime.InteropServices;

namespace Aspire.Hosting.Prosody.Modules;

/// <summary>
/// Tells a regular file from a FIFO, a socket or a device on Unix, which .NET's file APIs do not (they report all of
/// them as <c>Normal</c>). It asks the runtime's own native shim, <c>SystemNative_LStat</c>, which every .NET
/// runtime on Unix ships and which reports the file type in the platform-independent <c>S_IFMT</c> bits of its second
/// field; where that call is not available the answer is "unknown" and the caller never opens a zero-length entry.
/// </summary>
internal static class UnixFileType
{
    private const int TypeMask = 0xF000;

    /// <summary>The kind of a special file, such as "FIFO"; null for a regular file, a directory, a link or where it cannot be told.</summary>
    public static string? Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            if (LStat(path, out var status) != 0)
            {
                return null;
            }

            return (status.Mode & TypeMask) switch
            {
                0x1000 => "FIFO (named pipe)",
                0x2000 => "character device",
                0x6000 => "block device",
                0xC000 => "socket",
                _ => null,
            };
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    // DllImport rather than LibraryImport: the generated marshalling needs unsafe code, this needs none.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out FileStatus output);

    /// <summary>The runtime's FileStatus: flags, then the mode. Sized well beyond the native struct so that a larger one still fits.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 512)]
    private struct FileStatus
    {
        [FieldOffset(4)]
        public int Mode;
    }
}
