using System.Runtime.CompilerServices;
using System.Xml.Linq;
using PublicApiGenerator;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>
/// The package's public surface is checked in as C# (api/Aspire.Hosting.Prosody.cs, the form Aspire's own packages
/// keep in api/*.cs), printed by PublicApiGenerator: a change to it shows in review. After an intended change, run
/// the tests once with UPDATE_API_BASELINE=1 to rewrite the file.
/// </summary>
public class PublicApiBaselineTests
{
    private const string Header =
        "// The public API of Aspire.Hosting.Prosody, printed by PublicApiGenerator. Do not edit: after an intended change run\n" +
        "// UPDATE_API_BASELINE=1 dotnet test --project tests/Aspire.Hosting.Prosody.Tests -- --filter-class \"*PublicApiBaselineTests*\"\n";

    private static readonly ApiGeneratorOptions Options = new()
    {
        // The assembly's own attributes (target framework, InternalsVisibleTo) are build details, not API.
        IncludeAssemblyAttributes = false,
    };

    [Fact]
    public void ThePublicApiMatchesTheCheckedInBaseline()
    {
        var actual = Header + typeof(ProsodyResource).Assembly.GeneratePublicApi(Options).ReplaceLineEndings("\n") + "\n";
        var path = Path.Combine(RepositoryRoot(), "src", "Aspire.Hosting.Prosody", "api", "Aspire.Hosting.Prosody.cs");

        if (Environment.GetEnvironmentVariable("UPDATE_API_BASELINE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"Missing {path}: run the tests once with UPDATE_API_BASELINE=1.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void EveryPublicMemberHasXmlDocumentation()
    {
        // GenerateDocumentationFile with warnings as errors already enforces this at build time (CS1591); this keeps
        // the guarantee visible where the public API is specified: the shipped XML names every exported type.
        var assembly = typeof(ProsodyResource).Assembly;
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(xml), "The package must ship its XML documentation.");
        var documented = XDocument.Load(xml).Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet();
        Assert.All(assembly.GetExportedTypes(), type => Assert.Contains($"T:{type.FullName}", documented));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
