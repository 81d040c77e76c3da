namespace Aspire.Hosting.Prosody.Configuration;

/// <summary>
/// Paths the builder methods take: absolute or relative to the AppHost's directory (as Aspire's bind mounts), and
/// checked while the app model is built, so a wrong path fails there, naming the full path and the argument.
/// </summary>
internal static class AppHostPaths
{
    public static string Resolve(IDistributedApplicationBuilder builder, string path) =>
        Path.GetFullPath(path, builder.AppHostDirectory);

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string ExistingFile(IDistributedApplicationBuilder builder, string path, string what, string paramName)
    {
        var fullPath = Resolve(builder, path);
        return File.Exists(fullPath) ? fullPath : throw new FileNotFoundException(Missing(what, fullPath, "file", paramName), fullPath);
    }

    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static string ExistingDirectory(IDistributedApplicationBuilder builder, string path, string what, string paramName)
    {
        var fullPath = Resolve(builder, path);
        return Directory.Exists(fullPath) ? fullPath : throw new DirectoryNotFoundException(Missing(what, fullPath, "directory", paramName));
    }

    private static string Missing(string what, string fullPath, string kind, string paramName) =>
        $"The {what} '{ProsodyValidation.Printable(fullPath)}' does not exist. Give an existing {kind} ({paramName}), absolute or relative to the AppHost's directory.";
}
