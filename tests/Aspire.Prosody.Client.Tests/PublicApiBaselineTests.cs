using Aspire.Prosody.Client;
using PublicApiGenerator;

namespace Aspire.Prosody.Client.Tests;

/// <summary>
/// The client package's public surface, checked in as C# (api/Aspire.Prosody.Client.cs): a change shows in review.
/// After an intended change, run the tests once with UPDATE_API_BASELINE=1 to rewrite the file.
/// </summary>
public class PublicApiBaselineTests
{
    [Fact]
    public void ThePublicApiMatchesTheCheckedInBaseline() =>
        PublicApiBaseline.AssertMatches("Aspire.Prosody.Client", "Aspire.Prosody.Client.Tests",
            typeof(XmppClient).Assembly.GeneratePublicApi(new ApiGeneratorOptions { IncludeAssemblyAttributes = false }));
}
