namespace Aspire.Hosting.Prosody.Tests;

/// <summary>Group chat, file share, external components, certificates and federation in the app model.</summary>
public class ProsodyServerFeatureTests
{
    private static async Task<string> ConfigOf(IResourceBuilder<ProsodyResource> chat, DistributedApplication app) =>
        await app.FileTextAsync(chat.Resource, "/etc/prosody/conf.d", "aspire.cfg.lua");

    [Theory]
    [InlineData(ProsodyRoomCreation.Anyone, "restrict_room_creation = false")]
    [InlineData(ProsodyRoomCreation.LocalUsers, "restrict_room_creation = \"local\"")]
    [InlineData(ProsodyRoomCreation.Admins, "restrict_room_creation = true")]
    public async Task TheRoomCreationPolicyReachesTheConfiguration(ProsodyRoomCreation policy, string expected)
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithMultiUserChat(roomCreation: policy);
        using var app = builder.Build();

        Assert.Contains(expected, await ConfigOf(chat, app));
    }

    [Fact]
    public async Task RoomsKeepHistoryAndArchiveByDefaultWhenTheArchiveIsOn()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithMultiUserChat(historyMessages: 50).WithMessageArchive();
        using var app = builder.Build();

        var config = await ConfigOf(chat, app);
        Assert.Contains("max_history_messages = 50", config);
        Assert.Contains("muc_log_by_default = true", config);
    }

    [Fact]
    public async Task TheFileShareGetsItsQuotaAndInRunModeLinksToThePublishedEndpoint()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithFileShare(quotaGigabytes: 3);
        using var app = builder.Build();

        var config = await ConfigOf(chat, app);
        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);

        Assert.Equal("3", environment["PROSODY_UPLOAD_STORAGE_GB"]);
        Assert.DoesNotContain("http_file_share_global_quota", config);
        Assert.Contains("http_external_url = ENV_ASPIRE_HTTP_EXTERNAL_URL", config);
        var url = Assert.IsType<ReferenceExpression>(environment["ASPIRE_HTTP_EXTERNAL_URL"]);
        var endpoint = Assert.IsType<EndpointReferenceExpression>(Assert.Single(url.ValueProviders));
        Assert.Equal(KnownNetworkIdentifiers.LocalhostNetwork, endpoint.Endpoint.ContextNetworkID);
    }

    [Fact]
    public async Task APersistentContainerAnnouncesThePublishedEndpointOnlyWhenItsPortIsFixed()
    {
        // The port Aspire publishes a persistent container's endpoint on changes with every run unless it is given;
        // a URL that changes would change the configuration and recreate the container each time.
        var builder = TestModel.CreateBuilder();
        var floating = builder.AddProsody("floating").WithLifetime(ContainerLifetime.Persistent);
        var fixedPort = builder.AddProsody("fixed").WithLifetime(ContainerLifetime.Persistent)
            .WithEndpoint(ProsodyResource.HttpEndpointName, e => e.Port = 15280);
        using var app = builder.Build();

        Assert.DoesNotContain("http_external_url", await ConfigOf(floating, app));
        Assert.DoesNotContain("ASPIRE_HTTP_EXTERNAL_URL", (await floating.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run)).Keys);
        Assert.Contains("http_external_url = ENV_ASPIRE_HTTP_EXTERNAL_URL", await ConfigOf(fixedPort, app));
        Assert.Contains("ASPIRE_HTTP_EXTERNAL_URL", (await fixedPort.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run)).Keys);
    }

    [Fact]
    public async Task InPublishModeTheFileShareKeepsProsodysOwnUrls()
    {
        var builder = TestModel.CreateBuilder(DistributedApplicationOperation.Publish);
        var chat = builder.AddProsody("chat").WithFileShare();
        using var app = builder.Build();

        Assert.DoesNotContain("http_external_url", await ConfigOf(chat, app));
        Assert.DoesNotContain("ASPIRE_HTTP_EXTERNAL_URL", (await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Publish)).Keys);
    }

    [Fact]
    public async Task AnExternalComponentOpensTheComponentPortAndDeclaresTheComponentLast()
    {
        var builder = TestModel.CreateBuilder();
        var chat = builder.AddProsody("chat").WithExtraConfiguration("c2s_timeout = 300");
        var bot = chat.AddExternalComponent("bot");
        using var app = builder.Build();

        Assert.Equal("bot.chat.dev.localhost", bot.Resource.Domain);
        Assert.Same(chat.Resource, bot.Resource.Parent);
        var endpoint = Assert.Single(chat.Resource.Annotations.OfType<EndpointAnnotation>(), e => e.Name == "component");
        Assert.Equal(5347, endpoint.TargetPort);

        var config = await ConfigOf(chat, app);
        Assert.Contains("component_interfaces = { \"*\" }", config);
        Assert.EndsWith(
            """
            Component "bot.chat.dev.localhost"
              component_secret = ENV_ASPIRE_COMPONENT_1_SECRET

            """.ReplaceLineEndings(), config);
        var environment = await chat.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run);
        Assert.Same(bot.Resource.SecretParameter, environment["ASPIRE_COMPONENT_1_SECRET"]);
        Assert.Equal("bot-secret", bot.Resource.SecretParameter.Name);
    }

    [Fact]
    public async Task AnAppThatReferencesAComponentGetsHostPortDomainAndSecret()
    {
        var builder = TestModel.CreateBuilder();
        var secret = builder.AddParameter("bridge-secret", "s3cret", secret: true);
        var chat = builder.AddProsody("chat");
        var bridge = chat.AddExternalComponent("bridge", "gateway", secret);
        chat.WithAllocatedEndpoint("component", 15347, 5347);
        var service = builder.AddContainer("service", "service-image").WithReference(bridge);
        var environment = await builder.BuildAndReadEnvironmentAsync(service.Resource);

        Assert.Equal("Host=chat.dev.internal;Port=5347;Domain=gateway.chat.dev.localhost;Secret=s3cret", environment["ConnectionStrings__bridge"]);
        Assert.Equal("gateway.chat.dev.localhost", environment["BRIDGE_DOMAIN"]);
        Assert.Equal("s3cret", environment["BRIDGE_SECRET"]);
        Assert.Equal("Host={chat.bindings.component.host};Port={chat.bindings.component.port};Domain=gateway.chat.dev.localhost;Secret={bridge-secret.value}",
            bridge.Resource.ConnectionStringExpression.ValueExpression);
    }

    [Fact]
    public void ComponentsCannotShareASubdomain()
    {
        var chat = TestModel.CreateBuilder().AddProsody("chat").WithMultiUserChat("rooms");

        // The default subdomain is made from the name, so the name is what the caller must change.
        Assert.Throws<ArgumentException>("name", () => chat.AddExternalComponent("rooms"));
        Assert.Throws<ArgumentException>("subdomain", () => chat.AddExternalComponent("gateway", subdomain: "rooms"));
        chat.AddExternalComponent("bot");
        Assert.Throws<ArgumentException>("subdomain", () => chat.WithFileShare("bot"));
    }

    [Fact]
    public async Task WithCertificateCopiesTheFilesInsteadOfTheDevelopmentCertificate()
    {
        var directory = Directory.CreateTempSubdirectory();
        try
        {
            var (certificate, key) = WriteSelfSigned(directory.FullName, "chat.dev.localhost");
            var builder = TestModel.CreateBuilder();
            var chat = builder.AddProsody("chat").WithCertificate(certificate, key);
            using var app = builder.Build();

            var files = (await app.FilesAsync(chat.Resource, "/etc/prosody/certs")).Cast<ContainerFile>().ToDictionary(f => f.Name!);
            Assert.Equal(certificate, files["chat.dev.localhost.crt"].SourcePath);
            Assert.Equal(key, files["chat.dev.localhost.key"].SourcePath);
            Assert.Null(files["chat.dev.localhost.crt"].Contents);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithCertificatesDirectoryMountsItReadOnlyAndSkipsTheDevelopmentCertificate()
    {
        var directory = Directory.CreateTempSubdirectory();
        try
        {
            var builder = TestModel.CreateBuilder();
            var chat = builder.AddProsody("chat").WithCertificatesDirectory(directory.FullName);
            using var app = builder.Build();

            var mount = Assert.Single(chat.Resource.Annotations.OfType<ContainerMountAnnotation>());
            Assert.Equal((directory.FullName, "/etc/prosody/certs", true), (mount.Source, mount.Target, mount.IsReadOnly));
            Assert.Empty(await app.FilesAsync(chat.Resource, "/etc/prosody/certs"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void CertificatesThatAreMissingOrDoNotMatchAreRejected()
    {
        var directory = Directory.CreateTempSubdirectory();
        try
        {
            var (certificate, _) = WriteSelfSigned(directory.FullName, "chat.dev.localhost");
            var (_, otherKey) = WriteSelfSigned(Directory.CreateDirectory(Path.Combine(directory.FullName, "other")).FullName, "chat.dev.localhost");

            Assert.Throws<ArgumentException>("certificatePath", () => TestModel.CreateBuilder().AddProsody("a").WithCertificate(certificate, otherKey));
            Assert.Throws<ArgumentException>("certificatePath", () => TestModel.CreateBuilder().AddProsody("b").WithCertificate(Path.Combine(directory.FullName, "missing.crt"), otherKey));
            Assert.Throws<DirectoryNotFoundException>(() => TestModel.CreateBuilder().AddProsody("c").WithCertificatesDirectory(Path.Combine(directory.FullName, "nowhere")));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task FederationRequiresEncryptionAndCertificatesUnlessToldOtherwise()
    {
        var builder = TestModel.CreateBuilder();
        var strict = builder.AddProsody("strict").WithFederation();
        var relaxed = builder.AddProsody("relaxed").WithFederation(requireEncryption: false, secureAuthentication: false);
        using var app = builder.Build();

        Assert.Contains("s2s_require_encryption = true", await ConfigOf(strict, app));
        Assert.DoesNotContain("PROSODY_S2S_SECURE_AUTH", (await strict.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run)).Keys);
        Assert.Contains("s2s_require_encryption = false", await ConfigOf(relaxed, app));
        Assert.Equal("0", (await relaxed.Resource.RawEnvironmentAsync(DistributedApplicationOperation.Run))["PROSODY_S2S_SECURE_AUTH"]);
    }

    [Fact]
    public void TheDevelopmentCertificateSavedInConfigurationIsReused()
    {
        var builder = TestModel.CreateBuilder();
        var first = Tls.DevelopmentCertificate.GetOrCreate(builder, "chat", "chat.dev.localhost");
        var saved = builder.Configuration["Prosody:chat:DevelopmentCertificate:chat.dev.localhost"];

        var next = TestModel.CreateBuilder();
        next.Configuration["Prosody:chat:DevelopmentCertificate:chat.dev.localhost"] = saved;
        var second = Tls.DevelopmentCertificate.GetOrCreate(next, "chat", "chat.dev.localhost");

        Assert.Equal(first, second);
        Assert.NotEqual(first.CertificatePem, Tls.DevelopmentCertificate.GetOrCreate(next, "chat", "other.dev.localhost").CertificatePem);
    }

    private static (string Certificate, string Key) WriteSelfSigned(string directory, string domain) =>
        TestCertificates.WritePem(directory, domain);
}
