using Aspire.Hosting.Prosody.Health;

namespace Aspire.Hosting.Prosody.Tests;

/// <summary>How run mode learns of a crash at once, and what the readiness endpoint checks.</summary>
public class ProsodyHealthTests
{
    [Fact]
    public void RunModeFollowsEveryProsodyLogForCrashesWithOneServiceAndPublishModeHasNone()
    {
        var run = TestModel.CreateBuilder();
        run.AddProsody("chat");
        run.AddProsody("peer");
        Assert.Single(run.Services, d => d.ImplementationType == typeof(ProsodyCrashWatcher));

        var publish = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        publish.AddProsody("chat");
        Assert.DoesNotContain(publish.Services, d => d.ImplementationType == typeof(ProsodyCrashWatcher));
    }

    [Fact]
    public void TheCrashWatcherLooksForTheLineTheEntrypointWrapperWrites()
    {
        var wrapper = EmbeddedResources.Read("entrypoint.sh");

        Assert.Contains($"echo \"{ProsodyCrashWatcher.CrashLinePrefix} ($reason)", wrapper, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReadinessEndpointChecksAccountsStorageAndTlsWithShortCachesAndLivenessOnlyTheProcess()
    {
        var module = EmbeddedResources.Read($"mod_{ProsodyConfiguration.HealthModule}.lua");

        Assert.Contains("storagemanager.open(host, \"accounts\")", module, StringComparison.Ordinal);
        Assert.Contains("certmanager.create_context(host, \"server\"", module, StringComparison.Ordinal);
        Assert.Contains("cert:validat(os.time())", module, StringComparison.Ordinal);
        Assert.Contains("local storage_ttl = 3;", module, StringComparison.Ordinal);
        Assert.Contains("return plain(event, 200, \"live\\n\");", module, StringComparison.Ordinal);
    }
}
