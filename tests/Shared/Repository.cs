using System.Runtime.CompilerServices;

namespace Prosody.Tests.Shared;

/// <summary>The checkout the tests run from, for tests that read its files (baselines, the README, the schema).</summary>
internal static class Repository
{
    /// <summary>The repository's root: this file's path, as the compiler saw it, two folders up.</summary>
    public static string Root { get; } = RootOf();

    private static string RootOf([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
