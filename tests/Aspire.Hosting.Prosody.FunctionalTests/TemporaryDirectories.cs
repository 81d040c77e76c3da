namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>A test's temporary directory goes with the test, whatever its outcome.</summary>
internal static class TemporaryDirectories
{
    /// <summary>
    /// Deletes the directory and all it holds when disposed: declared right after the directory is created, it takes
    /// the place of a try/finally around the rest of the test, and runs after everything declared later is disposed.
    /// </summary>
    public static IDisposable DeleteWhenDisposed(this DirectoryInfo directory) => new Deletion(directory);

    private sealed class Deletion(DirectoryInfo directory) : IDisposable
    {
        public void Dispose() => directory.Delete(recursive: true);
    }
}
