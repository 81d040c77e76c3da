namespace Aspire.Hosting.Prosody.FunctionalTests;

/// <summary>
/// What a test leaves behind on this machine goes with the test, whatever its outcome. Declared with <c>using</c> where
/// a try/finally around the rest of the test would begin, it runs after everything declared later is disposed.
/// </summary>
internal static class TestCleanup
{
    /// <summary>Deletes the directory and all it holds when disposed.</summary>
    public static IDisposable DeleteWhenDisposed(this DirectoryInfo directory) => new Cleanup(() => directory.Delete(recursive: true));

    /// <summary>Removes the container runtime's named volume when disposed (a data volume the test's app created).</summary>
    public static IDisposable RemoveVolumeWhenDisposed(string volume) =>
        new Cleanup(() => ContainerRuntime.Run(ContainerRuntime.Name, "volume", "rm", "--force", volume));

    private sealed class Cleanup(Action cleanup) : IDisposable
    {
        public void Dispose() => cleanup();
    }
}
