namespace Aspire.Hosting.Prosody.BrowserTests;

/// <summary>
/// Where the browser test leaves what it saw: <c>artifacts/screenshots/browser-tests/</c> at the repository root
/// (or <c>PROSODY_SCREENSHOTS_DIR</c>), emptied at the start of each run; every file is also attached to the test result.
/// </summary>
internal sealed class TestArtifacts
{
    private TestArtifacts(string directory) => Directory = directory;

    public string Directory { get; }

    public static TestArtifacts Create()
    {
        var directory = Environment.GetEnvironmentVariable("PROSODY_SCREENSHOTS_DIR") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(FindRepositoryRoot() ?? AppContext.BaseDirectory, "artifacts", "screenshots", "browser-tests");
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var file in System.IO.Directory.EnumerateFiles(directory))
            {
                File.Delete(file);
            }
        }

        System.IO.Directory.CreateDirectory(directory);
        return new TestArtifacts(directory);
    }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    /// <summary>Attaches a file written to <see cref="PathOf"/> to the test result and names it in the test output.</summary>
    public void Attach(string fileName, string mediaType)
    {
        var path = PathOf(fileName);
        if (!File.Exists(path))
        {
            return;
        }

        TestContext.Current.AddAttachment(fileName, File.ReadAllBytes(path), mediaType);
        TestContext.Current.TestOutputHelper?.WriteLine($"artifact: {path}");
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")) && System.IO.Directory.Exists(Path.Combine(directory.FullName, "playground")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
