namespace Aspire.Hosting.Prosody.Tests;

public class ProsodyStorageTests
{
    private static IResourceBuilder<ProsodyResource> Chat() => TestModel.CreateBuilder().AddProsody("chat");

    [Fact]
    public void WithDataVolumeMountsANamedVolumeOnTheDataDirectory()
    {
        var chat = Chat().WithDataVolume();

        var mount = Assert.Single(chat.Resource.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.Volume, mount.Type);
        Assert.Equal("/var/lib/prosody", mount.Target);
        Assert.EndsWith("-chat-data", mount.Source);
        Assert.False(mount.IsReadOnly);
    }

    [Fact]
    public void WithDataVolumeUsesTheGivenName()
    {
        var chat = Chat().WithDataVolume("prosody-data", isReadOnly: true);

        var mount = Assert.Single(chat.Resource.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal("prosody-data", mount.Source);
        Assert.True(mount.IsReadOnly);
    }

    [Fact]
    public async Task InRunModeProsodyStartsThroughTheWrapperWhichRestartsItAfterACrash()
    {
        var chat = Chat().WithDataVolume();

        Assert.Equal("/usr/local/lib/prosody-aspire/entrypoint.sh", chat.Resource.Entrypoint);
        // Replacing the entrypoint drops the image's command, so the wrapper is given it back.
        Assert.Equal(["prosody", "-F"], await chat.Resource.ArgsAsync());
        Assert.Equal("1", (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run))["ASPIRE_RESTART_ON_CRASH"]);
    }

    [Fact]
    public async Task WithDataBindMountResolvesTheSourceAndHandsARootOwnedDirectoryToProsody()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithDataBindMount("data");

        var mount = Assert.Single(chat.Resource.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.BindMount, mount.Type);
        Assert.Equal(Path.Combine(builder.AppHostDirectory, "data"), mount.Source);
        Assert.Equal("/var/lib/prosody", mount.Target);
        Assert.Equal("/usr/local/lib/prosody-aspire/entrypoint.sh", chat.Resource.Entrypoint);
        // Replacing the entrypoint drops the image's command, so the wrapper is given it back.
        Assert.Equal(["prosody", "-F"], await chat.Resource.ArgsAsync());
    }

    [Fact]
    public async Task InPublishModeABindMountKeepsTheImageEntrypoint()
    {
        // The wrapper travels as a container file, which a published manifest does not carry.
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithDataBindMount("/srv/prosody");

        Assert.Null(chat.Resource.Entrypoint);
        Assert.Empty(await chat.Resource.ArgsAsync());
    }

    [Fact]
    public async Task InPublishModeRestartsAreLeftToThePlatform()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat");

        Assert.DoesNotContain("ASPIRE_RESTART_ON_CRASH", (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish)).Keys);
    }
}
