namespace Aspire.Hosting.Prosody.Tests;

/// <summary>A temporary root for a test class's folders (module checkouts and the like), deleted with the class.</summary>
internal sealed class TestFolders(string prefix) : IDisposable
{
    public DirectoryInfo Root { get; } = Directory.CreateTempSubdirectory(prefix);

    /// <summary>Writes files below a new folder of the root: (relative path, contents); returns the folder's path.</summary>
    public string Create(string name, params (string Path, string Contents)[] files)
    {
        var folder = Path.Combine(Root.FullName, name);
        Directory.CreateDirectory(folder);
        foreach (var (path, contents) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, contents);
        }

        return folder;
    }

    public void Dispose() => Root.Delete(recursive: true);
}
