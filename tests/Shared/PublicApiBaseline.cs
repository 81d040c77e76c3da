namespace Prosody.Tests.Shared;

/// <summary>
/// A package's public surface checked in as C# (src/{package}/api/{package}.cs, the form Aspire's own packages keep in
/// api/*.cs), so that a change to it shows in review. The test project prints the API with PublicApiGenerator; after an
/// intended change, running the tests once with UPDATE_API_BASELINE=1 rewrites the file.
/// </summary>
internal static class PublicApiBaseline
{
    public static void AssertMatches(string package, string testProject, string publicApi)
    {
        var header =
            $"// The public API of {package}, printed by PublicApiGenerator. Do not edit: after an intended change run\n" +
            $"// UPDATE_API_BASELINE=1 dotnet test --project tests/{testProject} -- --filter-class \"*PublicApiBaselineTests*\"\n";
        var actual = header + publicApi.ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(Repository.Root, "src", package, "api", package + ".cs");

        if (Environment.GetEnvironmentVariable("UPDATE_API_BASELINE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Missing {path}: run the tests once with UPDATE_API_BASELINE=1.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }
}
