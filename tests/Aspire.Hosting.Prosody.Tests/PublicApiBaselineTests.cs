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
    private static readonly ApiGeneratorOptions Options = new()
    {
        // The assembly's own attributes (target framework, InternalsVisibleTo) are build details, not API.
        IncludeAssemblyAttributes = false,
    };

    [Fact]
    public void ThePublicApiMatchesTheCheckedInBaseline() =>
        PublicApiBaseline.AssertMatches("Aspire.Hosting.Prosody", "Aspire.Hosting.Prosody.Tests",
            typeof(ProsodyResource).Assembly.GeneratePublicApi(Options));

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
}
