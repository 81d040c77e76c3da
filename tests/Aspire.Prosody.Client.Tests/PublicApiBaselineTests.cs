using Aspire.Prosody.Client;
using PublicApiGenerator;

namespace Aspire.Prosody.Client.Tests;

/// <summary>
/// The client package's public surface, checked in as C# (api/Aspire.Prosody.Client.cs): a change shows in review.
/// After an intended change, run the tests once with UPDATE_API_BASELINE=1 to rewrite the file.
/// </summary>
public class PublicApiBaselineTests
{
    private const string Header =
        "// The public API of Aspire.Prosody.Client, printed by PublicApiGenerator. Do not edit: after an intended change run\n" +
        "// UPDATE_API_BASELINE=1 dotnet test --project tests/Aspire.Prosody.Client.Tests -- --filter-class \"*PublicApiBaselineTests*\"\n";

    [Fact]
    public void ThePublicApiMatchesTheCheckedInBaseline()
    {
        var actual = Header + typeof(XmppClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(RepositoryRoot(), "src", "Aspire.Prosody.Client", "api", "Aspire.Prosody.Client.cs");

        if (Environment.GetEnvironmentVariable("UPDATE_API_BASELINE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Missing {path}: run the tests once with UPDATE_API_BASELINE=1.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
